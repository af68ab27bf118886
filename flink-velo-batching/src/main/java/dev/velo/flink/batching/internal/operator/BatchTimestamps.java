package dev.velo.flink.batching.internal.operator;

import java.util.Arrays;
import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The timestamps of the records a {@link BatchingOperator} buffers, by position in the batch, kept
 * beside the values (which the batcher holds) instead of in a StreamRecord holder per record: a
 * primitive column costs no object, no reference store and no pointer to follow when the batch is
 * emitted. Nothing is allocated or written until the first record with a timestamp arrives; from
 * then on every position is written when its record arrives, so a position always reads the
 * timestamp of the record now at that position. The columns grow to the largest batch seen and are
 * reused.
 */
@Internal
final class BatchTimestamps {

    private static final int INITIAL = 64;

    // null until the first record with a timestamp
    private long[] timestamps;
    private boolean[] present;

    /** Notes the timestamp (or its absence) of {@code element}, now at position {@code i}. */
    void record(int i, StreamRecord<?> element) {
        boolean has = element.hasTimestamp();
        if (present == null) {
            if (!has) {
                return;
            }
            allocate(i);
        } else if (i >= present.length) {
            grow(i);
        }
        present[i] = has;
        if (has) {
            timestamps[i] = element.getTimestamp();
        }
    }

    /** False while no record with a timestamp has arrived (then no position has one). */
    boolean any() {
        return present != null;
    }

    /** Whether the record at position {@code i} of the current batch has a timestamp. */
    boolean has(int i) {
        return present != null && i < present.length && present[i];
    }

    /** The record at position {@code i} with {@code value} in {@code holder}. */
    <T> StreamRecord<T> fill(StreamRecord<T> holder, T value, int i) {
        if (has(i)) {
            return holder.replace(value, timestamps[i]);
        }
        holder.replace(value);
        holder.eraseTimestamp();
        return holder;
    }

    /**
     * After a drain of {@code drained} records that left {@code kept} in the batcher (memory_based
     * keeps a record that arrived when the others had to go first): those now start the next batch,
     * so their timestamps move to its first positions.
     */
    void keep(int drained, int kept) {
        if (present == null || kept <= 0) {
            return;
        }
        System.arraycopy(present, drained, present, 0, kept);
        System.arraycopy(timestamps, drained, timestamps, 0, kept);
    }

    private void allocate(int i) {
        int n = Math.max(INITIAL, i + 1);
        timestamps = new long[n];
        present = new boolean[n];
    }

    private void grow(int i) {
        int n = Math.max(i + 1, present.length * 2);
        timestamps = Arrays.copyOf(timestamps, n);
        present = Arrays.copyOf(present, n);
    }
}
