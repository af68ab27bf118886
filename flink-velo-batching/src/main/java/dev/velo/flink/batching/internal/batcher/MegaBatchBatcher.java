package dev.velo.flink.batching.internal.batcher;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.util.Preconditions;

/**
 * mega_batch: flushes at {@code min(mega_batch_size, batch.max_size)} records or {@code
 * batch.timeout} after the first record.
 *
 * <p>With {@code reuse_buffer} the records go into a ring of arrays ({@value #RING_SLOTS}: one)
 * allocated once; {@link #drain()} returns a read-only view over the filled slot (the view objects
 * are preallocated too) and moves on to the next slot, so a steady stream allocates nothing per
 * batch. The view stays valid until the next {@link #add} ({@link Batcher#drain}); every caller is
 * done with a batch by then (it is processed synchronously in the flush, and what a retry keeps is
 * copied). One slot, not two: a second slot kept the previous batch's records reachable while the
 * next one filled, twice the live records per subtask; the velo stage then ran slower at
 * parallelism 2 (performance.md, "Which method C2 compiles first").
 */
@Internal
public final class MegaBatchBatcher<T> implements Batcher<T> {

    static final int RING_SLOTS = 1;

    private final int batchSize;
    private final long timeoutMillis;
    private final boolean reuseBuffer;

    private final Object[][] ring;
    private final RingSlice<T>[] views;
    private int slot;
    private int count;
    private List<T> list;
    private long firstArrivalMillis;

    @SuppressWarnings("unchecked")
    public MegaBatchBatcher(
            int megaBatchSize, int maxBatchSize, long timeoutMillis, boolean reuseBuffer) {
        Preconditions.checkArgument(
                megaBatchSize > 0 && maxBatchSize > 0, "sizes must be positive");
        Preconditions.checkArgument(timeoutMillis >= 0, "timeout must be >= 0");
        this.batchSize = Math.min(megaBatchSize, maxBatchSize);
        this.timeoutMillis = timeoutMillis;
        this.reuseBuffer = reuseBuffer;
        if (reuseBuffer) {
            ring = new Object[RING_SLOTS][batchSize];
            views = new RingSlice[RING_SLOTS];
            for (int i = 0; i < RING_SLOTS; i++) {
                views[i] = new RingSlice<>(ring[i]);
            }
        } else {
            ring = null;
            views = null;
            list = newList();
        }
    }

    private List<T> newList() {
        return new ArrayList<>(Math.min(batchSize, 65_536));
    }

    /** The effective number of records per batch. */
    public int batchSize() {
        return batchSize;
    }

    @Override
    public boolean add(T record, long nowMillis) {
        if (size() == 0) {
            firstArrivalMillis = nowMillis;
        }
        return addAtSameTime(record) || nowMillis > flushDeadline();
    }

    /**
     * Appends {@code record} and says whether the batch is full: {@link #add} without the
     * first-arrival and deadline bookkeeping, all that {@code add} decides for a record that joins
     * a non-empty batch at the arrival time the previous {@code add} of this batch was given (see
     * {@link FixedSizeBatcher#addAtSameTime}).
     */
    public boolean addAtSameTime(T record) {
        if (reuseBuffer) {
            ring[slot][count++] = record;
            return count >= batchSize;
        }
        list.add(record);
        return list.size() >= batchSize;
    }

    @Override
    public long flushDeadline() {
        if (size() == 0) {
            return Long.MAX_VALUE;
        }
        return AbstractListBatcher.saturatedAdd(firstArrivalMillis, timeoutMillis);
    }

    @Override
    public int size() {
        return reuseBuffer ? count : list.size();
    }

    @Override
    public List<T> drain() {
        if (!reuseBuffer) {
            List<T> out = list;
            list = newList();
            return out;
        }
        RingSlice<T> view = views[slot];
        view.size = count;
        slot = (slot + 1) % RING_SLOTS;
        count = 0;
        return view;
    }

    /** The array behind a list returned by {@link #drain()}, or null if it is not a ring view. */
    @VisibleForTesting
    static Object[] backingArrayOf(List<?> drained) {
        return drained instanceof RingSlice ? ((RingSlice<?>) drained).array : null;
    }

    /** A read-only list over the first {@code size} elements of one ring slot. */
    private static final class RingSlice<T> extends AbstractList<T> implements RandomAccess {
        private final Object[] array;
        private int size;

        RingSlice(Object[] array) {
            this.array = array;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T get(int index) {
            if (index < 0 || index >= size) {
                throw new IndexOutOfBoundsException("index " + index + ", size " + size);
            }
            return (T) array[index];
        }

        @Override
        public int size() {
            return size;
        }
    }
}
