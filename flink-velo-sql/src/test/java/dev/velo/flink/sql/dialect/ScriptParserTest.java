package dev.velo.flink.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.junit.jupiter.api.Test;

/** The parser alone: the statement tree it builds and the errors of statements it cannot read. */
class ScriptParserTest {

    private final List<VeloSqlException> errors = new ArrayList<>();

    private List<Statement> parse(String script) {
        return new ScriptParser(new SqlLexer(script)).parse(errors);
    }

    private Statement only(String script) {
        List<Statement> statements = parse(script);
        assertThat(errors).isEmpty();
        assertThat(statements).hasSize(1);
        return statements.get(0);
    }

    @Test
    void splitsAtTopLevelSemicolonsAndKeepsStatementSetsTogether() {
        List<Statement> statements =
                parse(
                        ";;SELECT ';' FROM a;\n"
                                + "EXECUTE STATEMENT SET BEGIN INSERT INTO x SELECT 1; INSERT"
                                + " INTO y SELECT 2; END;\n"
                                + "SELECT f(1;2)");
        assertThat(statements)
                .extracting(s -> ((Statement.Plain) s).text())
                .containsExactly(
                        "SELECT ';' FROM a",
                        "EXECUTE STATEMENT SET BEGIN INSERT INTO x SELECT 1; INSERT INTO y SELECT"
                                + " 2; END",
                        "SELECT f(1;2)");
        assertThat(statements.get(1).at().line).isEqualTo(2);
    }

    @Test
    void unbalancedParenthesesStopTheWholeScript() {
        assertThatThrownBy(() -> parse("SELECT (1;\nSELECT 2"))
                .hasMessageContaining("unbalanced '(' in this statement");
        assertThatThrownBy(() -> parse("SELECT 1);"))
                .isInstanceOfSatisfying(
                        VeloSqlException.class,
                        e -> {
                            assertThat(e.getColumn()).isEqualTo(9);
                            assertThat(e.getDetail()).isEqualTo("unbalanced ')'");
                        });
    }

    @Test
    void aPushQueryLosesEmitChangesAndNamesItsSources() {
        Statement.Plain plain =
                (Statement.Plain)
                        only(
                                "WITH c AS (SELECT * FROM raw) SELECT * FROM c JOIN db.dim d ON"
                                        + " TRUE EMIT CHANGES");
        assertThat(plain.text()).endsWith("ON TRUE");
        assertThat(plain.sources()).containsExactly("raw", "db.dim");
    }

    @Test
    void setOfTheRuntimeModeIsRecognised() {
        Statement.SetRuntimeMode set =
                (Statement.SetRuntimeMode) only("SET 'execution.runtime-mode' = 'batch'");
        assertThat(set.mode()).isEqualTo(RuntimeExecutionMode.BATCH);
        assertThat(set.text()).isEqualTo("SET 'execution.runtime-mode' = 'batch'");
        assertThat(only("SET 'parallelism.default' = '2'")).isInstanceOf(Statement.Plain.class);
    }

