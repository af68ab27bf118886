package dev.velo.flink.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.e2e.infra.FlinkClasspath;
import dev.velo.flink.e2e.infra.FlinkDistribution;
import dev.velo.flink.e2e.infra.FlinkSqlClientRunner;
import dev.velo.flink.e2e.infra.KafkaBrokerJvm;
import dev.velo.flink.e2e.infra.StandaloneFlinkCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * flink-velo in a Flink installation shaped like a real one, following docs/sql-client.md: a
 * distribution's {@code lib/} ({@link FlinkDistribution}) with the official {@code
 * flink-sql-connector-kafka} JAR, whose Kafka client is relocated, and no unshaded Kafka class in
 * any Flink JVM (the test broker runs in its own JVM). A standalone JobManager and TaskManager run
 * from that {@code lib/}; the real SQL client runs a script against them.
 *
 * <p>The script: a Kafka topic with {@value #GOOD} good and {@value #BAD} malformed JSON records is
 * read by two velo tables with {@code 'source.failure_strategy' = 'SendToDLQ'}, one with a Kafka
 * DLQ and one with a filesystem DLQ, each feeding an exactly-once velo Kafka sink; then the dead
 * letters of both DLQs are read back with {@code SELECT}. Checked: the good records in each output
 * topic ({@code read_committed}) plus the dead letters equal the records produced, with no
 * duplicate, and each dead letter carries its record's bytes and offset.
 *
 * <p>Two cases: both connector JARs in {@code lib/}, and both loaded with {@code ADD JAR} by the
 * script on a cluster whose {@code lib/} has neither.
 */
class DistributionSqlClientITCase {

    private static final int GOOD = 1000;
    private static final int BAD = 20;

    /** One malformed record after every this many good ones. */
    private static final int BAD_EVERY = GOOD / BAD;

    private static final String DEAD_LETTER_COLUMNS =
            String.join(
                    "\n",
                    "    payload         BYTES,",
                    "    error_class     STRING,",
                    "    error_message   STRING,",
                    "    stack_trace     STRING,",
                    "    attempts        INT,",
                    "    failed_at       TIMESTAMP_LTZ(3),",
                    "    table_name      STRING,",
                    "    side            STRING,",
                    "    strategy        STRING,",
                    "    batch_id        BIGINT,",
                    "    kafka_topic     STRING,",
                    "    kafka_partition INT,",
                    "    kafka_offset    BIGINT");

    /** A row of the dead-letter read-back: {@code | dlq | offset | ... | raw_record |}. */
    private static final Pattern READ_BACK_ROW =
            Pattern.compile("^\\|\\s*(kafka-dlq|fs-dlq)\\s*\\|(.*)\\|\\s*$");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    private static KafkaBrokerJvm kafka;

    @BeforeAll
    static void startKafka() {
        kafka = KafkaBrokerJvm.start(work.resolve("kafka"));
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void bothConnectorJarsInLib() {
        Path lib =
                FlinkDistribution.installation(
                        "connectors-in-lib",
                        List.of(
                                FlinkClasspath.veloSqlConnectorJar(),
                                FlinkDistribution.kafkaSqlConnectorJar()));
        runMalformedKafkaToDlqsScenario("lib", lib, List.of());
    }

    @Test
    void bothConnectorJarsLoadedWithAddJar() {
        Path lib = FlinkDistribution.installation("connectors-by-add-jar", List.of());
        runMalformedKafkaToDlqsScenario(
                "addjar",
                lib,
                List.of(
                        "ADD JAR '" + FlinkClasspath.veloSqlConnectorJar() + "';",
                        "ADD JAR '" + FlinkDistribution.kafkaSqlConnectorJar() + "';",
                        "SHOW JARS;"));
    }

    private void runMalformedKafkaToDlqsScenario(String name, Path lib, List<String> preamble) {
        String orders = name + "-orders";
        String cleanFromKafkaDlqTable = name + "-clean-a";
        String cleanFromFsDlqTable = name + "-clean-b";
        String dlqTopic = name + "-dlq";
        Path dlqDir = work.resolve(name + "-fs-dlq");
        for (String topic :
                List.of(orders, cleanFromKafkaDlqTable, cleanFromFsDlqTable, dlqTopic)) {
            kafka.createTopic(topic, 1);
        }
        List<String> records = records();
        kafka.produce(orders, records);

        List<Path> clusterClasspath = FlinkDistribution.jarsIn(lib);
        assertThat(FlinkDistribution.withUnshadedKafka(clusterClasspath))
                .as("unshaded Kafka client in the cluster's lib/")
                .isEmpty();
        List<Path> clientClasspath =
                Stream.concat(clusterClasspath.stream(), FlinkDistribution.sqlClientJars().stream())
                        .collect(Collectors.toList());

        FlinkSqlClientRunner.Result result;
        try (StandaloneFlinkCluster cluster =
                StandaloneFlinkCluster.start(
                        work.resolve(name + "-cluster"),
                        clusterClasspath,
                        Map.of(),
                        Duration.ofSeconds(120))) {
            result =
                    new FlinkSqlClientRunner(work.resolve(name + "-client"))
                            .remote(cluster)
                            .withClasspath(clientClasspath)
                            .withTimeout(Duration.ofSeconds(150))
                            .run(script(name, preamble, orders, dlqTopic, dlqDir))
                            .assertSucceeded();
            if (!preamble.isEmpty()) {
                // SHOW JARS lists what ADD JAR loaded
                assertThat(result.output())
                        .contains(FlinkClasspath.veloSqlConnectorJar().toString())
                        .contains(FlinkDistribution.kafkaSqlConnectorJar().toString());
            }
            assertThat(FlinkDistribution.withUnshadedKafka(cluster.classpath()))
                    .as("unshaded Kafka client on the JobManager's/TaskManager's classpath")
                    .isEmpty();
        }
        assertThat(FlinkDistribution.withUnshadedKafka(result.classpath()))
                .as("unshaded Kafka client on the SQL client's classpath")
                .isEmpty();

        List<Long> goodIds = new ArrayList<>();
        List<Long> badOffsets = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            if (isBad(i)) {
                badOffsets.add((long) i);
            } else {
                goodIds.add((long) i);
            }
        }
        assertThat(goodIds.size() + badOffsets.size()).isEqualTo(records.size());

        // nothing lost, nothing twice: output topic (committed only) + dead letters = produced
        List<String> cleanA = kafka.readAll(cleanFromKafkaDlqTable, true);
        List<String> kafkaDeadLetters = kafka.readAll(dlqTopic, false);
        assertThat(cleanA.size() + kafkaDeadLetters.size())
                .as("good records in %s + dead letters in %s", cleanFromKafkaDlqTable, dlqTopic)
                .isEqualTo(records.size());
        assertThat(ids(cleanA)).containsExactlyInAnyOrderElementsOf(goodIds);
        List<String> cleanB = kafka.readAll(cleanFromFsDlqTable, true);
        assertThat(ids(cleanB)).containsExactlyInAnyOrderElementsOf(goodIds);

        // the dead letters, as SELECT in the SQL client shows them
        List<String[]> rows = readBackRows(result.output());
        for (String dlq : List.of("kafka-dlq", "fs-dlq")) {
            List<String[]> letters =
                    rows.stream().filter(r -> r[0].equals(dlq)).collect(Collectors.toList());
            assertThat(letters)
                    .as("%s rows read back; output:%n%s", dlq, result.output())
                    .hasSize(BAD);
            assertThat(letters)
                    .extracting(r -> Long.parseLong(r[1]))
                    .containsExactlyInAnyOrderElementsOf(badOffsets);
            assertThat(letters)
                    .allSatisfy(
                            r -> {
                                int offset = Integer.parseInt(r[1]);
                                assertThat(r[2]).isEqualTo("0"); // kafka_partition
                                assertThat(r[3]).isEqualTo(orders); // kafka_topic
                                assertThat(r[4])
                                        .isEqualTo(
                                                dlq.equals("kafka-dlq")
                                                        ? "orders_kafka_dlq"
                                                        : "orders_fs_dlq");
                                assertThat(r[5]).isEqualTo("source");
                                assertThat(r[6]).isEqualTo("SendToDLQ");
                                assertThat(r[7]).isNotBlank(); // error_class
                                assertThat(r[8]).isEqualTo("TRUE"); // failed_at is set
                                assertThat(r[9]).isEqualTo(records.get(offset));
                            });
        }
        long fsDeadLetters = rows.stream().filter(r -> r[0].equals("fs-dlq")).count();
        assertThat(cleanB.size() + fsDeadLetters)
                .as("good records in %s + dead letters under %s", cleanFromFsDlqTable, dlqDir)
                .isEqualTo(records.size());
    }

    private static String script(
            String name, List<String> preamble, String orders, String dlqTopic, Path dlqDir) {
        String bootstrap = kafka.bootstrapServers();
        List<String> lines = new ArrayList<>(preamble);
        lines.addAll(
                List.of(
                        "SET 'table.dml-sync' = 'true';",
                        "SET 'execution.checkpointing.interval' = '1s';",
                        "",
                        "CREATE TABLE orders_kafka_dlq (id BIGINT, item STRING) WITH (",
                        "    'connector' = 'velo',",
                        "    'velo.connector' = 'kafka',",
                        "    'topic' = '" + orders + "',",
                        "    'properties.bootstrap.servers' = '" + bootstrap + "',",
                        "    'properties.group.id' = 'velo-e2e-a',",
                        "    'scan.startup.mode' = 'earliest-offset',",
                        "    'scan.bounded.mode' = 'latest-offset',",
                        "    'format' = 'json',",
                        "    'source.failure_strategy' = 'SendToDLQ',",
                        "    'dlq.connector' = 'kafka',",
                        "    'dlq.topic' = '" + dlqTopic + "',",
                        "    'dlq.properties.bootstrap.servers' = '" + bootstrap + "'",
                        ");",
                        "CREATE TABLE orders_fs_dlq (id BIGINT, item STRING) WITH (",
                        "    'connector' = 'velo',",
                        "    'velo.connector' = 'kafka',",
                        "    'topic' = '" + orders + "',",
                        "    'properties.bootstrap.servers' = '" + bootstrap + "',",
                        "    'properties.group.id' = 'velo-e2e-b',",
                        "    'scan.startup.mode' = 'earliest-offset',",
                        "    'scan.bounded.mode' = 'latest-offset',",
                        "    'format' = 'json',",
                        "    'source.failure_strategy' = 'SendToDLQ',",
                        "    'dlq.connector' = 'filesystem',",
                        "    'dlq.path' = '" + dlqDir.toUri() + "'",
                        ");",
                        exactlyOnceSink("clean_a", name + "-clean-a", name + "-a", bootstrap),
                        exactlyOnceSink("clean_b", name + "-clean-b", name + "-b", bootstrap),
                        "BEGIN STATEMENT SET;",
                        "INSERT INTO clean_a SELECT id, item FROM orders_kafka_dlq;",
                        "INSERT INTO clean_b SELECT id, item FROM orders_fs_dlq;",
                        "END;",
                        "",
                        "CREATE TABLE kafka_dead_letters (",
                        DEAD_LETTER_COLUMNS,
                        ") WITH (",
                        "    'connector' = 'kafka',",
                        "    'topic' = '" + dlqTopic + "',",
                        "    'properties.bootstrap.servers' = '" + bootstrap + "',",
                        "    'properties.group.id' = 'dlq-reader',",
                        "    'scan.startup.mode' = 'earliest-offset',",
                        "    'scan.bounded.mode' = 'latest-offset',",
                        "    'format' = 'json'",
                        ");",
                        "CREATE TABLE fs_dead_letters (",
                        DEAD_LETTER_COLUMNS,
                        ") WITH (",
                        "    'connector' = 'filesystem',",
                        "    'path' = '" + dlqDir.toUri() + "',",
                        "    'format' = 'json'",
                        ");",
                        "SET 'execution.runtime-mode' = 'batch';",
                        "SET 'sql-client.execution.result-mode' = 'tableau';",
                        "SET 'table.display.max-column-width' = '300';",
                        readBackQuery("kafka-dlq", "kafka_dead_letters"),
                        "UNION ALL",
                        readBackQuery("fs-dlq", "fs_dead_letters") + ";"));
        return String.join("\n", lines) + "\n";
    }

    private static String exactlyOnceSink(
            String table, String topic, String transactionalIdPrefix, String bootstrap) {
        return String.join(
                "\n",
                "CREATE TABLE " + table + " (id BIGINT, item STRING) WITH (",
                "    'connector' = 'velo',",
                "    'velo.connector' = 'kafka',",
                "    'topic' = '" + topic + "',",
                "    'properties.bootstrap.servers' = '" + bootstrap + "',",
                "    'format' = 'json',",
                "    'sink.delivery-guarantee' = 'exactly-once',",
                "    'sink.transactional-id-prefix' = 'velo-e2e-" + transactionalIdPrefix + "'",
                ");");
    }

    private static String readBackQuery(String tag, String table) {
        return "SELECT '"
                + tag
                + "' AS dlq, kafka_offset, kafka_partition, kafka_topic, table_name, side,"
                + " strategy, error_class, failed_at IS NOT NULL AS has_failed_at,"
                + " CAST(payload AS STRING) AS raw_record FROM "
                + table;
    }

    /** Record {@code i} of the input topic (its offset): good JSON, or malformed every so often. */
    private static List<String> records() {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < GOOD + BAD; i++) {
            if (!isBad(i)) {
                records.add("{\"id\": " + i + ", \"item\": \"item-" + i + "\"}");
            } else if (i % 2 == 0) {
                records.add("{\"id\": " + i + ", \"item\": truncated-" + i);
            } else {
                records.add("not json at all " + i);
            }
        }
        return records;
    }

    private static boolean isBad(int offset) {
        return offset % (BAD_EVERY + 1) == BAD_EVERY;
    }

    private static List<Long> ids(List<String> jsonValues) {
        Pattern id = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
        List<Long> ids = new ArrayList<>();
        for (String v : jsonValues) {
            Matcher m = id.matcher(v);
            assertThat(m.find()).as("an id in %s", v).isTrue();
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }

    /** The read-back rows of the tableau output, cells trimmed (no payload holds a '|'). */
    private static List<String[]> readBackRows(String output) {
        List<String[]> rows = new ArrayList<>();
        for (String line : output.lines().collect(Collectors.toList())) {
            Matcher m = READ_BACK_ROW.matcher(line);
            if (m.matches()) {
                String[] cells =
                        Stream.concat(
                                        Stream.of(m.group(1)),
                                        Arrays.stream(m.group(2).split("\\|")).map(String::trim))
                                .toArray(String[]::new);
                rows.add(cells);
            }
        }
        assertThat(rows).as("cells per read-back row").allSatisfy(r -> assertThat(r).hasSize(10));
        return rows;
    }
}
