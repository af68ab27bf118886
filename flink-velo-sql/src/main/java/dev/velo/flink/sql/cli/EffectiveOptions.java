package dev.velo.flink.sql.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;

/**
 * The effective velo options of a table, as {@code VeloOptions.parse(table, options)
 * .effectiveOptions()} of flink-velo-batching computes them; values of secret keys are masked.
 */
@Internal
final class EffectiveOptions {

    private static final String VELO_OPTIONS = "dev.velo.flink.batching.config.VeloOptions";

    private EffectiveOptions() {}

    static LinkedHashMap<String, String> of(String table, Map<String, String> options) {
        LinkedHashMap<String, String> effective = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : parse(table, options).entrySet()) {
            effective.put(e.getKey(), isSecret(e.getKey()) ? "******" : e.getValue());
        }
        return effective;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> parse(String table, Map<String, String> options) {
        try {
            Class<?> veloOptions = Class.forName(VELO_OPTIONS);
            Method parse = veloOptions.getMethod("parse", String.class, Map.class);
            Object parsed = parse.invoke(null, table, options);
            return (Map<String, String>) veloOptions.getMethod("effectiveOptions").invoke(parsed);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof ValidationException) {
                throw (ValidationException) e.getCause();
            }
            throw new ValidationException(
                    "table " + table + ": " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            // an older flink-velo-batching: show the velo keys as written
            LinkedHashMap<String, String> given = new LinkedHashMap<>();
            options.forEach(
                    (k, v) -> {
                        if (isVeloKey(k)) {
                            given.put(k, v);
                        }
                    });
            return given;
        }
    }

    private static boolean isVeloKey(String key) {
        return key.startsWith("batch.")
                || key.startsWith("sink.batch.")
                || key.startsWith("dlq.")
                || key.startsWith("velo.")
                || key.matches(
                        "(source\\.|sink\\.)?(failure_strategy|max_retries|retry_backoff(_max|_multiplier)?"
                                + "|retry_jitter|retry_exhausted|max_failure_ratio|failure_ratio_window)");
    }

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password")
                || k.contains("secret")
                || k.contains("sasl.jaas.config")
                || k.contains("token")
                || k.contains("credentials");
    }
}
