package dev.velo.flink.batching.internal.batcher;

import org.apache.flink.annotation.Internal;
import org.apache.flink.util.Preconditions;

/**
 * adaptive_size: a target size n in [min, max] steered towards {@code batch.target_latency}.
 *
 * <p>Controller (proportional, damped): after each batch, the per-record cost is its latency
 * divided by its size; the size that would meet the target is {@code target / cost}; n moves half
 * way towards it, by at most a factor of 2 per batch, and stays within [min, max]. When latency
 * grows linearly with size the error halves with every batch, so n is within ±20 % of the ideal
 * size after a handful of batches (at most ~20 from either end of the range). The first batch uses
 * n = min. Flushes also at {@code batch.timeout} after the first record.
 */
@Internal
public final class AdaptiveSizeBatcher<T> extends AbstractListBatcher<T> {

    private final int minSize;
    private final int maxSize;
    private final long targetLatencyMillis;
    private final long timeoutMillis;
    private double target;

    public AdaptiveSizeBatcher(
            int minSize, int maxSize, long targetLatencyMillis, long timeoutMillis) {
        super(minSize);
        Preconditions.checkArgument(minSize > 0, "min size must be positive");
        Preconditions.checkArgument(maxSize >= minSize, "max size must be >= min size");
        Preconditions.checkArgument(targetLatencyMillis > 0, "target latency must be positive");
        Preconditions.checkArgument(timeoutMillis >= 0, "timeout must be >= 0");
        this.minSize = minSize;
        this.maxSize = maxSize;
        this.targetLatencyMillis = targetLatencyMillis;
        this.timeoutMillis = timeoutMillis;
        this.target = minSize;
    }

    /** The current target size n. */
    public int currentTargetSize() {
        return (int) Math.round(target);
    }

    @Override
    public boolean add(T record, long nowMillis) {
        return append(record, nowMillis) >= currentTargetSize() || nowMillis > deadlineOfNonEmpty();
    }

    @Override
    protected long deadlineOfNonEmpty() {
        return saturatedAdd(firstArrivalMillis, timeoutMillis);
    }

    /** The target size: the list of a grown target would otherwise re-grow from min every batch. */
    @Override
    protected int nextCapacity(int lastSize) {
        return currentTargetSize();
    }

    @Override
    public void onBatchProcessed(int size, long latencyMillis) {
        if (size <= 0) {
            return;
        }
        double ideal;
        if (latencyMillis <= 0) {
            ideal = maxSize;
        } else {
            double perRecord = (double) latencyMillis / size;
            ideal = targetLatencyMillis / perRecord;
        }
        double next = target + 0.5 * (ideal - target);
        next = Math.min(next, target * 2);
        next = Math.max(next, target / 2);
        target = Math.max(minSize, Math.min(maxSize, next));
    }
}
