package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.testing.FailingSinkFactory;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.CompiledPlan;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.PlanReference;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compiled plan of a query on a guarded velo source (partition pruning, metadata, a source
 * failure strategy) stores the table as declared and restores it through the velo factory: the
 * guarded format and the push-downs come back, and the restored plan runs.
 */
class SourceCompiledPlanITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    @TempDir Path dir;

    @Test
    void aCompiledPlanOfAGuardedSourceRestoresAndRuns() throws Exception {
        for (String dt : List.of("2024-01-01", "2024-01-02")) {
            Path part = dir.resolve("in").resolve("dt=" + dt);
            Files.createDirectories(part);
            List<String> lines = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                lines.add(i == 4 ? "{\"id\": broken" : "{\"id\": " + i + "}");
            }
            Files.write(part.resolve("part-0.json"), lines, StandardCharsets.UTF_8);
        }
        String sinkId = UUID.randomUUID().toString();
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "2");
        env.executeSql(
                "CREATE TABLE src (id BIGINT, dt STRING, fp STRING METADATA FROM 'file.path'"
                        + " VIRTUAL) PARTITIONED BY (dt) WITH ('connector'='velo',"
                        + " 'velo.connector'='filesystem', 'path'='"
                        + dir.resolve("in").toUri()
                        + "', 'format'='json', 'json.fail-on-missing-field'='false',"
                        + " 'source.failure_strategy'='LogAndContinue')");
        env.executeSql(
                "CREATE TABLE out_t (id BIGINT, p STRING) WITH ('connector'='failing-sink',"
                        + " 'sink-id'='"
                        + sinkId
                        + "')");
        CompiledPlan plan =
                env.compilePlanSql(
                        "INSERT INTO out_t SELECT id, SUBSTRING(fp FROM POSITION('dt=' IN fp) FOR"
                                + " 13) FROM src WHERE dt = '2024-01-02'");
        String json = plan.asJsonString();
        assertThat(json)
                .contains("\"velo.connector\" : \"filesystem\"")
                .doesNotContain("velo-guarded");

        TableEnvironment restored = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        restored.getConfig().set("parallelism.default", "2");
        restored.loadPlan(PlanReference.fromJsonString(json)).execute().await();
        assertThat(FailingSinkFactory.results(sinkId))
                .containsExactlyInAnyOrder("1", "2", "3", "5", "6", "7", "8", "9", "10");
    }
}
