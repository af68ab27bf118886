package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.testing.VeloTestClusters;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A velo table over a lookup source, and over a source that is both a scan and a lookup source, is
 * joined with {@code FOR SYSTEM_TIME AS OF} exactly as the plain table: the same rows and the same
 * lookup-join plan. Parallelism 2.
 */
@Timeout(120)
class LookupTransparencyITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            VeloTestClusters.withReporter(InMemoryReporter.create());

    private static TableEnvironment env() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "2");
        env.executeSql(
                "CREATE TABLE orders (id INT, proc AS PROCTIME()) WITH ('connector' = 'datagen',"
                        + " 'number-of-rows' = '20', 'fields.id.kind' = 'sequence',"
                        + " 'fields.id.start' = '0', 'fields.id.end' = '19')");
        return env;
    }

    private static void dimensions(TableEnvironment env, boolean scan) {
        String shape = "(id INT, name STRING) WITH (";
        String own = "'rows' = '10', 'scan' = '" + scan + "')";
        env.executeSql("CREATE TABLE dim " + shape + "'connector' = 'velo-test-lookup', " + own);
        env.executeSql(
                "CREATE TABLE vdim "
                        + shape
                        + "'connector' = 'velo', 'velo.connector' = 'velo-test-lookup', "
                        + "'batch.strategy' = 'fixed_size', 'batch.size' = '5', "
                        + own);
    }

    private static String join(String dim) {
        return "SELECT o.id, d.name FROM orders AS o LEFT JOIN "
                + dim
                + " FOR SYSTEM_TIME AS OF o.proc AS d ON o.id = d.id";
    }

    /** The plan of the join, with the table's name and the planner's correlation counter out. */
    private static String plan(TableEnvironment env, String dim) {
        return env.explainSql(join(dim)).replace(dim, "DIM").replaceAll("\\$cor\\d+", "\\$cor");
    }

    private static List<String> rows(TableResult result) throws Exception {
        List<String> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = result.collect()) {
            it.forEachRemaining(r -> rows.add(r.toString()));
        }
        rows.sort(null);
        return rows;
    }

    @Test
    void aLookupJoinAgainstAVeloLookupSourceReadsWhatThePlainTableReads() throws Exception {
        TableEnvironment env = env();
        dimensions(env, false);
        List<String> plain = rows(env.executeSql(join("dim")));
        assertThat(plain).hasSize(20).contains("+I[3, name-3]", "+I[15, null]");
        assertThat(rows(env.executeSql(join("vdim")))).isEqualTo(plain);
        assertThat(plan(env, "vdim")).contains("LookupJoin(").isEqualTo(plan(env, "dim"));
    }

    @Test
    void aVeloTableOverAScanAndLookupSourceIsBothAsThePlainTable() throws Exception {
        TableEnvironment env = env();
        dimensions(env, true);
        List<String> plain = rows(env.executeSql(join("dim")));
        assertThat(rows(env.executeSql(join("vdim")))).isEqualTo(plain);
        assertThat(plan(env, "vdim")).contains("LookupJoin(").isEqualTo(plan(env, "dim"));
        assertThat(rows(env.executeSql("SELECT * FROM vdim")))
                .hasSize(10)
                .isEqualTo(rows(env.executeSql("SELECT * FROM dim")));
    }
}
