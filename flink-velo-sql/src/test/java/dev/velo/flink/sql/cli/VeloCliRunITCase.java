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
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code velo run} on the embedded MiniCluster. */
class VeloCliRunITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int velo(String... args) {
        return new VeloCli(Map.of())
                .run(
                        args,
                        new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                        new PrintStream(errBytes, true, StandardCharsets.UTF_8));
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

    @Test
    void runsPlainFlinkSqlToTheEnd() throws IOException {
        Path script = dir.resolve("plain.sql");
        Files.writeString(
                script,
                "-- @job_mode: batch\n"
                        + "CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen',"
                        + " 'number-of-rows' = '25', 'fields.id.kind' = 'sequence',"
                        + " 'fields.id.start' = '1', 'fields.id.end' = '25');\n"
                        + "CREATE TABLE out_t (id BIGINT) WITH ('connector' = 'filesystem',"
                        + " 'path' = '"
                        + dir.resolve("out")
                        + "', 'format' = 'csv');\n"
                        + "INSERT INTO out_t SELECT id FROM gen WHERE id > 5;\n");
        int code = velo("run", script.toString());
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(code).isZero();
        assertThat(outBytes.toString(StandardCharsets.UTF_8))
                .contains("batch mode", "job finished");
        assertThat(lines(dir.resolve("out"))).hasSize(20);
    }

    @Test
    void pushQueryPrintsItsRows() throws IOException {
        Path script = dir.resolve("query.sql");
        Files.writeString(
                script,
                "-- @job_mode: batch\nSELECT x * 2 AS doubled FROM (VALUES (1), (2)) AS t(x) EMIT CHANGES;\n");
        assertThat(velo("run", script.toString())).isZero();
        assertThat(outBytes.toString(StandardCharsets.UTF_8))
                .contains("doubled\n", "+I 2\n", "+I 4\n", "job finished");
    }

    @Test
    void flinkErrorsAreOneLineMessages() throws IOException {
        Path script = dir.resolve("bad.sql");
        Files.writeString(script, "INSERT INTO missing_table SELECT 1;\n");
        assertThat(velo("run", script.toString())).isEqualTo(1);
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertThat(err)
                .startsWith(script + ":1:1: Flink rejected this statement:")
                .contains("missing_table")
                .doesNotContain("\tat ");
    }

    @Test
    void flinkParseErrorsPointAtTheStatementInTheScript() throws IOException {
        Path script = dir.resolve("parse.sql");
        Files.writeString(
                script,
                "-- @job_mode: batch\n\nCREATE TABLE t (a INT) WITH ('connector' = 'datagen');\n"
                        + "  INSERT INTO t SELEC a FROM t;\n");
        assertThat(velo("run", script.toString())).isEqualTo(1);
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertThat(err)
                .startsWith(script + ":4:3: Flink rejected this statement:")
                .doesNotContain("\tat ");
    }

    @Test
    void velostreamQuickstartRunsUnchangedWithTheVeloConnector() throws IOException {
        Path quickstart = Path.of("src/test/resources/dialect/quickstart");
        for (String f : List.of("01_filter.sql", "hello_world_input.csv")) {
            Files.copy(quickstart.resolve(f), dir.resolve(f));
        }
        int code = velo("run", dir.resolve("01_filter.sql").toString());
        assertThat(code).as(errBytes.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(lines(dir.resolve("output")))
                .containsExactlyInAnyOrder("Bob,200", "Dave,300", "Eve,250");
    }

    @Test
    void genericSourceAndSinkKeysRunCsvInJsonOut() throws IOException {
        Files.copy(
                Path.of("src/test/resources/dialect/quickstart/hello_world_input.csv"),
                dir.resolve("in.csv"));
        Path script = dir.resolve("generic.sql");
        Files.writeString(
                script,
                "CREATE STREAM high AS SELECT name, value FROM input_data WHERE value > 150\n"
                        + "EMIT CHANGES\n"
                        + "WITH (\n"
                        + "    'source.path' = './in.csv',\n"
                        + "    'source.format' = 'csv',\n"
                        + "    'sink.path' = './output.json',\n"
                        + "    'sink.format' = 'json'\n"
                        + ");\n");
        int code = velo("run", script.toString());
        assertThat(code).as(errBytes.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(lines(dir.resolve("output.json")))
                .containsExactlyInAnyOrder(
                        "{\"name\":\"Bob\",\"value\":200}",
                        "{\"name\":\"Dave\",\"value\":300}",
                        "{\"name\":\"Eve\",\"value\":250}");
    }
}
