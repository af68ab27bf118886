package dev.velo.flink.batching.config;

import java.util.Collection;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.flink.table.api.ValidationException;

/**
 * Builds the user-facing option errors in one format, masking secret values, so every parser of
 * this package reports problems the same way.
 */
final class ValidationMessages {

    static final String MASK = "******";

    /** Keys whose values must never reach a message or a log line. */
    private static final Pattern SECRET_KEY =
            Pattern.compile(".*(password|secret|jaas|token|credential).*");

    /** Long values are cut so that a pasted blob does not flood the message. */
    private static final int MAX_SHOWN_VALUE_LENGTH = 120;

    private ValidationMessages() {}

    static boolean isSecretKey(String key) {
        return key != null && SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches();
    }

    /** The value as it may appear in a message: masked for secret keys, shortened if long. */
    static String printable(String key, String value) {
        if (isSecretKey(key)) {
            return MASK;
        }
        if (value == null) {
            return "";
        }
        if (value.length() > MAX_SHOWN_VALUE_LENGTH) {
            return value.substring(0, MAX_SHOWN_VALUE_LENGTH) + "...";
        }
        return value;
    }

    /**
     * {@code Table 't': invalid value 'v' for option 'k': accepted.}; without a table the sentence
     * starts at "Invalid value".
     */
    static ValidationException invalidValue(
            String table, String key, String value, String accepted) {
        return new ValidationException(
                withTable(
                        table,
                        "invalid value '"
                                + printable(key, value)
                                + "' for option '"
                                + key
                                + "': "
                                + accepted
                                + "."));
    }

    /** {@code Table 't': unknown option 'k' (value 'v'); did you mean ...}. */
    static ValidationException unknownOption(
            String table, String key, String value, String suggestion, Collection<String> known) {
        String hint =
                suggestion != null
                        ? "did you mean '" + suggestion + "'?"
                        : "known options are " + String.join(", ", known) + ".";
        return new ValidationException(
                withTable(
                        table,
                        "unknown option '"
                                + key
                                + "' (value '"
                                + printable(key, value)
                                + "'); "
                                + hint));
    }

    static String withTable(String table, String sentence) {
        if (table == null) {
            return Character.toUpperCase(sentence.charAt(0)) + sentence.substring(1);
        }
        return "Table '" + table + "': " + sentence;
    }

    /**
     * The candidate closest to {@code unknown} by edit distance, or null when none is close enough
     * to be a plausible typo.
     */
    static String closest(String unknown, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String needle = unknown.toLowerCase(Locale.ROOT);
        for (String candidate : candidates) {
            int d = editDistance(needle, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        int allowed = Math.max(2, needle.length() / 3);
        if (bestDistance <= allowed) {
            return best;
        }
        // A clipped key such as "eager" for "eager_processing" is far by edit distance.
        if (needle.length() >= 4) {
            for (String candidate : candidates) {
                if (candidate.toLowerCase(Locale.ROOT).contains(needle)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /** Levenshtein distance with two rolling rows. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
