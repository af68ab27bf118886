package dev.velo.flink.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.junit.jupiter.api.Test;

/** The renderer alone, on hand-made tables: Flink SQL text, positions and the run's extras. */
class ScriptRendererTest {

    private static final Token AT = new Token(Token.Kind.WORD, "CREATE", 0, 6, 3, 5);

    private static ScriptRewriter.Result result(
            List<RewrittenStatement> statements,
            RuntimeExecutionMode mode,
            List<TableDecl> undeclared) {
        return new ScriptRewriter.Result(
                statements, mode, undeclared, List.of(), List.of(), List.of());
    }

    private static TableDecl table(String name, String original) {
        TableDecl t =
                TableDecl.declared(name, AT, original, "CREATE TABLE " + name + " (a INT) ", "");
        t.options.put("connector", "velo");
        t.options.put("velo.connector", "kafka");
        return t;
    }

    private static TableDecl ctas(String name, boolean columnsGiven, String viewText) {
        TableDecl t =
                TableDecl.ctas(
                        name,
                        AT,
                        "CREATE TABLE " + name,
                        "\nAS SELECT 1 AS a",
                        new TableDecl.Ctas("SELECT 1 AS a", columnsGiven, viewText));
        t.options.put("connector", "velo");
        t.options.put("velo.connector", "print");
        return t;
    }

    @Test
    void anUnchangedTableIsWrittenAsItWasGiven() {
        TableDecl t = table("t", "CREATE TABLE t (a INT) WITH ('connector'='kafka')");
        assertThat(ScriptRenderer.render(t))
                .isEqualTo("CREATE TABLE t (a INT) WITH ('connector'='kafka')");
        t.modified();
        assertThat(ScriptRenderer.render(t)).startsWith("CREATE TABLE t (a INT) WITH (\n");
    }

    @Test
    void aChangedTableIsWrittenFromItsPartsWithQuotesEscaped() {
        TableDecl t =
                TableDecl.declared("t", AT, null, "CREATE TABLE t (a INT)  ", "\nAS SELECT 1 AS a");
        t.options.put("connector", "print");
        t.options.put("print-identifier", "it's");
        assertThat(ScriptRenderer.render(t))
                .isEqualTo(
                        "CREATE TABLE t (a INT) WITH (\n"
                                + "  'connector' = 'print',\n"
                                + "  'print-identifier' = 'it''s'\n"
                                + ")\n"
                                + "AS SELECT 1 AS a");
    }

    @Test
    void aViewIsWrittenAsAView() {
        TableDecl t = ctas("v", false, "CREATE TEMPORARY VIEW v AS\nSELECT 1");
        assertThat(ScriptRenderer.render(t)).startsWith("CREATE TABLE v WITH (");
        t.becomeView();
        assertThat(ScriptRenderer.render(t)).isEqualTo("CREATE TEMPORARY VIEW v AS\nSELECT 1");
    }

    @Test
    void theRuntimeModeIsSetFirstUnlessTheScriptSetsIt() {
        ScriptRenderer renderer = new ScriptRenderer("velo");
        Token second = new Token(Token.Kind.WORD, "SELECT", 10, 16, 2, 1);
        List<RewrittenStatement> out = List.of(new RewrittenStatement.Text("SELECT 1", second));
        VeloTranslation t =
                renderer.render(result(out, RuntimeExecutionMode.BATCH, List.of()), Map.of());
        assertThat(t.statements())
                .containsExactly("SET 'execution.runtime-mode' = 'batch'", "SELECT 1");
        assertThat(t.lineOf(0)).isEqualTo(1);
        assertThat(t.lineOf(1)).isEqualTo(2);

        List<RewrittenStatement> sets =
                List.of(
                        new RewrittenStatement.Text(
                                "SET 'execution.runtime-mode' = 'streaming'", second));
        assertThat(
                        renderer.render(
                                        result(sets, RuntimeExecutionMode.STREAMING, List.of()),
                                        Map.of())
                                .statements())
                .containsExactly("SET 'execution.runtime-mode' = 'streaming'");
    }

    @Test
    void veloTablesAndEagerCtasAreCollected() {
        TableDecl plain = table("plain", null);
        plain.options.put("connector", "datagen");
        TableDecl ctas = ctas("ctas", false, null);
        ctas.readLater();
        TableDecl withColumns = ctas("cols", true, null);
        withColumns.readLater();
        TableDecl undeclared = table("elsewhere", null);
        VeloTranslation t =
                new ScriptRenderer("velo")
                        .render(
                                result(
                                        List.of(
                                                new RewrittenStatement.Table(plain, AT),
                                                new RewrittenStatement.Table(ctas, AT),
                                                new RewrittenStatement.Table(withColumns, AT)),
                                        null,
                                        List.of(undeclared)),
                                Map.of());
        assertThat(t.veloTables()).containsOnlyKeys("ctas", "cols", "elsewhere");
        assertThat(t.eagerTables()).containsOnlyKeys(1);
        assertThat(t.eagerTables().get(1).query).isEqualTo("SELECT 1 AS a");
        assertThat(t.lineOf(2)).isEqualTo(3);
        assertThat(t.columnOf(2)).isEqualTo(5);
        assertThat(t.runtimeMode()).isEmpty();
    }
}
