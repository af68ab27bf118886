package dev.velo.flink.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.cli.EmbeddedKafka;
import dev.velo.flink.sql.cli.VeloCli;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead-letter replay into an exactly-once Kafka sink, end to end: a velo Kafka sink with {@code
 * sink.delivery-guarantee = 'exactly-once'} and {@code SendToDLQ} whose {@code sink.partitioner}
 * refuses 1 % of 100,000 records (a bad condition, thrown inside the Kafka writer's serialization,
 * before the send) dead-letters exactly those records and commits the rest with its checkpoints (a
 * streaming job over a bounded input); the condition is fixed and {@code velo replay} (the CLI,
 * in-process) writes the dead letters into the same sink. A read_committed consumer then sees every
 * id exactly once, the DLQ holds the 1,000 dead letters, and records in = out + dead-lettered +
 * dropped over both runs.
 */
class ExactlyOnceReplayITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    private static final int RECORDS = 100_000;
    private static final int REFUSED = RECORDS / 100;
    private static final String OUT = "eos-replay-out";
    private static final String DLQ = "eos-replay-dlq";
    private static final Pattern ID = Pattern.compile("\"id\":\\s*(\\d+)");
    private static final Pattern PAYLOAD = Pattern.compile("\"payload\":\"([A-Za-z0-9+/=]*)\"");

    private static EmbeddedKafka kafka;

    @TempDir Path dir;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(Duration.ofSeconds(90));
        kafka.createTopic(OUT, 2);
        kafka.createTopic(DLQ, 1);
    }

    @AfterAll
    static void stopKafka() {
        SwitchablePartitioner.REFUSING.set(false);
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void deadLettersOfAnExactlyOnceSinkAreReplayedIntoItExactlyOnce() throws Exception {
        long start = System.nanoTime();
        Path script = script();

        SwitchablePartitioner.REFUSING.set(true);
        int run = velo("run", script.toString());
        SwitchablePartitioner.REFUSING.set(false);
        assertThat(run).as(err()).isZero();
        List<String> deadLetters = TopicReader.readStrings(kafka.bootstrapServers(), DLQ, false);
        assertThat(deadLetters).hasSize(REFUSED);
        // exactly the refused records, each once, blamed on the partitioner's error
        Set<Long> deadLetteredIds = new HashSet<>();
        for (String letter : deadLetters) {
            assertThat(letter)
                    .contains("\"error_class\":\"" + IllegalArgumentException.class.getName())
                    .contains("\"attempts\":1");
            Matcher payload = PAYLOAD.matcher(letter);
            assertThat(payload.find()).as(letter).isTrue();
            String row =
                    new String(
                            Base64.getDecoder().decode(payload.group(1)), StandardCharsets.UTF_8);
            Matcher id = ID.matcher(row);
            assertThat(id.find()).as(row).isTrue();
            deadLetteredIds.add(Long.parseLong(id.group(1)));
        }
        assertThat(deadLetteredIds)
                .hasSize(REFUSED)
                .allMatch(id -> id % 100 == 0 && id >= 100 && id <= RECORDS);
        Map<Long, Integer> firstRun = ids(OUT);
        assertThat(firstRun).hasSize(RECORDS - REFUSED);
        assertThat(firstRun.keySet()).noneMatch(id -> id % 100 == 0);
        assertThat(firstRun.values()).allMatch(c -> c == 1);
        long checkpoints = completedCheckpoints();
        long afterRun = System.nanoTime();

        int replay = velo("replay", script.toString(), "--table", "orders_out");
        assertThat(replay).as(err()).isZero();
        assertThat(out()).contains(REFUSED + " sink dead letters of table 'orders_out'");

        Map<Long, Integer> all = ids(OUT);
        long duplicates = all.values().stream().filter(c -> c > 1).count();
        long missing = 0;
        for (long id = 1; id <= RECORDS; id++) {
            if (!all.containsKey(id)) {
                missing++;
            }
        }
        // the replay wrote every dead letter: nothing failed again
        List<String> dlqAfter = TopicReader.readStrings(kafka.bootstrapServers(), DLQ, false);

        long in = counter("numRecordsIn");
        long written = counter("numRecordsOut");
        long deadLettered = counter("numRecordsDeadLettered");
        long dropped = counter("numRecordsDropped");
        Figures.print(
                "eos-replay",
                String.format(
                        "records=%d checkpoints=%d refused=%d dlq=%d committed_after_run=%d committed_after_replay=%d"
                                + " distinct=%d missing=%d duplicates=%d in=%d out=%d"
                                + " dead_lettered=%d dropped=%d run_ms=%d replay_ms=%d",
                        RECORDS,
                        checkpoints,
                        REFUSED,
                        dlqAfter.size(),
                        firstRun.size(),
                        all.values().stream().mapToInt(Integer::intValue).sum(),
                        all.size(),
                        missing,
                        duplicates,
                        in,
                        written,
                        deadLettered,
                        dropped,
                        (afterRun - start) / 1_000_000,
                        (System.nanoTime() - afterRun) / 1_000_000));

        assertThat(checkpoints).as("checkpoints completed by the job").isPositive();
        assertThat(missing).as("ids missing from the sink").isZero();
        assertThat(duplicates).as("ids twice in the sink").isZero();
        assertThat(all).hasSize(RECORDS);
        assertThat(dlqAfter).hasSize(REFUSED);
        assertThat(in).isEqualTo(RECORDS + REFUSED);
        assertThat(written).isEqualTo(RECORDS);
        assertThat(deadLettered).isEqualTo(REFUSED);
        assertThat(dropped).isZero();
        assertThat(in).isEqualTo(written + deadLettered + dropped);
    }

    /**
     * The job's script: 100,000 orders into the exactly-once velo Kafka sink, a streaming job that
     * commits with its checkpoints.
     */
    private Path script() throws Exception {
        String sql =
                "-- @job_mode: streaming\n"
                        // the job commits its transactions with checkpoints (and a final one at
                        // the end of input); the replay runs as one batch job whatever the mode
                        + "SET 'execution.checkpointing.interval' = '500ms';\n"
                        // a task failure (a sink that cannot dead-letter) fails the run at once
                        + "SET 'restart-strategy.type' = 'none';\n"
                        + "CREATE TABLE orders (id BIGINT, customer STRING) WITH ("
                        + " 'connector' = 'datagen', 'number-of-rows' = '"
                        + RECORDS
                        + "', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1',"
                        + " 'fields.id.end' = '"
                        + RECORDS
                        + "', 'fields.customer.length' = '8');\n"
                        + "CREATE TABLE orders_out (id BIGINT, customer STRING) WITH ("
                        + " 'connector' = 'velo', 'velo.connector' = 'kafka', 'topic' = '"
                        + OUT
                        + "', 'properties.bootstrap.servers' = '"
                        + kafka.bootstrapServers()
                        + "', 'format' = 'json',"
                        + " 'sink.delivery-guarantee' = 'exactly-once',"
                        + " 'sink.transactional-id-prefix' = 'eos-replay-"
                        + UUID.randomUUID()
                        + "', 'sink.partitioner' = '"
                        + SwitchablePartitioner.class.getName()
                        + "', 'batch.strategy' = 'fixed_size', 'batch.size' = '500',"
                        + " 'sink.failure_strategy' = 'SendToDLQ', 'dlq.connector' = 'kafka',"
                        + " 'dlq.topic' = '"
                        + DLQ
                        + "', 'dlq.properties.bootstrap.servers' = '"
                        + kafka.bootstrapServers()
                        + "');\n"
                        + "INSERT INTO orders_out SELECT id, customer FROM orders;\n";
        Path file = dir.resolve("orders.sql");
        Files.writeString(file, sql);
        return file;
    }

    /** How often each id is in the committed part of {@code topic}. */
    private static Map<Long, Integer> ids(String topic) {
        Map<Long, Integer> counts = new HashMap<>();
        for (String json : TopicReader.readStrings(kafka.bootstrapServers(), topic, true)) {
            Matcher m = ID.matcher(json);
            assertThat(m.find()).as(json).isTrue();
            counts.merge(Long.parseLong(m.group(1)), 1, Integer::sum);
        }
        return counts;
    }

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int velo(String... args) {
        outBytes.reset();
        errBytes.reset();
        return new VeloCli(Map.of())
                .run(
                        args,
                        new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                        new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    /** The checkpoints the streaming job completed (the replay is a batch job: none). */
    private static long completedCheckpoints() {
        long max = 0;
        for (Map<String, Metric> metrics : REPORTER.getMetricsByGroup().values()) {
            Metric m = metrics.get("numberOfCompletedCheckpoints");
            if (m instanceof Gauge<?> g && g.getValue() instanceof Number n) {
                max = Math.max(max, n.longValue());
            }
        }
        return max;
    }

    /** Sum of a velo counter over every velo operator of every job of this class. */
    private static long counter(String name) {
        long total = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> e :
                REPORTER.getMetricsByGroup().entrySet()) {
            String[] scope = e.getKey().getScopeComponents();
            if (scope.length == 0 || !"velo".equals(scope[scope.length - 1])) {
                continue;
            }
            Metric metric = e.getValue().get(name);
            if (metric instanceof Counter) {
                total += ((Counter) metric).getCount();
            }
        }
        return total;
    }
}
