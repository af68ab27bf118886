package dev.velo.flink.batching.config;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;

/** One of the six Velostream batch strategies, carrying its parameters. */
@PublicEvolving
public sealed interface BatchStrategy extends Serializable
        permits BatchStrategy.FixedSize,
                BatchStrategy.TimeWindow,
                BatchStrategy.MemoryBased,
                BatchStrategy.AdaptiveSize,
                BatchStrategy.LowLatency,
                BatchStrategy.MegaBatch {

    /** The strategy's kind. */
    BatchStrategyType type();

    /** {@code batch.size} records, or {@code batch.timeout} after the first record. */
    record FixedSize(int size) implements BatchStrategy {
        public BatchStrategyType type() {
            return BatchStrategyType.FIXED_SIZE;
        }
    }

    /** Everything that arrives within {@code batch.window} of the first record. */
    record TimeWindow(Duration window) implements BatchStrategy {
        public BatchStrategyType type() {
            return BatchStrategyType.TIME_WINDOW;
        }
    }

    /** Until the estimated size reaches {@code batch.memory_size} bytes. */
    record MemoryBased(long maxBytes) implements BatchStrategy {
        public BatchStrategyType type() {
            return BatchStrategyType.MEMORY_BASED;
        }
    }

    /** A target size in [minSize, maxSize] steered towards {@code batch.target_latency}. */
    record AdaptiveSize(int minSize, int maxSize, Duration targetLatency) implements BatchStrategy {
        public BatchStrategyType type() {
            return BatchStrategyType.ADAPTIVE_SIZE;
        }
    }

    /** Small batches flushed after {@code maxSize} records or {@code maxWait}. */
    record LowLatency(int maxSize, Duration maxWait, boolean eagerProcessing)
            implements BatchStrategy {
        public BatchStrategyType type() {
            return BatchStrategyType.LOW_LATENCY;
        }
    }

    /** Very large batches, optionally on a reused ring of buffers and in parallel. */
    record MegaBatch(int batchSize, boolean parallel, boolean reuseBuffer)
            implements BatchStrategy {
        public BatchStrategyType type() {
            return BatchStrategyType.MEGA_BATCH;
        }
    }
}
