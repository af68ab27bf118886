package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential, batch mode: a partitioned filesystem table written with {@code PARTITIONED BY},
 * {@code INSERT OVERWRITE ... PARTITION (dt='x')} and a dynamic {@code INSERT OVERWRITE} gives the
 * same plans, the same partition directories and files, and the same rows plain and through velo
 * (without options, and with mega_batch, whose {@code batch.parallel} must not break the grouping
 * by partition the filesystem sink asked the planner for).
 */
class SinkPartitionedFilesystemITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final int ROWS = 600;

    private static final List<String> STATEMENTS =
            List.of(
                    "INSERT INTO t SELECT id, CONCAT('n', CAST(id AS STRING)),"
                            + " CONCAT('2024-01-0', CAST(id % 3 + 1 AS STRING)) FROM src",
                    "INSERT OVERWRITE t PARTITION (dt='2024-01-01')"
                            + " SELECT id, 'static' FROM src WHERE id <= 10",
                    "INSERT OVERWRITE t SELECT id, 'dynamic', '2024-01-02' FROM src"
                            + " WHERE id % 2 = 0");

    /** What one way of declaring the table produced. */
    record Outcome(List<String> explains, List<String> files, List<String> rows) {}

    private static Outcome run(String with, Path dir) throws Exception {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        env.getConfig().set("parallelism.default", "2");
        env.executeSql(
                "CREATE TEMPORARY TABLE src (id BIGINT) WITH ('connector'='datagen',"
                        + " 'number-of-rows'='"
                        + ROWS
                        + "', 'fields.id.kind'='sequence', 'fields.id.start'='1',"
                        + " 'fields.id.end'='"
                        + ROWS
                        + "')");
        String path = dir.toUri().toString();
        env.executeSql(
                "CREATE TEMPORARY TABLE t (id BIGINT, name STRING, dt STRING)"
                        + " PARTITIONED BY (dt) WITH ("
                        + with
                        + ", 'path'='"
                        + path
                        + "', 'format'='csv')");
        List<String> explains = new ArrayList<>();
        for (String statement : STATEMENTS) {
            explains.add(env.explainSql(statement));
            env.executeSql(statement).await();
        }
        env.executeSql(
                "CREATE TEMPORARY TABLE back (id BIGINT, name STRING, dt STRING)"
                        + " PARTITIONED BY (dt) WITH ('connector'='filesystem', 'path'='"
                        + path
                        + "', 'format'='csv')");
        List<String> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = env.executeSql("SELECT * FROM back").collect()) {
            it.forEachRemaining(r -> rows.add(r.toString()));
        }
        rows.sort(null);
        return new Outcome(explains, files(dir), rows);
    }

    /** The data files under {@code dir}, relative, with the per-job unique part of their name. */
    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> dir.relativize(p).toString())
                    .filter(p -> !p.startsWith(".") && !p.contains("/."))
                    .map(p -> p.replaceAll("part-[0-9a-f-]{36}-", "part-*-"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void partitionedInsertAndOverwriteAreTheWrappedConnectors(@TempDir Path dir) throws Exception {
        Outcome plain = run("'connector'='filesystem'", dir.resolve("plain"));
        Outcome velo =
                run("'connector'='velo', 'velo.connector'='filesystem'", dir.resolve("velo"));
        Outcome batched =
                run(
                        "'connector'='velo', 'velo.connector'='filesystem',"
                                + " 'batch.strategy'='mega_batch', 'batch.mega_batch_size'='7',"
                                + " 'failure_strategy'='FailBatch'",
                        dir.resolve("batched"));

        // partition 01: only the static overwrite; 02: only the dynamic overwrite; 03: the insert
        assertThat(plain.rows())
                .hasSize(10 + ROWS / 2 + ROWS / 3)
                .contains("+I[7, static, 2024-01-01]")
                .contains("+I[8, dynamic, 2024-01-02]")
                .contains("+I[2, n2, 2024-01-03]")
                .noneMatch(r -> r.contains("n1, 2024-01-02"));
        assertThat(plain.files())
                .anyMatch(f -> f.startsWith("dt=2024-01-01/"))
                .anyMatch(f -> f.startsWith("dt=2024-01-03/"));
        for (Outcome o : List.of(velo, batched)) {
            assertThat(o.explains()).isEqualTo(plain.explains());
            assertThat(o.rows()).isEqualTo(plain.rows());
            assertThat(o.files()).isEqualTo(plain.files());
        }
    }
}
