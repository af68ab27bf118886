package dev.velo.flink.e2e.bench;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import java.time.Duration;
import java.util.List;

/** The batch configurations the benchmarks compare: the seed's defaults of every strategy. */
public final class BenchStrategies {

    /** The six strategies plus mega_batch without its reused ring buffer. */
    public static final List<String> ALL =
            List.of(
                    "fixed_size",
                    "time_window",
                    "memory_based",
                    "adaptive_size",
                    "low_latency",
                    "mega_batch",
                    "mega_batch_no_reuse");

    private BenchStrategies() {}

    /**
     * The seed's defaults of {@code name}: fixed_size 100, time_window 1s, memory_based 1 MiB,
     * adaptive_size 10..1000 at 100 ms, low_latency 1 record / 1 ms, mega_batch 50,000 with
     * reuse_buffer (cap raised to 100,000 as in the high-throughput preset). {@code parallel}
     * applies to mega_batch only.
     */
    public static BatchConfig config(String name, boolean parallel) {
        BatchConfig.Builder b = BatchConfig.builder();
        switch (name) {
            case "fixed_size":
                return b.strategy(new BatchStrategy.FixedSize(100)).build();
            case "fixed_size_1000":
                return b.strategy(new BatchStrategy.FixedSize(1000)).build();
            case "time_window":
                return b.strategy(new BatchStrategy.TimeWindow(Duration.ofSeconds(1))).build();
            case "memory_based":
                return b.strategy(new BatchStrategy.MemoryBased(1_048_576L)).build();
            case "adaptive_size":
                return b.strategy(new BatchStrategy.AdaptiveSize(10, 1000, Duration.ofMillis(100)))
                        .build();
            case "low_latency":
                return b.strategy(new BatchStrategy.LowLatency(1, Duration.ofMillis(1), true))
                        .batchTimeout(Duration.ofMillis(1))
                        .build();
            case "low_latency_eager":
                // up to 10 records, so that a batch is flushed by eager processing, not by size
                return b.strategy(new BatchStrategy.LowLatency(10, Duration.ofMillis(50), true))
                        .build();
            case "mega_batch":
                return b.strategy(new BatchStrategy.MegaBatch(50_000, parallel, true))
                        .maxBatchSize(100_000)
                        .batchTimeout(Duration.ofMillis(100))
                        .build();
            case "mega_batch_no_reuse":
                return b.strategy(new BatchStrategy.MegaBatch(50_000, parallel, false))
                        .maxBatchSize(100_000)
                        .batchTimeout(Duration.ofMillis(100))
                        .build();
            default:
                throw new IllegalArgumentException(
                        "unknown strategy '" + name + "'; accepted: " + ALL);
        }
    }
}
