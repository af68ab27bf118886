package dev.velo.flink.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.cli.EmbeddedKafka;
import dev.velo.flink.sql.testing.VeloMetricsProbe;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A velo Kafka sink (at-least-once) with {@code SendToDLQ} keeps its writes unconfirmed across
 * batches and flushes the Kafka writer once per window of writes. Every 100th record is larger than
 * the sink's {@code max.request.size}: the producer refuses it and Kafka's writer reports the
 * failure on its next call and from a mail of its own. With {@code fixed_size} 100 that record is
 * the last of its batch, so the writer's mail runs before velo calls the writer again; without
 * batching, after every record. The job must finish, the DLQ hold exactly the refused records, the
 * sink topic every other record, and in = out + dead-lettered hold.
 */
class KafkaSinkUnconfirmedWritesITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    private static final VeloMetricsProbe COUNTERS = new VeloMetricsProbe(REPORTER);
    private static final int N = 2_000;
    private static final int LARGE_EVERY = 100;
    private static final int MAX_REQUEST = 20_000;
    private static final String IN = "unconfirmed-in";
    private static final Pattern ID = Pattern.compile("\"id\":\\s*(\\d+)");
    private static final Pattern PAYLOAD = Pattern.compile("\"payload\":\"([A-Za-z0-9+/=]*)\"");

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(Duration.ofSeconds(90));
        kafka.createTopic(IN, 1);
        String large = "x".repeat(MAX_REQUEST * 2);
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= N; i++) {
            lines.add("{\"id\": " + i + ", \"name\": \"" + (large(i) ? large : "n" + i) + "\"}");
        }
        kafka.produceStrings(IN, lines);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static boolean large(long id) {
        return id % LARGE_EVERY == 0;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fixed_size", "write_through"})
    void refusedRecordsAreDeadLetteredExactlyAndTheJobFinishes(String mode) throws Exception {
        String outTopic = "unconfirmed-out-" + mode;
        String dlqTopic = "unconfirmed-dlq-" + mode;
        kafka.createTopic(outTopic, 1);
        kafka.createTopic(dlqTopic, 1);
        Configuration conf = new Configuration();
        conf.setString("parallelism.default", "1");
        conf.setString("restart-strategy.type", "none");
        TableEnvironment env =
                TableEnvironment.create(
                        EnvironmentSettings.newInstance()
                                .inStreamingMode()
                                .withConfiguration(conf)
                                .build());
        String bootstrap = kafka.bootstrapServers();
        env.executeSql(ReliabilityJobs.boundedJsonSource(IN, bootstrap, outTopic));
        String batching =
                mode.equals("fixed_size")
                        ? "'batch.strategy'='fixed_size', 'batch.size'='100',"
                                + " 'batch.timeout'='1h',"
                        : "'batch.enable'='false',";
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT, name STRING) WITH ('connector'='velo',"
                        + " 'velo.connector'='kafka', 'topic'='"
                        + outTopic
                        + "', 'properties.bootstrap.servers'='"
                        + bootstrap
                        + "', 'properties.max.request.size'='"
                        + MAX_REQUEST
                        + "', 'format'='json', 'sink.delivery-guarantee'='at-least-once', "
                        + batching
                        + " 'sink.failure_strategy'='SendToDLQ', 'dlq.connector'='kafka',"
                        + " 'dlq.topic'='"
                        + dlqTopic
                        + "', 'dlq.properties.bootstrap.servers'='"
                        + bootstrap
                        + "')");
        TableResult result = env.executeSql("INSERT INTO out_t SELECT id, name FROM src");
        JobID job = result.getJobClient().orElseThrow().getJobID();
        // throws when the task failed: no restarts, so one failed mail would end the job
        result.await(3, TimeUnit.MINUTES);

        Set<Long> out = new HashSet<>();
        for (String json : TopicReader.readStrings(bootstrap, outTopic, false)) {
            Matcher m = ID.matcher(json);
            assertThat(m.find()).as("an id in %s", json).isTrue();
            out.add(Long.parseLong(m.group(1)));
        }
        Map<Long, Integer> dead = new HashMap<>();
        for (String v : TopicReader.readStrings(bootstrap, dlqTopic, false)) {
            Matcher p = PAYLOAD.matcher(v);
            assertThat(p.find()).as("a payload in the dead letter %s", v).isTrue();
            String row = new String(Base64.getDecoder().decode(p.group(1)), StandardCharsets.UTF_8);
            Matcher m = ID.matcher(row);
            assertThat(m.find()).as("an id in the dead-lettered row %s", row).isTrue();
            dead.merge(Long.parseLong(m.group(1)), 1, Integer::sum);
        }
        Set<Long> expectedOut = new HashSet<>();
        Map<Long, Integer> expectedDead = new HashMap<>();
        for (long i = 1; i <= N; i++) {
            if (large(i)) {
                expectedDead.put(i, 1);
            } else {
                expectedOut.add(i);
            }
        }
        assertThat(dead).as("dead-lettered ids, each once").isEqualTo(expectedDead);
        assertThat(out).as("ids in the sink topic").isEqualTo(expectedOut);
        long in = COUNTERS.sum(job, "sink", "numRecordsIn");
        long written = COUNTERS.sum(job, "sink", "numRecordsOut");
        long deadLettered = COUNTERS.sum(job, "sink", "numRecordsDeadLettered");
        long dropped = COUNTERS.sum(job, "sink", "numRecordsDropped");
        assertThat(in).isEqualTo(N);
        assertThat(deadLettered).isEqualTo(N / LARGE_EVERY);
        assertThat(written + deadLettered + dropped).as("in = out + dlq + dropped").isEqualTo(in);
    }
}
