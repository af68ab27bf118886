package dev.velo.flink.batching.internal.batcher;

import dev.velo.flink.batching.batcher.RecordSizeEstimator;
import dev.velo.flink.batching.batcher.RecordSizeEstimators;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import org.apache.flink.annotation.Internal;

/** Creates the {@link Batcher} of a {@link BatchConfig}. */
@Internal
public final class Batchers {

    private Batchers() {}

    /**
     * The batcher of {@code config}'s strategy. Every strategy is capped at {@code
     * config.maxBatchSize()}; size-, memory-, adaptive- and mega-batches also flush at {@code
     * config.batchTimeout()}; time_window uses its window and low_latency its wait instead.
     *
     * @param estimator used by memory_based only; may be null for other strategies
     */
    public static <T> Batcher<T> create(
            BatchConfig config, RecordSizeEstimator<? super T> estimator) {
        if (!config.isEnabled()) {
            return new PassThroughBatcher<>();
        }
        int max = config.maxBatchSize();
        long timeout = config.batchTimeout().toMillis();
        BatchStrategy s = config.strategy();
        if (s instanceof BatchStrategy.FixedSize f) {
            return new FixedSizeBatcher<>(f.size(), max, timeout);
        } else if (s instanceof BatchStrategy.TimeWindow w) {
            return new TimeWindowBatcher<>(w.window().toMillis(), max);
        } else if (s instanceof BatchStrategy.MemoryBased m) {
            return new MemoryBasedBatcher<T>(
                    m.maxBytes(),
                    max,
                    timeout,
                    estimator != null ? estimator : RecordSizeEstimators.generic());
        } else if (s instanceof BatchStrategy.AdaptiveSize a) {
            int hi = Math.min(a.maxSize(), max);
            int lo = Math.min(a.minSize(), hi);
            return new AdaptiveSizeBatcher<>(
                    lo, hi, Math.max(1, a.targetLatency().toMillis()), timeout);
        } else if (s instanceof BatchStrategy.LowLatency l) {
            return new LowLatencyBatcher<>(
                    l.maxSize(), max, l.maxWait().toMillis(), l.eagerProcessing());
        } else if (s instanceof BatchStrategy.MegaBatch mb) {
            return new MegaBatchBatcher<>(mb.batchSize(), max, timeout, mb.reuseBuffer());
        }
        throw new IllegalArgumentException("Unknown batch strategy: " + s);
    }
}
