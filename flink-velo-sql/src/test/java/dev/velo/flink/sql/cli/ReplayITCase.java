package dev.velo.flink.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.dlq.KafkaConnectHeaders;
import dev.velo.flink.sql.testing.FailingSinkFactory;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: a job dead-letters 1 % of 100,000 records to a Kafka DLQ because its sink refuses
 * them; {@code velo replay} writes them into the sink once the condition is partly fixed (the
 * records that still fail are dead-lettered again with {@code attempts} 2), then, once fixed, the
 * rest. The sink holds every record exactly once, the dead letters carry Kafka Connect's DLQ
 * headers, and records in = out + dead-lettered + dropped over the three runs.
 */
class ReplayITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    private static final int RECORDS = 100_000;
    private static final String TOPIC = "orders-dlq";
    private static final String SINK_ID = "replay-orders";

    private static EmbeddedKafka kafka;

    @TempDir Path dir;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
        kafka.createTopic(TOPIC, 2);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
        FailingSinkFactory.reset(SINK_ID);
    }

    @Test
    void replayedDeadLettersReachTheSinkExactlyOnce() throws Exception {
        // the bad sink condition: every 100th order is refused
        String every100th = ids(id -> id % 100 == 0);
        Path job = script("job.sql", every100th, true);
        assertThat(velo("run", job.toString())).as(err()).isZero();

        List<ConsumerRecord<byte[], byte[]>> first = deadLetters(RECORDS / 100);
        assertThat(first).hasSize(RECORDS / 100);
        ConsumerRecord<byte[], byte[]> letter = first.get(0);
        Map<String, String> headers = headers(letter);
        assertThat(headers)
                .containsEntry(
                        KafkaConnectHeaders.EXCEPTION_CLASS,
                        IllegalArgumentException.class.getName())
                .containsEntry(KafkaConnectHeaders.STAGE, "TASK_PUT")
                .containsEntry(KafkaConnectHeaders.CONNECTOR_NAME, "orders_out")
                .containsEntry(KafkaConnectHeaders.VELO_TABLE, "orders_out")
                .containsEntry(KafkaConnectHeaders.VELO_SIDE, "sink")
                .containsEntry(KafkaConnectHeaders.VELO_ATTEMPTS, "1")
                .containsKeys(
                        KafkaConnectHeaders.EXCEPTION_MESSAGE,
                        KafkaConnectHeaders.EXCEPTION_STACKTRACE,
                        KafkaConnectHeaders.VELO_FAILED_AT);
        assertThat(headers.get(KafkaConnectHeaders.EXCEPTION_MESSAGE)).startsWith("poison record ");
        // a sink failure has no Kafka provenance: Connect's topic/partition/offset are left out
        assertThat(headers).doesNotContainKey(KafkaConnectHeaders.TOPIC);
        assertThat(FailingSinkFactory.results(SINK_ID)).hasSize(RECORDS - RECORDS / 100);

        // partly fixed: every 10,000th order is still refused; those fail a second time
        long firstReplayBound = System.currentTimeMillis();
        Path partlyFixed = script("partly-fixed.sql", ids(id -> id % 10_000 == 0), false);
        assertThat(
                        velo(
                                "replay",
                                partlyFixed.toString(),
                                "--table",
                                "orders_out",
                                "--to",
                                String.valueOf(firstReplayBound)))
                .as(err())
                .isZero();
        assertThat(out()).contains("1000 sink dead letters of table 'orders_out'");
        List<ConsumerRecord<byte[], byte[]>> again = deadLetters(RECORDS / 100 + 10);
        assertThat(again).hasSize(RECORDS / 100 + 10);
        List<Map<String, String>> second =
                again.stream()
                        .map(ReplayITCase::headers)
                        .filter(h -> "2".equals(h.get(KafkaConnectHeaders.VELO_ATTEMPTS)))
                        .collect(Collectors.toList());
        assertThat(second).hasSize(10);
        assertThat(FailingSinkFactory.results(SINK_ID)).hasSize(RECORDS - 10);

        // fixed: only the dead letters of the first replay are replayed (--from its bound)
        Path fixed = script("fixed.sql", "", false);
        assertThat(
                        velo(
                                "replay",
                                fixed.toString(),
                                "--table",
                                "orders_out",
                                "--from",
                                String.valueOf(firstReplayBound),
                                "--error-class",
                                IllegalArgumentException.class.getName()))
                .as(err())
                .isZero();
        assertThat(out()).contains("10 sink dead letters of table 'orders_out'").contains("{2=10}");

        List<String> written = FailingSinkFactory.results(SINK_ID);
        assertThat(written).hasSize(RECORDS);
        assertThat(written.stream().distinct().count()).isEqualTo(RECORDS);
        assertThat(written.stream().map(Long::parseLong).collect(Collectors.toSet()))
                .containsAll(
                        LongStream.rangeClosed(1, RECORDS).boxed().collect(Collectors.toList()));

        // nothing lost, over the job and both replays
        long in = counter("numRecordsIn");
        long outCount = counter("numRecordsOut");
        long deadLettered = counter("numRecordsDeadLettered");
        long dropped = counter("numRecordsDropped");
        assertThat(in).isEqualTo(RECORDS + RECORDS / 100 + 10);
        assertThat(outCount).isEqualTo(RECORDS);
        assertThat(deadLettered).isEqualTo(RECORDS / 100 + 10);
        assertThat(dropped).isZero();
        assertThat(in).isEqualTo(outCount + deadLettered + dropped);
    }

    @Test
    void rejectsATableWithoutAReadableDlq() throws Exception {
        Path script = dir.resolve("print.sql");
        Files.writeString(
                script,
                "CREATE TABLE t (id BIGINT) WITH ('connector' = 'velo', 'velo.connector' ="
                        + " 'blackhole', 'sink.failure_strategy' = 'SendToDLQ', 'dlq.connector' ="
                        + " 'print');");
        assertThat(velo("replay", script.toString(), "--table", "t")).isEqualTo(VeloCli.ERRORS);
        assertThat(err())
                .contains("'dlq.connector'")
                .contains("'print'")
                .contains("accepted: kafka, filesystem");
        assertThat(velo("replay", script.toString(), "--table", "t", "--from", "yesterday"))
                .isEqualTo(VeloCli.USAGE);
        assertThat(err()).contains("invalid value 'yesterday' for --from");
    }

    // ------------------------------------------------------------------ helpers

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

    private static String ids(java.util.function.LongPredicate refused) {
        return LongStream.rangeClosed(1, RECORDS)
                .filter(refused)
                .mapToObj(String::valueOf)
                .collect(Collectors.joining(","));
    }

    /** The job's script; the sink refuses {@code failIds}; with {@code insert} the INSERT too. */
    private Path script(String name, String failIds, boolean insert) throws Exception {
        String sql =
                "-- @job_mode: batch\n"
                        + "CREATE TABLE orders (id BIGINT, customer STRING) WITH ("
                        + " 'connector' = 'datagen', 'number-of-rows' = '"
                        + RECORDS
                        + "', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1',"
                        + " 'fields.id.end' = '"
                        + RECORDS
                        + "', 'fields.customer.length' = '8');\n"
                        + "CREATE TABLE orders_out (id BIGINT, customer STRING) WITH ("
                        + " 'connector' = 'velo', 'velo.connector' = 'failing-sink',"
                        + " 'sink-id' = '"
                        + SINK_ID
                        + "', 'fail-ids' = '"
                        + failIds
                        + "', 'batch.strategy' = 'fixed_size', 'batch.size' = '500',"
                        + " 'sink.failure_strategy' = 'SendToDLQ', 'dlq.connector' = 'kafka',"
                        + " 'dlq.topic' = '"
                        + TOPIC
                        + "', 'dlq.properties.bootstrap.servers' = '"
                        + kafka.bootstrapServers()
                        + "');\n"
                        + (insert
                                ? "INSERT INTO orders_out SELECT id, customer FROM orders;\n"
                                : "");
        Path file = dir.resolve(name);
        Files.writeString(file, sql);
        return file;
    }

    /** The DLQ topic's records, waiting (bounded) for {@code expected} of them. */
    private static List<ConsumerRecord<byte[], byte[]>> deadLetters(int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
            // anything beyond the expected count would be a duplicate: read what is there
            consumer.poll(Duration.ofMillis(500)).forEach(out::add);
        }
        return out;
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header h : record.headers()) {
            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return headers;
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
