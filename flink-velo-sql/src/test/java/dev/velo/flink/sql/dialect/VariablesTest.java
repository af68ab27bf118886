package dev.velo.flink.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Variables} alone: the three forms, comments left alone, errors at their place. */
class VariablesTest {

    private final Variables vars = new Variables(Map.of("TOPIC", "orders", "EMPTY", ""));

    @Test
    void setVariablesAreReplacedInEveryForm() {
        assertThat(vars.substituteSql("SELECT '${TOPIC}', ${TOPIC:-x}, ${TOPIC:x}"))
                .isEqualTo("SELECT 'orders', orders, orders");
    }

    @Test
    void unsetVariablesTakeTheirDefaultInEitherForm() {
        assertThat(vars.substituteSql("'${NOPE:-a:b}' '${NOPE:fallback}' '${NOPE:-}'"))
                .isEqualTo("'a:b' 'fallback' ''");
    }

    @Test
    void anEmptyValueIsAValueNotAMissingOne() {
        assertThat(vars.substituteSql("x${EMPTY:-default}y")).isEqualTo("xy");
    }

    @Test
    void commentsAreLeftAlone() {
        String sql = "-- uses ${UNSET}\nSELECT 1 /* ${ALSO_UNSET} */, '${TOPIC}'";
        assertThat(vars.substituteSql(sql))
                .isEqualTo("-- uses ${UNSET}\nSELECT 1 /* ${ALSO_UNSET} */, 'orders'");
    }

    @Test
    void aCommentMarkerInsideAStringIsNoComment() {
        assertThat(vars.substituteSql("SELECT '-- ${TOPIC}'")).isEqualTo("SELECT '-- orders'");
    }

    @Test
    void unsetVariableWithoutDefaultIsAnErrorAtItsPlace() {
        assertThatThrownBy(() -> vars.substituteSql("SELECT 1;\nSELECT  ${MISSING}"))
                .isInstanceOfSatisfying(
                        VeloSqlException.class,
                        e -> {
                            assertThat(e.getLine()).isEqualTo(2);
                            assertThat(e.getColumn()).isEqualTo(9);
                            assertThat(e.getDetail())
                                    .isEqualTo(
                                            "variable 'MISSING' is not set; set it in the"
                                                    + " environment or write ${MISSING:-default}");
                        });
    }

    @Test
    void badNamesAndUnterminatedVariablesAreErrors() {
        assertThatThrownBy(() -> vars.substituteSql("SELECT ${1abc}"))
                .hasMessageContaining("bad variable '${1abc}'")
                .hasMessageContaining("${NAME:-default}");
        assertThatThrownBy(() -> vars.substituteSql("SELECT ${TOPIC"))
                .hasMessageContaining("unterminated variable");
    }

    @Test
    void plainValuesAreSubstitutedEverywhereWithTheCallersPosition() {
        assertThat(vars.substitute("# ${TOPIC}-${NOPE:-1}", at -> null)).isEqualTo("# orders-1");
        assertThat(vars.substitute("no variables", at -> null)).isEqualTo("no variables");
        assertThatThrownBy(
                        () ->
                                vars.substitute(
                                        "a ${MISSING}",
                                        offset -> new VeloSqlException(7, offset + 1, "")))
                .isInstanceOfSatisfying(
                        VeloSqlException.class,
                        e -> {
                            assertThat(e.getLine()).isEqualTo(7);
                            assertThat(e.getColumn()).isEqualTo(3);
                            assertThat(e.getDetail()).contains("'MISSING' is not set");
                        });
    }
}
