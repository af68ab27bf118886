package dev.velo.flink.sql.dialect;

import java.util.Set;
import org.apache.flink.annotation.Internal;

/**
 * Which option keys belong to flink-velo rather than to the wrapped connector. Mirrors {@code
 * VeloOptions.isVeloKey} of flink-velo-batching so the translator can decide where a key goes.
 */
@Internal
final class VeloKeys {

    private static final Set<String> FAILURE_KEYS =
            Set.of(
                    "failure_strategy",
                    "max_retries",
                    "retry_backoff",
                    "retry_backoff_max",
                    "retry_backoff_multiplier",
                    "retry_jitter",
                    "retry_exhausted",
                    "max_failure_ratio",
                    "failure_ratio_window");

    private VeloKeys() {}

    static boolean isVeloKey(String key) {
        if (key.startsWith("batch.")
                || key.startsWith("sink.batch.")
                || key.startsWith("dlq.")
                || key.startsWith("velo.")) {
            return true;
        }
        String bare = key;
        if (key.startsWith("source.")) {
            bare = key.substring("source.".length());
        } else if (key.startsWith("sink.")) {
            bare = key.substring("sink.".length());
        }
        return FAILURE_KEYS.contains(bare);
    }

    /** A key that configures the source side of a CREATE STREAM. */
    static boolean isSourceKey(String key) {
        return key.startsWith("source.");
    }
}
