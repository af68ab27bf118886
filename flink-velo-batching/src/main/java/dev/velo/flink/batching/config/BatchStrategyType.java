package dev.velo.flink.batching.config;

import org.apache.flink.annotation.PublicEvolving;

/** Names of the batch strategies: the seed's snake_case and Velostream's CamelCase. */
@PublicEvolving
public enum BatchStrategyType {
    FIXED_SIZE("fixed_size", "FixedSize"),
    TIME_WINDOW("time_window", "TimeWindow"),
    MEMORY_BASED("memory_based", "MemoryBased"),
    ADAPTIVE_SIZE("adaptive_size", "AdaptiveSize"),
    LOW_LATENCY("low_latency", "LowLatency"),
    MEGA_BATCH("mega_batch", "MegaBatch");

    private final String sqlName;
    private final String camelName;

    BatchStrategyType(String sqlName, String camelName) {
        this.sqlName = sqlName;
        this.camelName = camelName;
    }

    /** The canonical name used in WITH clauses, e.g. {@code fixed_size}. */
    public String sqlName() {
        return sqlName;
    }

    /** Velostream's enum name, e.g. {@code FixedSize}. */
    public String camelName() {
        return camelName;
    }
}
