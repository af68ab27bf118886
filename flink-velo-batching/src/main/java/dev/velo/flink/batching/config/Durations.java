package dev.velo.flink.batching.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.api.ValidationException;

/**
 * Parses and prints the durations of the Velostream dialect ({@code 500ms}, {@code 30s}, {@code
 * 5m}, {@code 2h}, {@code 1d}).
 *
 * <p>Grammar: optional surrounding whitespace, a non-negative whole number, optional whitespace,
 * then a unit: {@code ms|milli|millis|millisecond|milliseconds}, {@code s|sec|second|seconds},
 * {@code m|min|minute|minutes}, {@code h|hour|hours}, {@code d|day|days}, in any case. A bare
 * number is milliseconds. Fractions ({@code 1.5s}) are rejected rather than rounded, so what a user
 * writes is exactly what runs; {@code m} is minutes, never months. The result must fit in a {@code
 * long} number of milliseconds. Flink's own spelling ({@code 1 min}, {@code 500 ms}, as produced by
 * {@code Configuration#toMap}) is covered by this grammar.
 */
@PublicEvolving
public final class Durations {

    /** What the error messages say is accepted. */
    static final String ACCEPTED =
            "expected a duration <n><unit> with a whole number n >= 0 and unit ms, s, m, h or d"
                    + " (also milli(s), millisecond(s), sec, second(s), min, minute(s), hour(s),"
                    + " day(s); any case), or a whole number of milliseconds, e.g. 500ms, 30s,"
                    + " 5m";

    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*([a-zA-Z]*)");

    private static final Map<String, Long> MILLIS_PER_UNIT =
            Map.ofEntries(
                    Map.entry("", 1L),
                    Map.entry("ms", 1L),
                    Map.entry("milli", 1L),
                    Map.entry("millis", 1L),
                    Map.entry("millisecond", 1L),
                    Map.entry("milliseconds", 1L),
                    Map.entry("s", 1_000L),
                    Map.entry("sec", 1_000L),
                    Map.entry("second", 1_000L),
                    Map.entry("seconds", 1_000L),
                    Map.entry("m", 60_000L),
                    Map.entry("min", 60_000L),
                    Map.entry("minute", 60_000L),
                    Map.entry("minutes", 60_000L),
                    Map.entry("h", 3_600_000L),
                    Map.entry("hour", 3_600_000L),
                    Map.entry("hours", 3_600_000L),
                    Map.entry("d", 86_400_000L),
                    Map.entry("day", 86_400_000L),
                    Map.entry("days", 86_400_000L));

    private Durations() {}

    /**
     * Parses {@code value} of option {@code key}.
     *
     * @throws ValidationException naming the key, the value and the accepted formats when the value
     *     is empty, negative, fractional, has an unknown unit or overflows
     */
    public static Duration parse(String key, String value) {
        return parse(null, key, value);
    }

    /** The canonical spelling used by {@code velo validate}: whole milliseconds, e.g. "1000ms". */
    public static String format(Duration duration) {
        return duration.toMillis() + "ms";
    }

    static Duration parse(String table, String key, String value) {
        if (value == null) {
            throw ValidationMessages.invalidValue(table, key, "", ACCEPTED);
        }
        Matcher m = FORMAT.matcher(value.trim());
        if (!m.matches()) {
            throw ValidationMessages.invalidValue(table, key, value, ACCEPTED);
        }
        Long unitMillis = MILLIS_PER_UNIT.get(m.group(2).toLowerCase(Locale.ROOT));
        if (unitMillis == null) {
            throw ValidationMessages.invalidValue(table, key, value, ACCEPTED);
        }
        try {
            long amount = Long.parseLong(m.group(1));
            return Duration.ofMillis(Math.multiplyExact(amount, unitMillis));
        } catch (NumberFormatException | ArithmeticException e) {
            throw ValidationMessages.invalidValue(
                    table, key, value, ACCEPTED + "; the value is too large");
        }
    }

    /** Like {@link #parse(String, String, String)} with a lower bound (inclusive or not). */
    static Duration parse(String table, String key, String value, boolean allowZero) {
        Duration d = parse(table, key, value);
        if (!allowZero && d.isZero()) {
            throw ValidationMessages.invalidValue(
                    table, key, value, "expected a duration greater than 0, e.g. 500ms, 30s, 5m");
        }
        return d;
    }
}
