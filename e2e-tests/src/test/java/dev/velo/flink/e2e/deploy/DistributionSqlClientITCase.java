package dev.velo.flink.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.e2e.infra.FlinkClasspath;
import dev.velo.flink.e2e.infra.FlinkDistribution;
import dev.velo.flink.e2e.infra.FlinkSqlClientRunner;
import dev.velo.flink.e2e.infra.KafkaBrokerJvm;
import dev.velo.flink.e2e.infra.StandaloneFlinkCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>The script is the one of docs/sql-client.md ("A complete job"), read from the page, so the
 * documented steps are the tested ones: a Kafka topic with {@value #GOOD} good and {@value #BAD}
 * malformed JSON records is read by two velo tables with {@code 'source.failure_strategy' =
 * 'SendToDLQ'}, one with a Kafka DLQ and one with a filesystem DLQ, each feeding an exactly-once
 * velo Kafka sink; then the dead letters of both DLQs are read back with {@code SELECT}. Checked:
 * the good records in each output topic ({@code read_committed}) plus the dead letters equal the
 * records produced, with no duplicate, and each dead letter carries its record's bytes.
 *
 * <p>Two cases: both connector JARs in {@code lib/}, and both loaded with {@code ADD JAR} by the
 * script on a cluster whose {@code lib/} has neither.
 */
class DistributionSqlClientITCase {

    private static final int GOOD = 1000;
    private static final int BAD = 20;

    /** One malformed record after every this many good ones. */
    private static final int BAD_EVERY = GOOD / BAD;

    /** The marker in docs/sql-client.md right before the script this test runs. */
    private static final String SCRIPT_MARKER = "DistributionSqlClientITCase (e2e-tests) runs this";

    /** A row of the dead-letter read-back: {@code | dlq | table_name | ... | raw_record |}. */
    private static final Pattern READ_BACK_ROW =
            Pattern.compile("^\\|\\s*(kafka|filesystem)\\s*\\|(.*)\\|\\s*$");

    private static final Pattern TIMESTAMP =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d+)?");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    private static KafkaBrokerJvm kafka;

    /** The standalone cluster of each case, by case name, started side by side in beforeAll. */
    private static final Map<String, CompletableFuture<StandaloneFlinkCluster>> CLUSTERS =
            new ConcurrentHashMap<>();

    private static final String JARS_IN_LIB = "lib";
    private static final String ADD_JAR = "addjar";

    /**
     * Starts the broker and the two clusters side by side (start-up dominates this test): one from
     * a {@code lib/} with both connector JARs dropped in, one from the distribution's {@code lib/}
     * as shipped.
     */
    @BeforeAll
    static void startKafkaAndClusters() {
        CompletableFuture<KafkaBrokerJvm> broker =
                CompletableFuture.supplyAsync(() -> KafkaBrokerJvm.start(work.resolve("kafka")));
        startCluster(
                JARS_IN_LIB,
                FlinkDistribution.installation(
                        "connectors-in-lib",
                        List.of(
                                FlinkClasspath.veloSqlConnectorJar(),
                                FlinkDistribution.kafkaSqlConnectorJar())));
        startCluster(ADD_JAR, FlinkDistribution.installation("connectors-by-add-jar", List.of()));
        kafka = broker.join();
    }

    @AfterAll
    static void stopClustersAndKafka() {
        for (CompletableFuture<StandaloneFlinkCluster> cluster : CLUSTERS.values()) {
            try {
                cluster.join().close();
            } catch (CompletionException failedToStart) {
                // start() stopped its JVMs already; the test using it reports the failure
            }
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void bothConnectorJarsInLib() {
        runDocumentedDlqJob(JARS_IN_LIB, List.of());
    }

    @Test
    void bothConnectorJarsLoadedWithAddJar() {
        runDocumentedDlqJob(
                ADD_JAR,
                List.of(
                        "ADD JAR '" + FlinkClasspath.veloSqlConnectorJar() + "';",
                        "ADD JAR '" + FlinkDistribution.kafkaSqlConnectorJar() + "';",
                        "SHOW JARS;"));
    }

    private static void startCluster(String name, Path lib) {
        CLUSTERS.put(
                name,
                CompletableFuture.supplyAsync(
                        () ->
                                StandaloneFlinkCluster.start(
                                        work.resolve(name + "-cluster"),
                                        FlinkDistribution.jarsIn(lib),
                                        Map.of(),
                                        Duration.ofSeconds(150))));
    }

    /**
     * Runs the job of docs/sql-client.md on topics and a DLQ directory of its own ({@code
     * <name>-orders-raw}, ...), with {@code preamble} in front of the script.
     */
    private void runDocumentedDlqJob(String name, List<String> preamble) {
        StandaloneFlinkCluster cluster = CLUSTERS.get(name).join();
        assertThat(FlinkDistribution.withUnshadedKafka(cluster.classpath()))
                .as("unshaded Kafka client on the JobManager's/TaskManager's classpath (lib/)")
                .isEmpty();
        String input = name + "-orders-raw";
        String clean = name + "-orders-clean";
        String cleanFs = name + "-orders-clean-fs";
        String dlqTopic = name + "-orders-dlq";
        Path tmpVelo = work.resolve(name + "-tmp-velo");
        Path dlqDir = tmpVelo.resolve("orders-dlq");
        for (String topic : List.of(input, clean, cleanFs, dlqTopic)) {
            kafka.createTopic(topic, 1);
        }
        List<String> records = records();
        kafka.produce(input, records);

        // bin/sql-client.sh: the installation's lib/ plus the SQL client and gateway from opt/
        List<Path> clientClasspath =
                Stream.concat(
                                cluster.classpath().stream(),
                                FlinkDistribution.sqlClientJars().stream())
                        .collect(Collectors.toList());
        String script =
                String.join("\n", preamble)
                        + "\n"
                        + documentedScript()
                                .replace("localhost:9092", kafka.bootstrapServers())
                                .replace("file:///tmp/velo/", tmpVelo.toUri().toString())
                                .replace("'orders-", "'" + name + "-orders-");
        FlinkSqlClientRunner.Result result =
                new FlinkSqlClientRunner(work.resolve(name + "-client"))
                        .remote(cluster)
                        .withClasspath(clientClasspath)
                        .withTimeout(Duration.ofSeconds(150))
                        .run(script)
                        .assertSucceeded();
        assertThat(FlinkDistribution.withUnshadedKafka(result.classpath()))
                .as("unshaded Kafka client on the SQL client's classpath")
                .isEmpty();
        if (!preamble.isEmpty()) {
            // SHOW JARS lists what ADD JAR loaded
            assertThat(result.output())
                    .contains(FlinkClasspath.veloSqlConnectorJar().toString())
                    .contains(FlinkDistribution.kafkaSqlConnectorJar().toString());
        }

        List<Long> goodIds = new ArrayList<>();
        List<Long> badOffsets = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            (isBad(i) ? badOffsets : goodIds).add((long) i);
        }

        // the dead letters, as the script's SELECT shows them in the SQL client
        List<String[]> rows = readBackRows(result.output());
        Map<String, String> tables =
                Map.of("kafka", "orders_checked", "filesystem", "orders_checked_fs");
        for (String dlq : tables.keySet()) {
            List<String[]> letters =
                    rows.stream().filter(r -> r[0].equals(dlq)).collect(Collectors.toList());
            // a dead letter made by the value format carries the record's bytes, not its Kafka
            // position (docs/semantics.md): the bytes identify the record
            assertThat(letters)
                    .as("%s dead letters read back; output:%n%s", dlq, result.output())
                    .extracting(r -> r[6])
                    .containsExactlyInAnyOrderElementsOf(
                            badOffsets.stream()
                                    .map(o -> records.get(o.intValue()))
                                    .collect(Collectors.toList()));
            assertThat(letters)
                    .allSatisfy(
                            r -> {
                                assertThat(r[1]).as("table_name").isEqualTo(tables.get(dlq));
                                assertThat(r[2]).as("side").isEqualTo("source");
                                assertThat(r[3]).as("strategy").isEqualTo("SendToDLQ");
                                assertThat(r[4]).as("error_class").isNotBlank();
                                assertThat(r[5]).as("failed_at").matches(TIMESTAMP);
                            });
        }

        // nothing lost, nothing twice: output topic (committed only) + dead letters = produced
        List<String> cleanRecords = kafka.readAll(clean, true);
        List<String> kafkaDeadLetters = kafka.readAll(dlqTopic, true);
        assertThat(cleanRecords.size() + kafkaDeadLetters.size())
                .as("good records in %s + dead letters in %s", clean, dlqTopic)
                .isEqualTo(records.size());
        assertThat(ids(cleanRecords)).containsExactlyInAnyOrderElementsOf(goodIds);

        List<String> cleanFsRecords = kafka.readAll(cleanFs, true);
        long fsDeadLetters = rows.stream().filter(r -> r[0].equals("filesystem")).count();
        assertThat(cleanFsRecords.size() + fsDeadLetters)
                .as("good records in %s + dead letters under %s", cleanFs, dlqDir)
                .isEqualTo(records.size());
        assertThat(ids(cleanFsRecords)).containsExactlyInAnyOrderElementsOf(goodIds);
    }

    /** The {@code sql} block of docs/sql-client.md after the marker naming this test. */
    private static String documentedScript() {
        Path page = Paths.get(System.getProperty("velo.docs.dir", "../docs"), "sql-client.md");
        String doc;
        try {
            doc = Files.readString(page, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + page, e);
        }
        int marker = doc.indexOf(SCRIPT_MARKER);
        assertThat(marker).as("the marker '%s' in %s", SCRIPT_MARKER, page).isNotNegative();
        int open = doc.indexOf("```sql\n", marker);
        int close = doc.indexOf("\n```", open + 1);
        assertThat(open).as("a sql block after the marker in %s", page).isPositive();
        return doc.substring(open + "```sql\n".length(), close + 1);
    }

    /**
     * Record {@code i} of the input topic (its offset): a JSON order, or every so often a malformed
     * one (no '|', which separates the cells of the read-back).
     */
    private static List<String> records() {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < GOOD + BAD; i++) {
            if (!isBad(i)) {
                records.add(
                        "{\"order_id\": "
                                + i
                                + ", \"customer\": \"c"
                                + i
                                + "\", \"amount\": "
                                + i
                                + ".5}");
            } else if (i % 2 == 0) {
                records.add("{\"order_id\": " + i + ", \"customer\": truncated-" + i);
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
        Pattern id = Pattern.compile("\"order_id\"\\s*:\\s*(\\d+)");
        List<Long> ids = new ArrayList<>();
        for (String v : jsonValues) {
            Matcher m = id.matcher(v);
            assertThat(m.find()).as("an order_id in %s", v).isTrue();
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }

    /** The read-back rows of the tableau output, cells trimmed. */
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
        assertThat(rows).as("cells per read-back row").allSatisfy(r -> assertThat(r).hasSize(7));
        return rows;
    }
}
