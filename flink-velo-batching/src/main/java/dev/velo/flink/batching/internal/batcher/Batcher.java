package dev.velo.flink.batching.internal.batcher;

import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * Groups records of one parallel subtask into batches according to one batch strategy.
 *
 * <p>A batcher is single-threaded (it lives on the task thread) and knows no clock: callers pass
 * the processing time with every call, which keeps strategies testable with a fake clock. The
 * caller flushes when {@link #add} returns true, and otherwise arranges a timer for {@link
 * #flushDeadline()}.
 */
@Internal
public interface Batcher<T> {

    /**
     * Adds a record that arrived at {@code nowMillis}.
     *
     * @return true when the batch must be flushed now (size, memory or overdue deadline)
     */
    boolean add(T record, long nowMillis);

    /**
     * The processing time by which the current batch must be flushed, or {@link Long#MAX_VALUE}
     * when the batch is empty or has no deadline. A deadline equal to the time of the last add
     * means "as soon as the task thread is free". The deadline of a batch is fixed by its first
     * record: callers arrange the flush when a batch starts, not on every add.
     */
    long flushDeadline();

    /** Number of records in the current batch. */
    int size();

    default boolean isEmpty() {
        return size() == 0;
    }

    /**
     * Removes and returns the current batch in arrival order. With a reused buffer ({@link
     * MegaBatchBatcher} with {@code reuse_buffer}) the list is a read-only view over a ring slot
     * that stays valid until the next {@link #add}; copy it to keep it longer. After {@code
     * reuseDrainedLists()} ({@link FixedSizeBatcher}) the list is valid until the next drain.
     */
    List<T> drain();

    /**
     * Feedback after a batch was processed: its size and its latency, from the first record in to
     * the batch processed. Only adaptive strategies use it.
     */
    default void onBatchProcessed(int size, long latencyMillis) {}
}
