package dev.velo.flink.batching.internal.batcher;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;

/** Shared buffer handling of the strategies that collect into a fresh list per batch. */
@Internal
abstract class AbstractListBatcher<T> implements Batcher<T> {

    private final int capacityHint;
    private ArrayList<T> buffer;
    // with reuseDrainedLists: the list the last drain returned, cleared and reused by the next one
    private ArrayList<T> spare;
    private boolean reuseDrainedLists;

    /** Processing time of the first record of the current batch. */
    protected long firstArrivalMillis = Long.MIN_VALUE;

    AbstractListBatcher(int capacityHint) {
        this.capacityHint = Math.max(1, Math.min(capacityHint, 16_384));
        this.buffer = new ArrayList<>(this.capacityHint);
    }

    /** Appends and records the first arrival; returns the new size. */
    protected final int append(T record, long nowMillis) {
        if (buffer.isEmpty()) {
            firstArrivalMillis = nowMillis;
        }
        buffer.add(record);
        return buffer.size();
    }

    /** Appends a record to a non-empty batch; returns the new size. */
    protected final int appendToNonEmpty(T record) {
        buffer.add(record);
        return buffer.size();
    }

    /** Deadline of a non-empty batch; only called when {@link #size()} &gt; 0. */
    protected abstract long deadlineOfNonEmpty();

    @Override
    public final long flushDeadline() {
        return buffer.isEmpty() ? Long.MAX_VALUE : deadlineOfNonEmpty();
    }

    @Override
    public final int size() {
        return buffer.size();
    }

    /**
     * From now on two lists take turns: the list {@link #drain()} returns stays valid until the
     * next {@code drain()}, which clears it and fills it again, so a steady stream allocates no
     * list per batch. For a stage that is done with a batch before it drains the next one (and
     * whose batch ends cannot nest: a flush while a batch is out never drains anything, since no
     * record arrives meanwhile).
     */
    public final void reuseDrainedLists() {
        reuseDrainedLists = true;
    }

    @Override
    public List<T> drain() {
        ArrayList<T> out = buffer;
        if (reuseDrainedLists) {
            ArrayList<T> next = spare;
            if (next == null) {
                next = newBuffer(out.size());
            } else {
                next.clear();
            }
            spare = out;
            buffer = next;
        } else {
            buffer = newBuffer(out.size());
        }
        firstArrivalMillis = Long.MIN_VALUE;
        onDrained();
        return out;
    }

    /** The list of the next batch, sized for it after a batch of {@code lastSize} records. */
    private ArrayList<T> newBuffer(int lastSize) {
        return new ArrayList<>(Math.max(1, Math.min(16_384, nextCapacity(lastSize))));
    }

    /** Initial capacity of the next batch's list, given the size of the batch just drained. */
    protected int nextCapacity(int lastSize) {
        return Math.min(capacityHint, lastSize);
    }

    /** Hook to reset per-batch accumulators. */
    protected void onDrained() {}

    /** Adds {@code delayMillis} to {@code base} without overflowing. */
    static long saturatedAdd(long base, long delayMillis) {
        long r = base + delayMillis;
        return ((base ^ r) & (delayMillis ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
