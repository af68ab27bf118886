package dev.velo.flink.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rewriter alone, on parsed statements: the tables it produces and what it decides. */
class ScriptRewriterTest {

    @TempDir Path dir;

    private ScriptRewriter.Result rewrite(String script) {
        return rewrite(script, false);
    }

    private ScriptRewriter.Result rewrite(String script, boolean lenient) {
        SqlLexer lexer = new SqlLexer(script);
        ScriptParser parser = new ScriptParser(lexer);
        ScriptRewriter rewriter =
                new ScriptRewriter(
                        ScriptAnnotations.read(script),
                        Map.of(),
                        dir,
                        "velo",
                        lenient,
                        null,
                        lexer);
        List<VeloSqlException> parseErrors = new ArrayList<>();
        List<Statement> statements = parser.parse(parseErrors);
        return rewriter.rewrite(statements, parseErrors, parser.tokens());
    }

    private static List<TableDecl> tables(ScriptRewriter.Result r) {
        return r.statements().stream()
                .filter(o -> o instanceof RewrittenStatement.Table)
                .map(o -> ((RewrittenStatement.Table) o).decl())
                .collect(Collectors.toList());
    }

    private static TableDecl table(ScriptRewriter.Result r, String name) {
        return tables(r).stream().filter(t -> t.name.equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aFlinkTableWithAVeloKeyGoesBehindTheVeloConnector() {
        ScriptRewriter.Result r =
                rewrite(
                        "CREATE TABLE t (a INT) WITH ('connector' = 'kafka', 'topic' = 'x',"
                                + " 'batch.size' = '5')");
        TableDecl t = table(r, "t");
        assertThat(t.options)
                .containsExactly(
                        entry("connector", "velo"),
                        entry("velo.connector", "kafka"),
                        entry("topic", "x"),
                        entry("batch.size", "5"));
        assertThat(t.original()).isNull();
        assertThat(r.notes())
                .containsExactly(
                        "table t: 'batch.size' is a velo option, so its 'kafka' connector is wrapped by"
                                + " 'velo'");
        assertThat(r.errors()).isEmpty();
    }

    @Test
    void aFlinkTableWithoutVeloKeysKeepsItsText() {
        ScriptRewriter.Result r = rewrite("CREATE TABLE t (a INT) WITH ('connector' = 'datagen')");
        assertThat(table(r, "t").original())
                .isEqualTo("CREATE TABLE t (a INT) WITH ('connector' = 'datagen')");
        assertThat(r.statements()).hasSize(1);
    }

    @Test
    void sourceKeysConfigureTheEarlierTableAndASnakeCaseDlqStrategySharesTheStreamsDlq() {
        ScriptRewriter.Result r =
                rewrite(
                        "CREATE TABLE orders (id INT) WITH ('connector' = 'kafka');\n"
                                + "CREATE STREAM out AS SELECT * FROM orders WITH ("
                                + "'source.failure_strategy' = 'send_to_dlq',"
                                + " 'dlq.connector' = 'kafka', 'dlq.topic' = 'bad')");
        TableDecl orders = table(r, "orders");
        assertThat(orders.options)
                .containsExactly(
                        entry("connector", "velo"),
                        entry("velo.connector", "kafka"),
                        entry("source.failure_strategy", "send_to_dlq"),
                        entry("dlq.connector", "kafka"),
                        entry("dlq.topic", "bad"));
        assertThat(orders.original()).isNull();
        assertThat(table(r, "out").options)
                .containsEntry("velo.connector", "print")
                .containsEntry("dlq.topic", "bad")
                .doesNotContainKey("source.failure_strategy");
    }

    @Test
    void aSourceWithItsOwnDlqDoesNotTakeTheStreams() {
        ScriptRewriter.Result r =
                rewrite(
                        "CREATE TABLE orders (id INT) WITH ('connector' = 'kafka');\n"
                                + "CREATE STREAM out AS SELECT * FROM orders WITH ("
                                + "'source.failure_strategy' = 'SendToDLQ',"
                                + " 'source.dlq.topic' = 'src_bad', 'dlq.topic' = 'sink_bad')");
        assertThat(table(r, "orders").options)
                .containsEntry("dlq.topic", "src_bad")
                .doesNotContainKey("source.dlq.topic");
    }

    @Test
    void aSourceThatDoesNotDeadLetterTakesNoDlq() {
        ScriptRewriter.Result r =
                rewrite(
                        "CREATE TABLE orders (id INT) WITH ('connector' = 'kafka');\n"
                                + "CREATE STREAM out AS SELECT * FROM orders WITH ("
                                + "'source.failure_strategy' = 'LogAndContinue',"
                                + " 'dlq.topic' = 'bad')");
        assertThat(table(r, "orders").options).doesNotContainKey("dlq.topic");
    }

    @Test
    void batchSizeAnnotationFillsEverySinkWithoutASize() {
        ScriptRewriter.Result r =
                rewrite(
                        "-- @batch_size: 7\n"
                                + "CREATE STREAM a AS SELECT 1 AS x;\n"
                                + "CREATE STREAM b AS SELECT 1 AS x WITH ('batch.strategy' ="
                                + " 'FixedSize');\n"
                                + "CREATE STREAM c AS SELECT 1 AS x WITH ('batch.strategy' ="
                                + " 'time_window', 'batch.window' = '1s');\n"
                                + "CREATE STREAM d AS SELECT 1 AS x WITH ('batch.size' = '3')");
        assertThat(table(r, "a").options)
                .containsEntry("batch.strategy", "fixed_size")
                .containsEntry("batch.size", "7");
        assertThat(table(r, "b").options).containsEntry("batch.size", "7");
        assertThat(table(r, "c").options).doesNotContainKey("batch.size");
        assertThat(table(r, "d").options)
                .containsEntry("batch.size", "3")
                .doesNotContainKey("batch.strategy");
        assertThat(r.errors()).isEmpty();
    }

    @Test
    void aSinkLessStreamReadByAnotherBecomesAView() {
        ScriptRewriter.Result r =
                rewrite(
                        "CREATE STREAM mid AS SELECT 1 AS x;\n"
                                + "CREATE STREAM out AS SELECT x FROM mid"
                                + " WITH ('connector' = 'blackhole')");
        TableDecl mid = table(r, "mid");
        assertThat(mid.isView()).isTrue();
        assertThat(mid.ctas.viewText()).isEqualTo("CREATE TEMPORARY VIEW mid AS\nSELECT 1 AS x");
        assertThat(r.notes())
                .contains("stream mid has no sink and feeds out, so it becomes a view");
        assertThat(table(r, "out").options).containsEntry("velo.connector", "blackhole");
    }

    @Test
    void aCtasReadByALaterQueryIsMarkedReadLater() {
        ScriptRewriter.Result r =
                rewrite(
                        "CREATE TABLE t AS SELECT 1 AS x WITH ('connector' = 'blackhole');\n"
                                + "SELECT * FROM t");
        assertThat(table(r, "t").isReadLater()).isTrue();
        assertThat(table(r, "t").ctas.query()).isEqualTo("SELECT 1 AS x");
    }

    @Test
    void runtimeModeComesFromSetOrTheAnnotation() {
        assertThat(rewrite("SET 'execution.runtime-mode' = 'batch'").runtimeMode())
                .isEqualTo(RuntimeExecutionMode.BATCH);
        assertThat(rewrite("-- @job_mode: streaming\nSELECT 1").runtimeMode())
                .isEqualTo(RuntimeExecutionMode.STREAMING);
        assertThat(rewrite("SELECT 1").runtimeMode()).isNull();
    }

    @Test
    void optionsForATableTheQueryDoesNotUseAreAnErrorAtTheKey() {
        ScriptRewriter.Result r =
                rewrite(
                        "CREATE TABLE other (a INT) WITH ('connector' = 'datagen');\n"
                                + "CREATE STREAM s AS SELECT 1 AS x\n"
                                + "WITH ('other.topic' = 't')");
        assertThat(r.errors()).hasSize(1);
        assertThat(r.errors().get(0).getLine()).isEqualTo(3);
        assertThat(r.errors().get(0).getColumn()).isEqualTo(7);
        assertThat(r.errors().get(0).getDetail())
                .isEqualTo(
                        "options for 'other', which is already declared by CREATE TABLE at line"
                                + " 1; put them there");
    }

    @Test
    void aBadVeloValueIsAnErrorAtTheValueAndAnUnknownKeyAtTheKey() {
        ScriptRewriter.Result r =
                rewrite(
                        "CREATE STREAM s AS SELECT 1 AS x WITH (\n"
                                + "  'batch.size' = 'ten',\n"
                                + "  'batch.sise' = '3')");
        assertThat(r.errors())
                .extracting(e -> e.getLine() + ":" + e.getColumn())
                .contains("2:18", "3:3");
    }

    @Test
    void undeclaredSourceOptionsAreAWarningWhenValidating() {
        String script =
                "CREATE STREAM out AS SELECT * FROM nowhere WITH ("
                        + "'source.failure_strategy' = 'LogAndContinue')";
        ScriptRewriter.Result strict = rewrite(script, false);
        assertThat(strict.errors()).hasSize(1);
        assertThat(strict.warnings()).isEmpty();
        ScriptRewriter.Result lenient = rewrite(script, true);
        assertThat(lenient.errors()).isEmpty();
        assertThat(lenient.warnings()).hasSize(1);
        assertThat(lenient.undeclaredVeloTables())
                .extracting(t -> t.name)
                .containsExactly("nowhere");
        assertThat(lenient.undeclaredVeloTables().get(0).options)
                .containsEntry("connector", "velo")
                .containsEntry("source.failure_strategy", "LogAndContinue");
    }
}
