package dev.velo.flink.batching.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;

/**
 * Parses the scalar option values of the dialect (booleans, whole numbers, decimals) with range
 * checks, reporting errors as {@link ValidationException}s that name the key, the value and what is
 * accepted. Values are trimmed first.
 */
@Internal
public final class OptionValues {

    static final String BOOLEAN_ACCEPTED = "expected true, false, yes, no, 1 or 0 (any case)";

    /** Plain decimal notation; rules out Java's extras such as NaN, Infinity, hex and 1d/1f. */
    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    private static final Pattern WHOLE = Pattern.compile("[+-]?\\d+");

    private static final Pattern CLASS_NAME =
            Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");

    private OptionValues() {}

    /** {@code true/false/yes/no/1/0}, any case. */
    public static boolean parseBoolean(String key, String value) {
        return parseBoolean(null, key, value);
    }

    /** A whole number in {@code [min, max]}. */
    public static int parseInt(String key, String value, int min, int max) {
        return parseInt(null, key, value, min, max);
    }

    /** A whole number in {@code [min, max]}. */
    public static long parseLong(String key, String value, long min, long max) {
        return parseLong(null, key, value, min, max);
    }

    /** A finite decimal number in {@code [min, max]}. */
    public static double parseDouble(String key, String value, double min, double max) {
        return parseDouble(null, key, value, min, max);
    }

    static boolean parseBoolean(String table, String key, String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "true":
            case "yes":
            case "1":
                return true;
            case "false":
            case "no":
            case "0":
                return false;
            default:
                throw ValidationMessages.invalidValue(table, key, value, BOOLEAN_ACCEPTED);
        }
    }

    static int parseInt(String table, String key, String value, int min, int max) {
        return (int) parseLong(table, key, value, min, max);
    }

    static long parseLong(String table, String key, String value, long min, long max) {
        String v = value == null ? "" : value.trim();
        String accepted = "expected a whole number " + range(min, max);
        if (!WHOLE.matcher(v).matches()) {
            throw ValidationMessages.invalidValue(table, key, value, accepted);
        }
        long parsed;
        try {
            parsed = Long.parseLong(v);
        } catch (NumberFormatException tooLarge) {
            throw ValidationMessages.invalidValue(table, key, value, accepted);
        }
        if (parsed < min || parsed > max) {
            throw ValidationMessages.invalidValue(table, key, value, accepted);
        }
        return parsed;
    }

    static double parseDouble(String table, String key, String value, double min, double max) {
        String v = value == null ? "" : value.trim();
        String accepted = "expected a decimal number " + range(min, max);
        if (!DECIMAL.matcher(v).matches()) {
            throw ValidationMessages.invalidValue(table, key, value, accepted);
        }
        double parsed = Double.parseDouble(v);
        if (!Double.isFinite(parsed) || parsed < min || parsed > max) {
            throw ValidationMessages.invalidValue(table, key, value, accepted);
        }
        return parsed;
    }

    /**
     * A comma-separated list of Java class names (fully qualified like {@code
     * java.sql.SQLTransientException}, or a trailing part like {@code RecordTooLargeException});
     * blanks around names are ignored, empty entries are not.
     */
    static List<String> parseClassNames(String table, String key, String value) {
        String accepted =
                "expected comma-separated Java class names such as"
                        + " 'java.sql.SQLTransientException,RecordTooLargeException'";
        String v = value == null ? "" : value.trim();
        if (v.isEmpty()) {
            throw ValidationMessages.invalidValue(table, key, value, accepted);
        }
        List<String> names = new ArrayList<>();
        for (String part : v.split(",", -1)) {
            String name = part.trim();
            if (!CLASS_NAME.matcher(name).matches()) {
                throw ValidationMessages.invalidValue(table, key, value, accepted);
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    /**
     * A double without exponent and with at least one decimal: 2.0, 0.1, 0.00001. Used by {@code
     * velo validate} so numbers read the way users type them.
     */
    public static String formatDouble(double d) {
        String plain = BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    private static String range(double min, double max) {
        if (max == Double.MAX_VALUE) {
            return ">= " + formatDouble(min);
        }
        return "from " + formatDouble(min) + " to " + formatDouble(max);
    }

    private static String range(long min, long max) {
        if (max == Integer.MAX_VALUE || max == Long.MAX_VALUE) {
            return (min == 1 ? "> 0" : ">= " + min) + " and at most " + max;
        }
        return "from " + min + " to " + max;
    }
}
