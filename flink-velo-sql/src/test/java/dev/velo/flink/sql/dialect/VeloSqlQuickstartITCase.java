package dev.velo.flink.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Velostream quick-start scripts (CSV in, CSV out) run unchanged on a MiniCluster through the
 * translator, their sinks wrapped by the velo connector.
 */
class VeloSqlQuickstartITCase {

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension();

    static final Path QUICKSTART = Path.of("src/test/resources/dialect/quickstart");

    @TempDir Path dir;

    private List<String> run(String script) throws Exception {
        for (String f :
                List.of(
                        "01_filter.sql",
                        "03_aggregate.sql",
                        "hello_world_input.csv",
                        "03_aggregate_input.csv")) {
            Files.copy(QUICKSTART.resolve(f), dir.resolve(f));
        }
        VeloSql velo = VeloSql.builder().baseDirectory(dir).build();
        String text = Files.readString(dir.resolve(script));
        VeloTranslation translation = velo.translateScript(text);
        assertThat(translation.runtimeMode()).contains(RuntimeExecutionMode.BATCH);
        assertThat(translation.veloTables()).isNotEmpty();
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        env.getConfig().set("parallelism.default", "1");
        TableResult result = velo.executeScript(env, text);
        result.await();
        return outputLines(dir.resolve("output"));
    }

    static List<String> outputLines(Path output) throws IOException {
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
    void filterQuickstartRunsUnchanged() throws Exception {
        assertThat(run("01_filter.sql"))
                .containsExactlyInAnyOrder("Bob,200", "Dave,300", "Eve,250");
    }

    @Test
    void aStreamReadByALaterStreamIsCreatedBeforeTheJob() throws Exception {
        Files.copy(QUICKSTART.resolve("hello_world_input.csv"), dir.resolve("in.csv"));
        String script =
                "CREATE STREAM stage1 AS SELECT name, `value` FROM input_data WHERE `value` > 150"
                        + " WITH ('input_data.type' = 'file_source', 'input_data.path' = 'in.csv',"
                        + " 'stage1.type' = 'file_sink', 'stage1.path' = 'output/stage1',"
                        + " 'stage1.format' = 'csv');\n"
                        + "CREATE STREAM stage2 AS SELECT name FROM stage1 WITH ("
                        + "'stage2.type' = 'file_sink', 'stage2.path' = 'stage2', 'stage2.format' = 'csv');";
        VeloSql velo = VeloSql.builder().baseDirectory(dir).build();
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        env.getConfig().set("parallelism.default", "1");
        velo.executeScript(env, script).await();
        assertThat(env.listTables()).contains("stage1", "stage2");
        assertThat(outputLines(dir.resolve("output")))
                .containsExactlyInAnyOrder("Bob,200", "Dave,300", "Eve,250");
    }

    @Test
    void malformedSourceRecordsGoToTheDeadLetterQueue() throws Exception {
        Files.writeString(
                dir.resolve("orders.jsonl"),
                "{\"id\": 1, \"amount\": 10.5}\n{\"id\": 2, \"amount\": oops}\n"
                        + "{\"id\": 3, \"amount\": 99.0}\n");
        String script =
                "CREATE STREAM good_orders AS SELECT id, amount FROM orders EMIT CHANGES WITH (\n"
                        + "  'orders.type' = 'file_source', 'orders.path' = 'orders.jsonl',\n"
                        + "  'orders.schema' = 'id BIGINT, amount DOUBLE',\n"
                        + "  'good_orders.type' = 'file_sink', 'good_orders.path' = 'output/good',\n"
                        + "  'good_orders.format' = 'csv',\n"
                        + "  'source.failure_strategy' = 'SendToDLQ',\n"
                        + "  'source.dlq.connector' = 'filesystem', 'source.dlq.path' = '"
                        + dir.resolve("dlq")
                        + "');";
        VeloSql velo = VeloSql.builder().baseDirectory(dir).build();
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        env.getConfig().set("parallelism.default", "1");
        velo.executeScript(env, script).await();
        assertThat(outputLines(dir.resolve("output")))
                .containsExactlyInAnyOrder("1,10.5", "3,99.0");
        assertThat(outputLines(dir.resolve("dlq")))
                .hasSize(1)
                .first()
                .asString()
                .contains("orders");
    }

    @Test
    void aggregateQuickstartRunsUnchanged() throws Exception {
        assertThat(run("03_aggregate.sql"))
                .containsExactlyInAnyOrder("books,2,20.0", "games,2,100.0", "music,1,9.99");
    }
}