    @Test
    void aBadRuntimeModeIsAnErrorAtItsValueAndLaterStatementsStillParse() {
        List<Statement> statements = parse("SET 'execution.runtime-mode' = 'fast';\nSELECT 1");
        assertThat(statements).hasSize(1);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).getColumn()).isEqualTo(32);
        assertThat(errors.get(0).getDetail())
                .isEqualTo(
                        "execution.runtime-mode: 'fast' is not one of streaming, batch,"
                                + " automatic");
    }

    @Test
    void createTableWithOptionsKeepsItsTextAndTokens() {
        Statement.CreateTable t =
                (Statement.CreateTable)
                        only(
                                "CREATE TABLE IF NOT EXISTS db.`Orders` (id INT) WITH ("
                                        + "'connector' = 'kafka', batch.size = 10, x = -1)"
                                        + " LIKE other");
        assertThat(t.name()).isEqualTo("db.Orders");
        assertThat(t.prefix()).isEqualTo("CREATE TABLE IF NOT EXISTS db.`Orders` (id INT)");
        assertThat(t.suffix()).isEqualTo(" LIKE other");
        assertThat(t.original()).startsWith("CREATE TABLE IF NOT EXISTS").endsWith("LIKE other");
        assertThat(t.with().values())
                .containsExactly(
                        org.assertj.core.api.Assertions.entry("connector", "kafka"),
                        org.assertj.core.api.Assertions.entry("batch.size", "10"),
                        org.assertj.core.api.Assertions.entry("x", "-1"));
        assertThat(t.with().valueTokens().get("batch.size").text).isEqualTo("10");
        assertThat(t.with().keyTokens().get("batch.size").text).isEqualTo("batch");
    }

    @Test
    void createStatementsTheDialectDoesNotChangeAreVerbatim() {
        assertThat(only("CREATE TABLE t (a INT)")).isInstanceOf(Statement.Verbatim.class);
        assertThat(only("CREATE VIEW v AS SELECT 1")).isInstanceOf(Statement.Verbatim.class);
        assertThat(only("CREATE TABLE t2 LIKE t")).isInstanceOf(Statement.Verbatim.class);
    }

    @Test
    void createStreamWithColumnsAndWithIsADeclaration() {
        Statement.StreamDeclaration s =
                (Statement.StreamDeclaration)
                        only("CREATE STREAM s (a INT) WITH ('connector' = 'datagen')");
        assertThat(s.name()).isEqualTo("s");
        assertThat(s.prefix()).isEqualTo("CREATE TABLE s (a INT)");
        assertThat(s.with().values()).containsOnlyKeys("connector");
    }

    @Test
    void createAsReadsItsTailInAnyOrderAndItsPrimaryKey() {
        Statement.CreateAs s =
                (Statement.CreateAs)
                        only(
                                "CREATE TABLE stats AS SELECT category PRIMARY KEY, value,"
                                        + " COUNT(*) AS n FROM tx GROUP BY category, value"
                                        + " WITH ('stats.type' = 'kafka_sink') INTO out EMIT"
                                        + " CHANGES");
        assertThat(s.stream()).isFalse();
        assertThat(s.name()).isEqualTo("stats");
        assertThat(s.into()).isEqualTo("out");
        assertThat(s.primaryKey()).containsExactly("`category`");
        assertThat(s.query())
                .isEqualTo(
                        "SELECT category, `value`, COUNT(*) AS n FROM tx GROUP BY category,"
                                + " `value`");
        assertThat(s.sources()).containsExactly("tx");
        assertThat(s.with().values()).containsOnlyKeys("stats.type");
        assertThat(s.columns()).isEmpty();
    }

    @Test
    void createStreamAsKeepsItsColumnsAndQuotedName() {
        Statement.CreateAs s =
                (Statement.CreateAs)
                        only("CREATE STREAM `my out` (a) AS SELECT x FROM a, b EMIT FINAL");
        assertThat(s.stream()).isTrue();
        assertThat(s.name()).isEqualTo("my out");
        assertThat(s.nameText()).isEqualTo("`my out`");
        assertThat(s.columns()).isEqualTo(" (a)");
        assertThat(s.query()).isEqualTo("SELECT x FROM a, b");
        assertThat(s.with().isEmpty()).isTrue();
        assertThat(s.into()).isNull();
    }

    @Test
    void optionErrorsNameTheKeyAndWhatWasFound() {
        parse(
                "CREATE TABLE t WITH ('a' = 'x', 'a' = 'y');\n"
                        + "CREATE TABLE u WITH ('a' 'x');\n"
                        + "CREATE TABLE v WITH ('a' = );\n"
                        + "CREATE TABLE w WITH ('a' = 'x' 'b' = 'y');\n"
                        + "CREATE TABLE z WITH (( = 'x'))");
        assertThat(errors)
                .extracting(VeloSqlException::getDetail)
                .containsExactly(
                        "option 'a' is given twice",
                        "expected '=' after option key 'a', found ''x''",
                        "option 'a' has no value",
                        "expected ',' or ')' after option 'a', found ''b''",
                        "expected an option key such as 'batch.size', found '('");
        assertThat(errors.get(0).getLine()).isEqualTo(1);
        assertThat(errors.get(0).getColumn()).isEqualTo(33);
    }

    @Test
    void createAsErrorsPointAtWhatIsMissing() {
        parse(
                "CREATE STREAM s;\n"
                        + "CREATE STREAM s FROM x;\n"
                        + "CREATE STREAM s AS EMIT CHANGES;\n"
                        + "CREATE STREAM s AS DELETE x;\n"
                        + "CREATE TABLE 'x' AS SELECT 1");
        assertThat(errors)
                .extracting(VeloSqlException::getDetail)
                .containsExactly(
                        "expected AS SELECT ... after CREATE STREAM s",
                        "expected AS SELECT ... after CREATE STREAM s, found 'FROM'",
                        "expected a query after AS",
                        "expected SELECT after AS, found 'DELETE'",
                        "expected a table name, found ''x''");
    }
}
