package dev.velo.flink.batching.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.table.api.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests the boolean and number parsing of {@link OptionValues}. */
class ScalarOptionsTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "true,true",
        "TRUE,true",
        "True,true",
        "yes,true",
        "YES,true",
        "1,true",
        "' true ',true",
        "false,false",
        "FALSE,false",
        "no,false",
        "No,false",
        "0,false"
    })
    void parsesBooleans(String text, boolean expected) {
        assertThat(OptionValues.parseBoolean("batch.enable", text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "y", "n", "on", "off", "2", "truee", "-1"})
    void rejectsNonBooleans(String text) {
        assertThatThrownBy(() -> OptionValues.parseBoolean("batch.enable", text))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'batch.enable'")
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("true, false, yes, no, 1 or 0");
    }

    @Test
    void parsesIntegersWithinRange() {
        assertThat(OptionValues.parseInt("k", " 42 ", 1, Integer.MAX_VALUE)).isEqualTo(42);
        assertThat(OptionValues.parseInt("k", "2147483647", 1, Integer.MAX_VALUE))
                .isEqualTo(Integer.MAX_VALUE);
        assertThat(OptionValues.parseInt("k", "0", 0, 10)).isZero();
        assertThat(OptionValues.parseLong("k", "9223372036854775807", 1, Long.MAX_VALUE))
                .isEqualTo(Long.MAX_VALUE);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(
            strings = {"", "0", "-1", "2147483648", "1.0", "1e3", "10k", "0x10", "1 000", "abc"})
    void rejectsBadPositiveInts(String text) {
        assertThatThrownBy(() -> OptionValues.parseInt("batch.size", text, 1, Integer.MAX_VALUE))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'batch.size'")
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("whole number > 0");
    }

    @Test
    void rejectsLongOverflow() {
        assertThatThrownBy(
                        () ->
                                OptionValues.parseLong(
                                        "batch.memory_size",
                                        "99999999999999999999",
                                        1,
                                        Long.MAX_VALUE))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'99999999999999999999'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"0,0.0", "1,1.0", "0.5,0.5", "' .25 ',0.25", "1e-1,0.1", "1.,1.0"})
    void parsesDecimals(String text, double expected) {
        assertThat(OptionValues.parseDouble("retry_jitter", text, 0, 1)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(
            strings = {"", "NaN", "Infinity", "-0.1", "1.01", "0x1p-2", "0.5d", "0.5f", "half"})
    void rejectsBadDecimals(String text) {
        assertThatThrownBy(() -> OptionValues.parseDouble("retry_jitter", text, 0, 1))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'retry_jitter'")
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("from 0.0 to 1.0");
    }

    @Test
    void rejectsInfiniteDecimal() {
        assertThatThrownBy(
                        () ->
                                OptionValues.parseDouble(
                                        "retry_backoff_multiplier", "1e400", 1, Double.MAX_VALUE))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining(">= 1.0");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"2.0,2.0", "0.1,0.1", "0.00001,0.00001", "1000000.0,1000000.0", "0.05,0.05"})
    void formatsDoublesPlainly(double value, String expected) {
        assertThat(OptionValues.formatDouble(value)).isEqualTo(expected);
    }
}
