package dev.velo.flink.sql.dialect;

import dev.velo.flink.batching.config.VeloOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;

/**
 * Checks a table's velo options with {@link VeloOptions#parse} and reports every invalid one, not
 * only the first: the option an error names is set aside and the rest parsed again. A near-miss
 * value of a closed set (strategy names, failure strategies, booleans) gets a "did you mean".
 */
@Internal
final class OptionCheck {

    private static final Pattern KEY = Pattern.compile("(?:for option|unknown option) '([^']+)'");
    private static final Pattern ONE_OF = Pattern.compile("expected one of ([^(]+?)(?: \\(|\\.$)");
    private static final Pattern BOOLEAN = Pattern.compile("expected true, false");

    private OptionCheck() {}

    /** An invalid option: the key it names (null when none) and the message. */
    static final class Problem {
        final String key;
        final String message;

        /** The key itself is unknown (the error is at the key, not at the value). */
        final boolean unknownKey;

        Problem(String key, String message) {
            this.key = key;
            this.message = message;
            this.unknownKey = message.contains("unknown option '" + key + "'");
        }
    }

    static List<Problem> check(String table, Map<String, String> options) {
        List<Problem> problems = new ArrayList<>();
        Map<String, String> remaining = new LinkedHashMap<>(options);
        for (int round = 0; round <= options.size(); round++) {
            try {
                VeloOptions.parse(table, remaining);
                break;
            } catch (ValidationException e) {
                String message = e.getMessage() == null ? "invalid options" : e.getMessage();
                Matcher m = KEY.matcher(message);
                String key = m.find() ? m.group(1) : null;
                String value = key == null ? null : remaining.get(key);
                problems.add(new Problem(key, message + suggestion(message, key, value)));
                if (key == null || remaining.remove(key) == null) {
                    break;
                }
            }
        }
        return problems;
    }

    /** {@code " Did you mean 'fixed_size'?"} for a near-miss value, else empty. */
    static String suggestion(String message, String key, String value) {
        if (value == null || message.contains("did you mean") || VeloOptions.isSecretKey(key)) {
            return "";
        }
        List<String> candidates;
        Matcher oneOf = ONE_OF.matcher(message);
        if (oneOf.find()) {
            candidates = Arrays.asList(oneOf.group(1).trim().split(",\\s*"));
        } else if (BOOLEAN.matcher(message).find()) {
            candidates = List.of("true", "false");
        } else {
            return "";
        }
        String closest = closest(value, candidates);
        return closest == null ? "" : " Did you mean '" + closest + "'?";
    }

    /** The candidate nearest to {@code value} by edit distance, if close enough to be a typo. */
    static String closest(String value, List<String> candidates) {
        String needle = normalise(value);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(needle, normalise(c));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return bestDistance > 0 && bestDistance <= Math.max(2, needle.length() / 4) ? best : null;
    }

    private static String normalise(String s) {
        return s.trim().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
