package dev.velo.flink.batching.internal.batcher;

import dev.velo.flink.batching.batcher.RecordSizeEstimator;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.Preconditions;

/**
 * memory_based: flushes when the estimated bytes of the batch reach {@code batch.memory_size}, at
 * {@code batch.max_size} records, or {@code batch.timeout} after the first record.
 *
 * <p>A record whose own estimate reaches the budget goes alone: arriving at an empty buffer it is
 * flushed at once; arriving at a non-empty one, {@link #add} asks for a flush of the records
 * already buffered, and the {@link #drain} that follows returns those and keeps the large record as
 * the next batch, due at once (its deadline is its arrival, so the caller's timer or next call
 * flushes it, and a record arriving after it is held back the same way). The buffer never holds
 * more than {@code batch.memory_size} plus one record.
 */
@Internal
public final class MemoryBasedBatcher<T> extends AbstractListBatcher<T> {

    private final long maxBytes;
    private final int maxBatchSize;
    private final long timeoutMillis;
    private final RecordSizeEstimator<? super T> estimator;
    private long bytes;

    /** The buffer holds one record that reached the budget on its own. */
    private boolean alone;

    /** A record that arrived when the buffered ones had to be flushed first, until drain. */
    private T held;

    private boolean hasHeld;
    private long heldBytes;
    private long heldArrivalMillis;

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
        long size = Math.max(0, estimator.estimate(record));
        if (hasHeld) {
            throw new IllegalStateException("add after a flush was requested, before drain()");
        }
        if (!isEmpty() && (alone || size >= maxBytes)) {
            // the buffered records go first; this one starts the next batch
            held = record;
            heldBytes = size;
            heldArrivalMillis = nowMillis;
            hasHeld = true;
            return true;
        }
        bytes += size;
        int n = append(record, nowMillis);
        alone = size >= maxBytes;
        return bytes >= maxBytes || n >= maxBatchSize || nowMillis > deadlineOfNonEmpty();
    }

    @Override
    public List<T> drain() {
        List<T> out = super.drain();
        if (hasHeld) {
            T record = held;
            held = null;
            hasHeld = false;
            append(record, heldArrivalMillis);
            bytes = heldBytes;
            alone = heldBytes >= maxBytes;
        }
        return out;
    }

    @Override
    protected long deadlineOfNonEmpty() {
        return alone ? firstArrivalMillis : saturatedAdd(firstArrivalMillis, timeoutMillis);
    }

    @Override
    protected void onDrained() {
        bytes = 0;
        alone = false;
    }
}
