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

    /**
     * {@link #add} for a record that joins a non-empty batch at the arrival time the previous
     * {@code add} of this batch was given: the deadline check then gives what it gave for that
     * record (false, or the batch would have been flushed), so only the size can end the batch. A
     * stage that reads the clock only every few records ({@link ArrivalClock}) calls this for the
     * records in between and keeps the deadline check off their path.
     */
    public boolean addAtSameTime(T record) {
        return appendToNonEmpty(record) >= size;
    }

    @Override
    protected long deadlineOfNonEmpty() {
        return saturatedAdd(firstArrivalMillis, timeoutMillis);
    }
}
