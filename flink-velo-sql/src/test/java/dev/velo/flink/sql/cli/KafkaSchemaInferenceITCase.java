package dev.velo.flink.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Velostream script whose JSON Kafka source has no schema runs with {@code velo run}: the CLI
 * samples the topic, infers the columns, prints them so they can be pinned, and the job reads every
 * record; a topic whose records disagree on a field's type is rejected naming the field.
 */
class KafkaSchemaInferenceITCase {

    private static EmbeddedKafka kafka;

    @TempDir Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
        kafka.createTopic("infer_orders", 1);
        kafka.produceStrings(
                "infer_orders",
                List.of(
                        "{\"id\": 1, \"customer\": \"ann\", \"amount\": 50, \"paid\": true}",
                        "{\"id\": 2, \"customer\": \"bob\", \"amount\": 500.5, \"paid\": false}",
                        "{\"id\": 3, \"customer\": null, \"amount\": 900, \"paid\": true}",
                        "{\"id\": 4, \"customer\": \"cy\", \"amount\": 120.25}"));
        kafka.createTopic("infer_mixed", 1);
        kafka.produceStrings(
                "infer_mixed",
                List.of("{\"id\": 1, \"amount\": 50}", "{\"id\": 2, \"amount\": \"lots\"}"));
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private int velo(String... args) {
        return new VeloCli(Map.of("BROKERS", kafka.bootstrapServers()))
                .run(
                        args,
                        new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                        new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String script(String topic, Path output) {
        return "-- @job_mode: batch\n"
                + "CREATE STREAM big_orders AS\n"
                + "SELECT id, customer, amount FROM orders WHERE amount > 100\n"
                + "WITH (\n"
                + "  'orders.type' = 'kafka_source',\n"
                + "  'orders.topic.name' = '"
                + topic
                + "',\n"
                + "  'orders.bootstrap.servers' = '${BROKERS}',\n"
                + "  'orders.scan.bounded.mode' = 'latest-offset',\n"
                + "  'big_orders.type' = 'file_sink',\n"
                + "  'big_orders.path' = '"
                + output
                + "',\n"
                + "  'big_orders.format' = 'json',\n"
                + "  'batch.strategy' = 'fixed_size',\n"
                + "  'batch.size' = '2'\n"
                + ");\n";
    }

    @Test
    void aJsonTopicWithoutASchemaRunsWithTheInferredColumns() throws IOException {
        Path output = dir.resolve("big");
        Path file = dir.resolve("infer.sql");
        Files.writeString(file, script("infer_orders", output));

        int exit = velo("run", file.toString());
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(err).isZero();
        assertThat(err)
                .contains("columns inferred from 4 record(s) of topic 'infer_orders'")
                .contains("`id` BIGINT")
                .contains("`customer` STRING")
                .contains("`amount` DOUBLE")
                .contains("`paid` BOOLEAN")
                .contains("'orders.schema' = '");
        List<String> rows = lines(output);
        assertThat(rows).hasSize(3);
        assertThat(String.join("\n", rows))
                .contains("\"id\":2")
                .contains("\"id\":3")
                .contains("\"id\":4")
                .contains("500.5");
    }

    @Test
    void aTopicWhoseRecordsDisagreeIsRejectedNamingTheField() throws IOException {
        Path file = dir.resolve("mixed.sql");
        Files.writeString(file, script("infer_mixed", dir.resolve("never")));

        int exit = velo("translate", file.toString());
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).isNotZero();
        assertThat(err)
                .contains("field 'amount' is a number in one record (50)")
                .contains("a string in another (\"lots\")")
                .contains("'orders.schema'")
                .containsPattern(":\\d+:\\d+");
        assertThat(Files.exists(dir.resolve("never"))).isFalse();
    }

    private static List<String> lines(Path output) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(output)) {
            for (Path p : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                if (!p.getFileName().toString().startsWith(".")) {
                    lines.addAll(Files.readAllLines(p));
                }
            }
        }
        return lines;
    }
}
