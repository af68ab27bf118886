package dev.velo.flink.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.cli.EmbeddedKafka;
import dev.velo.flink.sql.testing.VeloMetricsProbe;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Kafka broker is stopped and restarted while a velo sink with RetryWithBackoff writes to it
 * (at-least-once): no record is lost. The producer's own delivery timeout is cut to 5 s so that a
 * longer outage surfaces as a failed flush and velo's retry path runs; the figure says whether it
 * did or whether the Kafka client alone rode the outage out.
 */
class BrokerRestartITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER, 1);

    private static final VeloMetricsProbe COUNTERS = new VeloMetricsProbe(REPORTER);
    private static final int ROWS = 8_000;
    private static final int ROWS_PER_SECOND = 1_000;
    private static final String OUT = "restart-out";
    private static final Pattern ID = Pattern.compile("\"id\":\\s*(\\d+)");

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(Duration.ofSeconds(90));
        kafka.createTopic(OUT, 2);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void brokerOutageLosesNothing() throws Exception {
        long start = System.nanoTime();
        String bootstrap = kafka.bootstrapServers();
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        env.executeSql(
                "CREATE TEMPORARY TABLE src (id BIGINT, name STRING) WITH ('connector'='datagen',"
                        + " 'number-of-rows'='"
                        + ROWS
                        + "', 'rows-per-second'='"
                        + ROWS_PER_SECOND
                        + "', 'fields.id.kind'='sequence', 'fields.id.start'='1',"
                        + " 'fields.id.end'='"
                        + ROWS
                        + "', 'fields.name.length'='8')");
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT, name STRING) WITH ('connector'='velo',"
                        + " 'velo.connector'='kafka', 'topic'='"
                        + OUT
                        + "', 'properties.bootstrap.servers'='"
                        + bootstrap
                        + "', 'format'='json', 'sink.delivery-guarantee'='at-least-once',"
                        + " 'properties.delivery.timeout.ms'='5000',"
                        + " 'properties.request.timeout.ms'='2000',"
                        + " 'properties.max.block.ms'='5000',"
                        + " 'properties.linger.ms'='0',"
                        + " 'batch.strategy'='fixed_size', 'batch.size'='200',"
                        + " 'batch.timeout'='100ms', 'failure_strategy'='RetryWithBackoff',"
                        + " 'max_retries'='30', 'retry_backoff'='200ms',"
                        + " 'retry_backoff_max'='1s', 'retry_exhausted'='FailBatch')");
        TableResult result = env.executeSql("INSERT INTO out_t SELECT id, name FROM src");
        JobID job = result.getJobClient().orElseThrow().getJobID();

        boolean writing =
                Figures.await(
                        () -> COUNTERS.sum(job, "sink", "numRecordsOut") >= ROWS / 8,
                        Duration.ofSeconds(60));
        long outBeforeStop = COUNTERS.sum(job, "sink", "numRecordsOut");
        long stopAt = System.nanoTime();
        kafka.stop();
        // Keep the broker down until velo has retried (or, if the client hides the outage, a
        // bounded while longer than the producer's delivery timeout).
        boolean retried =
                Figures.await(
                        () -> COUNTERS.sum(job, "sink", "numRetries") > 0, Duration.ofSeconds(20));
        long downMs = (System.nanoTime() - stopAt) / 1_000_000;
        kafka.restart();
        result.await(3, TimeUnit.MINUTES);

        List<String> out = TopicReader.readStrings(bootstrap, OUT, false);
        Set<Long> ids = new HashSet<>();
        for (String json : out) {
            Matcher m = ID.matcher(json);
            assertThat(m.find()).isTrue();
            ids.add(Long.parseLong(m.group(1)));
        }
        long retries = COUNTERS.sum(job, "sink", "numRetries");
        Figures.print(
                "broker-restart",
                String.format(
                        "rows=%d out_before_stop=%d broker_down_ms=%d out=%d distinct=%d"
                                + " missing=%d duplicates=%d velo_retries=%d path=%s"
                                + " dropped=%d dead_lettered=%d ms=%d",
                        ROWS,
                        outBeforeStop,
                        downMs,
                        out.size(),
                        ids.size(),
                        ROWS - ids.size(),
                        out.size() - ids.size(),
                        retries,
                        retried
                                ? "velo-RetryWithBackoff"
                                : "kafka-client-rode-it-out(no-velo-retry)",
                        COUNTERS.sum(job, "sink", "numRecordsDropped"),
                        COUNTERS.sum(job, "sink", "numRecordsDeadLettered"),
                        (System.nanoTime() - start) / 1_000_000));

        assertThat(writing).as("the job wrote before the outage").isTrue();
        assertThat(ids).hasSize(ROWS);
        assertThat(ids).allMatch(id -> id >= 1 && id <= ROWS);
        assertThat(retries).as("velo's retry path ran").isGreaterThan(0);
    }
}
