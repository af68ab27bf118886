package dev.velo.flink.batching.internal.batcher;

import org.apache.flink.annotation.Internal;
import org.apache.flink.util.Preconditions;

/**
 * fixed_size: flushes at {@code min(batch.size, batch.max_size)} records, or {@code batch.timeout}
 * after the first record of the batch.
 */
@Internal
public final class FixedSizeBatcher<T> extends AbstractListBatcher<T> {

    private final int size;
    private final long timeoutMillis;

    public FixedSizeBatcher(int size, int maxBatchSize, long timeoutMillis) {
        super(Math.min(size, maxBatchSize));
        Preconditions.checkArgument(size > 0 && maxBatchSize > 0, "sizes must be positive");
        Preconditions.checkArgument(timeoutMillis >= 0, "timeout must be >= 0");
        this.size = Math.min(size, maxBatchSize);
        this.timeoutMillis = timeoutMillis;
    }

    /** The effective number of records per batch. */
    public int batchSize() {
        return size;
    }

    @Override
    public boolean add(T record, long nowMillis) {
        return append(record, nowMillis) >= size || nowMillis > deadlineOfNonEmpty();
    }

    @Override
    protected long deadlineOfNonEmpty() {
        return saturatedAdd(firstArrivalMillis, timeoutMillis);
    }
}
