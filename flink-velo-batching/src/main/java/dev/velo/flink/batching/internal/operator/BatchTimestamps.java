package dev.velo.flink.batching.internal.operator;

import java.util.Arrays;
import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The timestamps of the records a {@link BatchingOperator} buffers, by position in the batch, kept
 * beside the values (which the batcher holds) instead of in a StreamRecord holder per record.
 *
 * <p>While every record of the batch carries the same timestamp state as its first record — no
 * timestamp, or one and the same timestamp, as every record of a source without a timestamp
 * assigner does (Flink's sources then set {@code Long.MIN_VALUE}) — the batch's timestamps are that
 * one shared state: a record costs two compares, nothing is stored per position, and the batch
 * leaves with that state ({@link #uniform()}). The first record that differs moves the batch to
 * primitive columns (written from then on for every position); the next batch starts shared again.
 * The columns grow to the largest batch that needed them and are reused.
 */
@Internal
final class BatchTimestamps {

    private static final int INITIAL = 64;

    // every position recorded so far in this batch has (sharedHas, sharedTimestamp)
    private boolean uniform = true;
    private boolean sharedHas;
    private long sharedTimestamp;

    // the columns, valid for the positions of this batch while !uniform; null until first needed
    private long[] timestamps;
    private boolean[] present;

    /** Notes the timestamp (or its absence) of {@code element}, now at position {@code i}. */
    void record(int i, StreamRecord<?> element) {
        boolean has = element.hasTimestamp();
        long ts = element.getTimestamp();
        if (i == 0) {
            // a new batch with nothing kept from the last one
            uniform = true;
            sharedHas = has;
            sharedTimestamp = ts;
            return;
        }
        if (uniform) {
            if (has == sharedHas && ts == sharedTimestamp) {
                return;
            }
            toColumns(i);
        } else if (i >= present.length) {
            grow(i);
        }
        present[i] = has;
        timestamps[i] = ts;
    }

    /**
     * True when every record of the batch has the same timestamp state: {@link #sharedHas()} and
     * {@link #sharedTimestamp()}.
     */
    boolean uniform() {
        return uniform;
    }

    /** Whether the records of a {@link #uniform()} batch have a timestamp. */
    boolean sharedHas() {
        return sharedHas;
    }

    /** The timestamp of every record of a {@link #uniform()} batch that {@link #sharedHas()}. */
    long sharedTimestamp() {
        return sharedTimestamp;
    }

    /** Whether the record at position {@code i} of the current batch has a timestamp. */
    boolean has(int i) {
        return uniform ? sharedHas : present[i];
    }

    /** The record at position {@code i} with {@code value} in {@code holder}. */
    <T> StreamRecord<T> fill(StreamRecord<T> holder, T value, int i) {
        if (has(i)) {
            return holder.replace(value, uniform ? sharedTimestamp : timestamps[i]);
        }
        holder.replace(value);
        holder.eraseTimestamp();
        return holder;
    }

    /**
     * After a drain of {@code drained} records that left {@code kept} in the batcher (memory_based
     * keeps a record that arrived when the others had to go first): those now start the next batch,
     * so their timestamps move to its first positions. A shared state stays as it is.
     */
    void keep(int drained, int kept) {
        if (uniform || kept <= 0) {
            return;
        }
        System.arraycopy(present, drained, present, 0, kept);
        System.arraycopy(timestamps, drained, timestamps, 0, kept);
    }

    /** The first position with a state of its own: positions 0 to i - 1 get the shared one. */
    private void toColumns(int i) {
        if (present == null) {
            int n = Math.max(INITIAL, i + 1);
            timestamps = new long[n];
            present = new boolean[n];
        } else if (i >= present.length) {
            grow(i);
        }
        Arrays.fill(present, 0, i, sharedHas);
        Arrays.fill(timestamps, 0, i, sharedTimestamp);
        uniform = false;
    }

    private void grow(int i) {
        int n = Math.max(i + 1, present.length * 2);
        timestamps = Arrays.copyOf(timestamps, n);
        present = Arrays.copyOf(present, n);
    }
}
