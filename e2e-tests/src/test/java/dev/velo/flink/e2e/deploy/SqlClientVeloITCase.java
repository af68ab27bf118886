package dev.velo.flink.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.e2e.infra.FlinkClasspath;
import dev.velo.flink.e2e.infra.FlinkSqlClientRunner;
import dev.velo.flink.e2e.infra.StandaloneFlinkCluster;
import dev.velo.flink.sql.cli.EmbeddedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Flink SQL client running scripts that load flink-velo with {@code ADD JAR} (the shaded
 * connector JAR, nothing of flink-velo on the client's classpath) and use {@code 'connector' =
 * 'velo'}: on the client's embedded MiniCluster with a Kafka broker started in this JVM, and
 * against a standalone cluster (shared, see {@link SharedCluster}), which receives the JAR with the
 * job.
 */
class SqlClientVeloITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 500;
    private static final int ORDERS = 200;

    /** Positions (1-based) of the malformed JSON records in the orders topic. */
    private static final Set<Integer> MALFORMED = Set.of(1, 77, 200);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    @RegisterExtension static final SharedCluster CLUSTER = new SharedCluster();

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void localClientWritesThroughVeloAndSendsMalformedKafkaRecordsToTheDlqTopic()
            throws IOException {
        Path files = work.resolve("local-files");
        kafka.createTopic("orders", 1);
        List<String> orders = orders();
        kafka.produceStrings("orders", orders);

        String bootstrap = kafka.bootstrapServers();
        FlinkSqlClientRunner.Result result =
                new FlinkSqlClientRunner(work.resolve("local-client"))
                        .run(
                                script(
                                        "ADD JAR '" + FlinkClasspath.veloSqlConnectorJar() + "';",
                                        "SHOW JARS;",
                                        "SET 'table.dml-sync' = 'true';",
                                        "SET 'execution.runtime-mode' = 'batch';",
                                        numbersTable(),
                                        veloFilesTable(files),
                                        "INSERT INTO velo_files SELECT id, name FROM numbers;",
                                        "CREATE TABLE orders (id BIGINT, item STRING) WITH (",
                                        "  'connector' = 'velo', 'velo.connector' = 'kafka',",
                                        "  'topic' = 'orders',",
                                        "  'properties.bootstrap.servers' = '" + bootstrap + "',",
                                        "  'properties.group.id' = 'velo-sql-client',",
                                        "  'scan.startup.mode' = 'earliest-offset',",
                                        "  'scan.bounded.mode' = 'latest-offset',",
                                        "  'format' = 'json',",
                                        "  'source.failure_strategy' = 'SendToDLQ',",
                                        "  'dlq.connector' = 'kafka', 'dlq.topic' = 'orders-dlq',",
                                        "  'dlq.properties.bootstrap.servers' = '"
                                                + bootstrap
                                                + "');",
                                        "CREATE TABLE orders_clean (id BIGINT, item STRING) WITH (",
                                        "  'connector' = 'velo', 'velo.connector' = 'kafka',",
                                        "  'topic' = 'orders-clean',",
                                        "  'properties.bootstrap.servers' = '" + bootstrap + "',",
                                        "  'format' = 'json',",
                                        "  'batch.strategy' = 'memory_based',",
                                        "  'batch.memory_size' = '65536',",
                                        "  'batch.timeout' = '200ms');",
                                        "INSERT INTO orders_clean SELECT id, item FROM orders;",
                                        // last, so nothing is skipped after it: a typo a user makes
                                        "CREATE TABLE typo (id BIGINT, name STRING) WITH (",
                                        "  'connector' = 'velo', 'velo.connector' = 'blackhole',",
                                        "  'batch.strategy' = 'turbo');",
                                        "INSERT INTO typo SELECT id, name FROM numbers;"));
        assertThat(result.exitCode()).isZero();
        assertThat(result.errorLines())
                .as("only the typo fails; output:%n%s", result.output())
                .hasSize(1);
        assertThat(result.output().substring(result.output().indexOf("[ERROR]")))
                .contains("ValidationException")
                .contains("batch.strategy")
                .contains("turbo")
                .contains("fixed_size");
        assertThat(result.output()).contains(FlinkClasspath.veloSqlConnectorJar().toString());

        assertThat(ids(files)).containsExactlyInAnyOrderElementsOf(range(1, ROWS));

        List<Long> goodIds =
                IntStream.rangeClosed(1, ORDERS)
                        .filter(i -> !MALFORMED.contains(i))
                        .mapToObj(i -> (long) i)
                        .collect(Collectors.toList());
        // one more than expected: a duplicate would show up within the wait
        List<Long> clean = new ArrayList<>();
        for (String value :
                kafka.consumeStrings("orders-clean", goodIds.size() + 1, Duration.ofSeconds(3))) {
            JsonNode row = JSON.readTree(value);
            clean.add(row.get("id").asLong());
            assertThat(row.get("item").asText()).isEqualTo("item-" + row.get("id").asLong());
        }
        assertThat(clean).containsExactlyInAnyOrderElementsOf(goodIds);

        List<JsonNode> dlq = new ArrayList<>();
        for (String value :
                kafka.consumeStrings("orders-dlq", MALFORMED.size() + 1, Duration.ofSeconds(3))) {
            dlq.add(JSON.readTree(value));
        }
        assertThat(dlq)
                .extracting(
                        n ->
                                new String(
                                        Base64.getDecoder().decode(n.get("payload").asText()),
                                        StandardCharsets.UTF_8))
                .containsExactlyInAnyOrderElementsOf(
                        MALFORMED.stream()
                                .map(i -> orders.get(i - 1))
                                .collect(Collectors.toList()));
        assertThat(dlq)
                .allSatisfy(
                        n -> {
                            assertThat(n.get("side").asText()).isEqualTo("source");
                            assertThat(n.get("strategy").asText()).isEqualTo("SendToDLQ");
                            assertThat(n.get("table_name").asText()).isEqualTo("orders");
                            // decoding is guarded at the format, which cannot see the Kafka
                            // position (docs/semantics.md)
                            assertThat(n.path("kafka_topic").isTextual()).isFalse();
                            assertThat(n.path("kafka_offset").isNumber()).isFalse();
                            assertThat(n.get("error_class").asText()).isNotBlank();
                        });
    }

    @Test
    void remoteClientShipsTheJarToAStandaloneClusterAndWritesThroughVelo() throws Exception {
        Path files = work.resolve("remote-files");
        StandaloneFlinkCluster session = CLUSTER.get();

        new FlinkSqlClientRunner(work.resolve("remote-client"))
                .remote(session)
                .run(
                        script(
                                "ADD JAR '" + FlinkClasspath.veloSqlConnectorJar() + "';",
                                "SET 'table.dml-sync' = 'true';",
                                "SET 'execution.runtime-mode' = 'batch';",
                                numbersTable(),
                                veloFilesTable(files),
                                "INSERT INTO velo_files SELECT id, name FROM numbers;"))
                .assertSucceeded();

        assertThat(ids(files)).containsExactlyInAnyOrderElementsOf(range(1, ROWS));
    }

    private static String numbersTable() {
        return script(
                "CREATE TABLE numbers (id BIGINT, name STRING) WITH (",
                "  'connector' = 'datagen', 'number-of-rows' = '" + ROWS + "',",
                "  'fields.id.kind' = 'sequence', 'fields.id.start' = '1',",
                "  'fields.id.end' = '" + ROWS + "', 'fields.name.length' = '6');");
    }

    private static String veloFilesTable(Path dir) {
        return script(
                "CREATE TABLE velo_files (id BIGINT, name STRING) WITH (",
                "  'connector' = 'velo', 'velo.connector' = 'filesystem',",
                "  'path' = '" + dir.toUri() + "', 'format' = 'csv',",
                "  'batch.strategy' = 'fixed_size', 'batch.size' = '50',",
                "  'batch.timeout' = '200ms');");
    }

    private static List<String> orders() {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= ORDERS; i++) {
            values.add(
                    MALFORMED.contains(i)
                            ? "{\"id\": " + i + ", \"item\": item-" + i
                            : "{\"id\": " + i + ", \"item\": \"item-" + i + "\"}");
        }
        return values;
    }

    private static String script(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().collect(Collectors.toList());
    }

    /** The first CSV column of every line of every visible file under {@code dir}. */
    private static List<Long> ids(Path dir) throws IOException {
        List<Long> ids = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return ids;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f :
                    files.filter(Files::isRegularFile)
                            .filter(p -> !p.getFileName().toString().startsWith("."))
                            .collect(Collectors.toList())) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        ids.add(Long.parseLong(line.split(",")[0]));
                    }
                }
            }
        }
        return ids;
    }
}
