package dev.velo.flink.e2e.reliability;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

/** The table environment and the input table that the Kafka reliability tests share. */
final class ReliabilityJobs {
    private ReliabilityJobs() {}

    /**
     * A streaming table environment at parallelism 2 that checkpoints every 200 ms and restarts a
     * failed job up to 3 times, 200 ms apart.
     */
    static TableEnvironment failoverEnvironment() {
        Configuration conf = new Configuration();
        conf.setString("parallelism.default", "2");
        conf.setString("execution.checkpointing.interval", "200ms");
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "3");
        conf.setString("restart-strategy.fixed-delay.delay", "200ms");
        return TableEnvironment.create(
                EnvironmentSettings.newInstance()
                        .inStreamingMode()
                        .withConfiguration(conf)
                        .build());
    }

    /**
     * {@code CREATE TEMPORARY TABLE src (id BIGINT, name STRING)}: a plain Kafka table of JSON rows
     * read from the start of {@code topic} to its end at the job's start, in consumer group {@code
     * groupId}.
     */
    static String boundedJsonSource(String topic, String bootstrap, String groupId) {
        return "CREATE TEMPORARY TABLE src (id BIGINT, name STRING) WITH ('connector'='kafka',"
                + " 'topic'='"
                + topic
                + "', 'properties.bootstrap.servers'='"
                + bootstrap
                + "', 'properties.group.id'='"
                + groupId
                + "', 'scan.startup.mode'='earliest-offset',"
                + " 'scan.bounded.mode'='latest-offset', 'format'='json')";
    }
}
