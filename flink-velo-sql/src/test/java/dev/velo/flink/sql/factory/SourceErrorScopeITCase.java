package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.sql.cli.EmbeddedKafka;
import dev.velo.flink.sql.dlq.DeadLetterSchema;
import dev.velo.flink.sql.testing.CollectingDlqSinkFactory;
import dev.velo.flink.sql.testing.FailingSinkFactory;
import dev.velo.flink.sql.testing.VeloMetricsProbe;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code source.failure_strategy} handles decoding failures and nothing else: an exception raised
 * downstream of a velo source fails the job as on the plain table, while undecodable records are
 * still dropped or dead-lettered with nothing lost (in = out + dead-lettered + dropped).
 */
@Timeout(180)
class SourceErrorScopeITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    private static final VeloMetricsProbe METRICS = new VeloMetricsProbe(REPORTER);

    private static final int ROWS = 60;
    private static final Set<Integer> BAD = Set.of(7, 31, 58);

    private static EmbeddedKafka kafka;

    @TempDir static Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic("numbers", 2);
        kafka.produceStrings("numbers", lines(false));
        kafka.createTopic("dirty", 2);
        kafka.produceStrings("dirty", lines(true));
        kafka.createTopic("dirty-one-partition", 1);
        kafka.produceStrings("dirty-one-partition", lines(true));
        Path dir = tmp.resolve("numbers");
        Files.createDirectories(dir);
        Files.write(dir.resolve("part-0.json"), lines(false), StandardCharsets.UTF_8);
        Path dirty = tmp.resolve("dirty-numbers");
        Files.createDirectories(dirty);
        Files.write(dirty.resolve("part-0.json"), lines(true), StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static List<String> lines(boolean withBad) {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= ROWS; i++) {
            lines.add(
                    withBad && BAD.contains(i)
                            ? "{\"id\": " + i + ", \"name\": broken"
                            : "{\"id\": " + i + ", \"name\": \"n" + i + "\"}");
        }
        return lines;
    }

    private static TableEnvironment env() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "2");
        return env;
    }

    private static String kafka(String topic) {
        return "'topic'='"
                + topic
                + "', 'properties.bootstrap.servers'='"
                + kafka.bootstrapServers()
                + "', 'scan.startup.mode'='earliest-offset', 'scan.bounded.mode'='latest-offset',"
                + " 'format'='json'";
    }

    private static String filesystem() {
        return "'path'='" + tmp.resolve("numbers").toUri() + "', 'format'='json'";
    }

    private static JobID insert(String connector, String options, String query, String sinkId)
            throws Exception {
        TableEnvironment env = env();
        env.executeSql(
                "CREATE TEMPORARY TABLE src (id BIGINT, name STRING) WITH ("
                        + connector
                        + ", "
                        + options
                        + ")");
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT, r BIGINT) WITH ("
                        + "'connector'='failing-sink', 'sink-id'='"
                        + sinkId
                        + "')");
        TableResult result = env.executeSql("INSERT INTO out_t " + query);
        JobID job = result.getJobClient().orElseThrow().getJobID();
        result.await();
        return job;
    }

    private static final String DIVIDE = "SELECT id, 100 / (id - 20) FROM src";

    @Test
    void aDownstreamDivisionByZeroFailsTheJobAsOnThePlainTable() {
        String velo = "'connector'='velo', 'source.failure_strategy'='LogAndContinue', ";
        for (String[] source :
                new String[][] {
                    {"'connector'='filesystem'", "'velo.connector'='filesystem'", filesystem()},
                    {"'connector'='kafka'", "'velo.connector'='kafka'", kafka("numbers")}
                }) {
            assertThatThrownBy(
                            () ->
                                    insert(
                                            source[0],
                                            source[2],
                                            DIVIDE,
                                            UUID.randomUUID().toString()))
                    .as("plain %s", source[0])
                    .satisfies(e -> assertThat(VeloSinkITCase.causeChain(e)).contains("/ by zero"));
            assertThatThrownBy(
                            () ->
                                    insert(
                                            velo + source[1],
                                            source[2],
                                            DIVIDE,
                                            UUID.randomUUID().toString()))
                    .as("velo %s with LogAndContinue", source[1])
                    .satisfies(
                            e ->
                                    assertThat(VeloSinkITCase.causeChain(e))
                                            .contains("/ by zero")
                                            .doesNotContain("could not decode"));
        }
    }

    @Test
    void undecodableKafkaRecordsAreDroppedWithNothingLost() throws Exception {
        String sinkId = UUID.randomUUID().toString();
        JobID job =
                insert(
                        "'connector'='velo', 'velo.connector'='kafka',"
                                + " 'source.failure_strategy'='LogAndContinue'",
                        kafka("dirty"),
                        "SELECT id, id FROM src",
                        sinkId);
        assertThat(FailingSinkFactory.results(sinkId)).hasSize(ROWS - BAD.size());
        long in = METRICS.sum(job, "source", "numRecordsIn");
        long out = METRICS.sum(job, "source", "numRecordsOut");
        long dropped = METRICS.sum(job, "source", "numRecordsDropped");
        long dead = METRICS.sum(job, "source", "numRecordsDeadLettered");
        assertThat(dropped).isEqualTo(BAD.size());
        assertThat(dead).isZero();
        assertThat(in).isEqualTo(ROWS).isEqualTo(out + dead + dropped);
    }

    @Test
    void undecodableKafkaRecordsAreDeadLetteredWithTheirBytes() throws Exception {
        String sinkId = UUID.randomUUID().toString();
        String dlq = tmp.resolve("dlq-kafka").toUri().toString();
        JobID job =
                insert(
                        "'connector'='velo', 'velo.connector'='kafka',"
                                + " 'source.failure_strategy'='SendToDLQ',"
                                + " 'dlq.connector'='filesystem', 'dlq.path'='"
                                + dlq
                                + "', 'batch.strategy'='fixed_size', 'batch.size'='5'",
                        kafka("dirty"),
                        "SELECT id, id FROM src",
                        sinkId);
        assertThat(FailingSinkFactory.results(sinkId)).hasSize(ROWS - BAD.size());
        long in = METRICS.sum(job, "source", "numRecordsIn");
        long out = METRICS.sum(job, "source", "numRecordsOut");
        long dropped = METRICS.sum(job, "source", "numRecordsDropped");
        long dead = METRICS.sum(job, "source", "numRecordsDeadLettered");
        assertThat(dead).isEqualTo(BAD.size());
        assertThat(in).isEqualTo(ROWS).isEqualTo(out + dead + dropped);

        TableEnvironment env = env();
        env.executeSql(
                "CREATE TEMPORARY TABLE dlq ("
                        + DeadLetterSchema.CREATE_TABLE_COLUMNS
                        + ") WITH ('connector'='filesystem', 'path'='"
                        + dlq
                        + "', 'format'='json')");
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it =
                env.executeSql(
                                "SELECT payload, side, table_name, error_message, kafka_topic"
                                        + " FROM dlq")
                        .collect()) {
            it.forEachRemaining(rows::add);
        }
        assertThat(
                        rows.stream()
                                .map(
                                        r ->
                                                new String(
                                                        (byte[]) r.getField(0),
                                                        StandardCharsets.UTF_8))
                                .collect(Collectors.toList()))
                .containsExactlyInAnyOrder(
                        BAD.stream()
                                .map(i -> "{\"id\": " + i + ", \"name\": broken")
                                .toArray(String[]::new));
        assertThat(rows).allMatch(r -> "source".equals(r.getField(1)));
        assertThat(rows).allMatch(r -> "src".equals(r.getField(2)));
        assertThat(rows).allMatch(r -> String.valueOf(r.getField(3)).contains("deserialize"));
        // a value format cannot see the Kafka record's position (docs/semantics.md)
        assertThat(rows).allMatch(r -> r.getField(4) == null);
    }

    @Test
    void kafkaSourceDeadLettersAreFlushedBeforeBarriersNotOncePerDeadLetter() throws Exception {
        // Kafka decodes on the task thread: the chained velo-dlq-flush stage makes the dead letters
        // durable before every checkpoint barrier and at the end of input, not one DLQ round trip
        // per dead letter (which the guard falls back to when it has no such stage)
        String myOption = UUID.randomUUID().toString();
        String sinkId = UUID.randomUUID().toString();
        JobID job =
                insert(
                        "'connector'='velo', 'velo.connector'='kafka',"
                                + " 'source.failure_strategy'='SendToDLQ',"
                                + " 'dlq.connector'='collecting', 'dlq.my-option'='"
                                + myOption
                                + "'",
                        kafka("dirty-one-partition"),
                        "SELECT id, id FROM src",
                        sinkId);
        assertThat(FailingSinkFactory.results(sinkId)).hasSize(ROWS - BAD.size());
        assertThat(CollectingDlqSinkFactory.flushed(myOption)).hasSize(BAD.size());
        // one partition, no checkpoint in a bounded job: the three dead letters in one flush
        assertThat(CollectingDlqSinkFactory.nonEmptyFlushes(myOption)).isEqualTo(1);
        long in = METRICS.sum(job, "source", "numRecordsIn");
        long out = METRICS.sum(job, "source", "numRecordsOut");
        long dead = METRICS.sum(job, "source", "numRecordsDeadLettered");
        assertThat(dead).isEqualTo(BAD.size());
        assertThat(in).isEqualTo(ROWS).isEqualTo(out + dead);
    }

    @Test
    void droppedRecordsOfAFileSourceCountInFlinksNumRecordsInErrors() throws Exception {
        // FLIP-33: a dashboard watching the source reader's numRecordsInErrors sees velo's drops
        String sinkId = UUID.randomUUID().toString();
        JobID job =
                insert(
                        "'connector'='velo', 'velo.connector'='filesystem',"
                                + " 'source.failure_strategy'='LogAndContinue'",
                        "'path'='" + tmp.resolve("dirty-numbers").toUri() + "', 'format'='json'",
                        "SELECT id, id FROM src",
                        sinkId);
        assertThat(FailingSinkFactory.results(sinkId)).hasSize(ROWS - BAD.size());
        assertThat(METRICS.sum(job, "source", "numRecordsDropped")).isEqualTo(BAD.size());
        long standard = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> e :
                REPORTER.getMetricsByGroup().entrySet()) {
            if (job.toString().equals(e.getKey().getAllVariables().get("<job_id>"))
                    && e.getValue().get("numRecordsInErrors") instanceof Counter) {
                standard += ((Counter) e.getValue().get("numRecordsInErrors")).getCount();
            }
        }
        assertThat(standard).isEqualTo(BAD.size());
    }
}
