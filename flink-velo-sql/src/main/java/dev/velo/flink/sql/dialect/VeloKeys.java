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
}
