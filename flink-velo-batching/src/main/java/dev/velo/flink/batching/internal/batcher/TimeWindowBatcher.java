package dev.velo.flink.batching.internal.batcher;

import org.apache.flink.annotation.Internal;
import org.apache.flink.util.Preconditions;

/**
 * time_window: everything that arrives within {@code batch.window} of the batch's first record,
 * capped at {@code batch.max_size} records. A record that arrives after the deadline but before the
 * timer fired (a busy task thread) still joins the batch, which is then flushed at once.
 */
@Internal
public final class TimeWindowBatcher<T> extends AbstractListBatcher<T> {

    private final long windowMillis;
    private final int maxBatchSize;

    public TimeWindowBatcher(long windowMillis, int maxBatchSize) {
        super(maxBatchSize);
        Preconditions.checkArgument(windowMillis >= 0, "window must be >= 0");
        Preconditions.checkArgument(maxBatchSize > 0, "maxBatchSize must be positive");
        this.windowMillis = windowMillis;
        this.maxBatchSize = maxBatchSize;
    }

    @Override
    public boolean add(T record, long nowMillis) {
        return append(record, nowMillis) >= maxBatchSize || nowMillis > deadlineOfNonEmpty();
    }

    @Override
    protected long deadlineOfNonEmpty() {
        return saturatedAdd(firstArrivalMillis, windowMillis);
    }
}
