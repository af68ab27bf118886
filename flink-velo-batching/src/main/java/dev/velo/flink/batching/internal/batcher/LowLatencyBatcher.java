package dev.velo.flink.batching.internal.batcher;

import org.apache.flink.annotation.Internal;
import org.apache.flink.util.Preconditions;

/**
 * low_latency: flushes at {@code low_latency_max_size} records or {@code low_latency_wait} after
 * the first record. With {@code eager_processing} the deadline is the first record's arrival time,
 * so the caller flushes as soon as the task thread is free: records that arrive while the thread is
 * busy join the batch, nothing waits for a clock.
 */
@Internal
public final class LowLatencyBatcher<T> extends AbstractListBatcher<T> {

    private final int maxSize;
    private final long waitMillis;
    private final boolean eager;

    public LowLatencyBatcher(int maxSize, int maxBatchSize, long waitMillis, boolean eager) {
        super(Math.min(maxSize, maxBatchSize));
        Preconditions.checkArgument(maxSize > 0 && maxBatchSize > 0, "sizes must be positive");
        Preconditions.checkArgument(waitMillis >= 0, "wait must be >= 0");
        this.maxSize = Math.min(maxSize, maxBatchSize);
        this.waitMillis = waitMillis;
        this.eager = eager;
    }

    @Override
    public boolean add(T record, long nowMillis) {
        return append(record, nowMillis) >= maxSize || nowMillis > deadlineOfNonEmpty();
    }

    @Override
    protected long deadlineOfNonEmpty() {
        return eager ? firstArrivalMillis : saturatedAdd(firstArrivalMillis, waitMillis);
    }
}
