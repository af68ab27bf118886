package dev.velo.flink.sql.dialect;

import dev.velo.flink.batching.config.VeloOptions;
import org.apache.flink.annotation.Internal;

/** Which option keys belong to flink-velo rather than to the wrapped connector. */
@Internal
final class VeloKeys {

    private VeloKeys() {}

    static boolean isVeloKey(String key) {
        return VeloOptions.isVeloKey(key);
    }

    /** A key that configures the source side of a CREATE STREAM. */
    static boolean isSourceKey(String key) {
        return key.startsWith("source.");
    }

    /**
     * A {@code source.*} key flink-velo applies to the stream's source table ({@code
     * source.failure_strategy}, {@code source.dlq.*}, ...); other {@code source.*} keys ({@code
     * source.format}, {@code source.path}) address the source itself, as in Velostream.
     */
    static boolean isSourceSideKey(String key) {
        return isVeloKey(key) || key.startsWith("source.dlq.");
    }

    /** A generic {@code sink.*} key that addresses the stream's sink, e.g. {@code sink.path}. */
    static boolean isSinkKey(String key) {
        return key.startsWith("sink.") && !isVeloKey(key);
    }
}
