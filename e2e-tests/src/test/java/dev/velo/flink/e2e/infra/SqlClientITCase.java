package dev.velo.flink.e2e.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** The real Flink SQL client, run as a child process on its embedded MiniCluster. */
class SqlClientITCase {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    void runsABoundedInsertAndReportsFailedStatements() throws IOException {
        Path out = work.resolve("out");
        Path connectorJar = FlinkClasspath.veloSqlConnectorJar();
        FlinkSqlClientRunner client = new FlinkSqlClientRunner(work);

        FlinkSqlClientRunner.Result ok =
                client.run(
                        String.join(
                                "\n",
                                "ADD JAR '" + connectorJar + "';",
                                "SHOW JARS;",
                                "SET 'table.dml-sync' = 'true';",
                                "SET 'execution.runtime-mode' = 'batch';",
                                "CREATE TABLE numbers (id BIGINT, name STRING) WITH (",
                                "  'connector' = 'datagen', 'number-of-rows' = '42',",
                                "  'fields.id.kind' = 'sequence', 'fields.id.start' = '1',",
                                "  'fields.id.end' = '42', 'fields.name.length' = '4');",
                                "CREATE TABLE sink (id BIGINT, name STRING) WITH (",
                                "  'connector' = 'filesystem', 'path' = '" + out.toUri() + "',",
                                "  'format' = 'csv');",
                                "INSERT INTO sink SELECT id, name FROM numbers;",
                                ""));
        ok.assertSucceeded();
        assertThat(ok.output()).contains(connectorJar.toString());
        List<String> rows = csvRows(out);
        assertThat(rows).hasSize(42);
        assertThat(rows.stream().map(r -> Long.parseLong(r.split(",")[0])))
                .containsExactlyInAnyOrderElementsOf(
                        Stream.iterate(1L, i -> i + 1).limit(42).collect(Collectors.toList()));

        FlinkSqlClientRunner.Result bad = client.run("SELECT * FROM no_such_table;\n");
        assertThat(bad.succeeded()).isFalse();
        assertThat(bad.errorLines()).isNotEmpty();
        assertThat(bad.output()).contains(FlinkSqlClientRunner.STATEMENT_ERROR);
    }

    private static List<String> csvRows(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> visible =
                    files.filter(Files::isRegularFile)
                            .filter(p -> !p.getFileName().toString().startsWith("."))
                            .collect(Collectors.toList());
            List<String> rows = new java.util.ArrayList<>();
            for (Path f : visible) {
                Files.readAllLines(f).stream().filter(l -> !l.isBlank()).forEach(rows::add);
            }
            return rows;
        }
    }
}
