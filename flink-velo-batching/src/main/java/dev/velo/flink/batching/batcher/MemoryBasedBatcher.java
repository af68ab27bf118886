package dev.velo.flink.batching.batcher;

import org.apache.flink.annotation.Internal;
import org.apache.flink.util.Preconditions;

/**
 * memory_based: flushes when the estimated bytes of the batch reach {@code batch.memory_size}, at
 * {@code batch.max_size} records, or {@code batch.timeout} after the first record. A single record
 * larger than the budget is flushed alone, at once.
 */
@Internal
public final class MemoryBasedBatcher<T> extends AbstractListBatcher<T> {

    private final long maxBytes;
    private final int maxBatchSize;
    private final long timeoutMillis;
    private final RecordSizeEstimator<? super T> estimator;
    private long bytes;

    public MemoryBasedBatcher(
            long maxBytes,
            int maxBatchSize,
            long timeoutMillis,
            RecordSizeEstimator<? super T> estimator) {
        super(maxBatchSize);
        Preconditions.checkArgument(maxBytes > 0, "maxBytes must be positive");
        Preconditions.checkArgument(maxBatchSize > 0, "maxBatchSize must be positive");
        Preconditions.checkArgument(timeoutMillis >= 0, "timeout must be >= 0");
        this.maxBytes = maxBytes;
        this.maxBatchSize = maxBatchSize;
        this.timeoutMillis = timeoutMillis;
        this.estimator = Preconditions.checkNotNull(estimator);
    }

    /** Estimated bytes of the current batch. */
    public long bytes() {
        return bytes;
    }

    @Override
    public boolean add(T record, long nowMillis) {
        bytes += Math.max(0, estimator.estimate(record));
        int n = append(record, nowMillis);
        return bytes >= maxBytes || n >= maxBatchSize || nowMillis > deadlineOfNonEmpty();
    }

    @Override
    protected long deadlineOfNonEmpty() {
        return saturatedAdd(firstArrivalMillis, timeoutMillis);
    }

    @Override
    protected void onDrained() {
        bytes = 0;
    }
}
