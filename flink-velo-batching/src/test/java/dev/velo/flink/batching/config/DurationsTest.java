package dev.velo.flink.batching.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.apache.flink.table.api.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests the duration grammar of {@link Durations}. */
class DurationsTest {

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("0", 0L),
                Arguments.of("1000", 1000L),
                Arguments.of("500ms", 500L),
                Arguments.of("500MS", 500L),
                Arguments.of("5 milli", 5L),
                Arguments.of("5millis", 5L),
                Arguments.of("1 millisecond", 1L),
                Arguments.of("7 Milliseconds", 7L),
                Arguments.of("30s", 30_000L),
                Arguments.of("30 sec", 30_000L),
                Arguments.of("1 second", 1_000L),
                Arguments.of("2 SECONDS", 2_000L),
                Arguments.of("5m", 300_000L),
                Arguments.of("5 min", 300_000L),
                Arguments.of("1 minute", 60_000L),
                Arguments.of("3minutes", 180_000L),
                Arguments.of("2h", 7_200_000L),
                Arguments.of("1 hour", 3_600_000L),
                Arguments.of("2 Hours", 7_200_000L),
                Arguments.of("1d", 86_400_000L),
                Arguments.of("1 day", 86_400_000L),
                Arguments.of("2days", 172_800_000L),
                Arguments.of("  100ms  ", 100L),
                Arguments.of("\t10 \t s\n", 10_000L),
                Arguments.of("0s", 0L),
                Arguments.of("007s", 7_000L),
                Arguments.of("9223372036854775807", Long.MAX_VALUE),
                Arguments.of("106751991167d", 106_751_991_167L * 86_400_000L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parsesValidDurations(String text, long expectedMillis) {
        assertThat(Durations.parse("batch.timeout", text))
                .isEqualTo(Duration.ofMillis(expectedMillis));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(
            strings = {
                "",
                "   ",
                "-1",
                "-5s",
                "1.5s",
                "1.5",
                "1,000ms",
                "1_000",
                "ms",
                "s5",
                "5 x",
                "5 mss",
                "5 months",
                "5 ms 3",
                "5s5",
                "+5s",
                "5 us",
                "5ns",
                "PT5S",
                "1e3",
                "9223372036854775808",
                "99999999999999999999999ms",
                "106751991168d",
                "9223372036854775807s",
                "٥s"
            })
    void rejectsInvalidDurations(String text) {
        assertThatThrownBy(() -> Durations.parse("batch.window", text))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'batch.window'")
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("ms, s, m, h or d");
    }

    @Test
    void nullIsRejectedLikeEmpty() {
        assertThatThrownBy(() -> Durations.parse("batch.window", null))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'batch.window'");
    }

    @Test
    void messageFormatWithoutTable() {
        assertThatThrownBy(() -> Durations.parse("batch.window", "5 parsecs"))
                .hasMessageStartingWith(
                        "Invalid value '5 parsecs' for option 'batch.window': expected a duration");
    }

    @Test
    void formatIsWholeMilliseconds() {
        assertThat(Durations.format(Duration.ofSeconds(1))).isEqualTo("1000ms");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0ms");
        assertThat(Durations.format(Duration.ofMinutes(1))).isEqualTo("60000ms");
        assertThat(Durations.format(Duration.ofNanos(1_500_000))).isEqualTo("1ms");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0", "1ms", "5s", "5m", "2h", "1d", "123456789ms"})
    void formatThenParseRoundTrips(String text) {
        Duration d = Durations.parse("k", text);
        assertThat(Durations.parse("k", Durations.format(d))).isEqualTo(d);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1 d", "2 h", "1 min", "30 s", "500 ms"})
    void acceptsFlinkConfigurationSpelling(String text) {
        assertThat(Durations.parse("k", text)).isPositive();
    }
}
