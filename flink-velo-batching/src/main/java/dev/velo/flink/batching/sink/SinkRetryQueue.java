package dev.velo.flink.batching.sink;

import dev.velo.flink.batching.internal.failure.FailureHandler.WriteOutcome;
import dev.velo.flink.batching.internal.failure.RetryTimer;
import dev.velo.flink.batching.internal.failure.Sleeper;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.util.function.ThrowingRunnable;

/**
 * The records a velo sink writer holds under RetryWithBackoff: at its head the batch waiting for
 * its retry (with the retries it had), then the batches flushed behind it, in order, so that no
 * record overtakes a retry (an upsert sink depends on the order). A processing-time timer at the
 * retry's deadline runs the head and then the batches behind it, until one of them waits for a
 * retry again or the queue is empty. The task thread is free in between: checkpoints, timers and a
 * cancel go on, and the queue is the writer state of a checkpoint taken meanwhile ({@link
 * VeloSinkState}).
 *
 * @param <E> a record with its writer context
 */
@Internal
final class SinkRetryQueue<E> {

    /** Writes the batches the queue releases. */
    interface Runner<E> {
        /**
         * Writes {@code batch}, which had {@code retriesDone} retries (0 for a batch queued behind
         * a retry); {@code last} when nothing is queued after it.
         */
        WriteOutcome<E> run(List<E> batch, int retriesDone, boolean last) throws Exception;

        /** Called before a batch runs again as retry, with what {@code numRetries} counts. */
        void countRetries(int retries);
    }

    /**
     * A batch in the queue with the retries it had, and what {@code numRetries} counts when it is
     * retried (its records for a restored batch).
     */
    record Entry<E>(List<E> records, int retriesDone, int retryCount) {
        Entry(List<E> records, int retriesDone) {
            this(records, retriesDone, records.size());
        }
    }

    private final RetryTimer timer;
    private final Runner<E> runner;
    // called when the queue has become empty after a timer or a wait ran it
    private final ThrowingRunnable<Exception> drained;

    private final ArrayDeque<Entry<E>> entries = new ArrayDeque<>();
    private int records;

    SinkRetryQueue(
            ProcessingTimeService time,
            Sleeper sleeper,
            Runner<E> runner,
            ThrowingRunnable<Exception> drained) {
        this.timer = new RetryTimer(time, sleeper, this::runQueue);
        this.runner = runner;
        this.drained = drained;
    }

    /** Whether records wait for a retry, or behind one. */
    boolean isPending() {
        return !entries.isEmpty();
    }

    /** Records in the queue (the retry batch's and those behind it). */
    int records() {
        return records;
    }

    /** The queue's batches in order, the retry first (for the writer state). */
    List<Entry<E>> entries() {
        return new ArrayList<>(entries);
    }

    /** Queues a batch behind the pending retry. */
    void enqueue(List<E> batch) {
        add(entries.size(), new Entry<>(new ArrayList<>(batch), 0));
    }

    /**
     * Puts restored batches in the queue, in order, and runs them at once (from a timer: before any
     * record that arrives meanwhile, which queues behind them).
     */
    void restore(List<Entry<E>> restored) {
        for (Entry<E> e : restored) {
            add(entries.size(), e);
        }
        if (isPending()) {
            timer.arm(timer.now());
        }
    }

    /**
     * Takes the records a run did not write: the retry first, then the records behind it, both in
     * front of everything queued, and arms the retry after its delay.
     */
    void defer(WriteOutcome<E> outcome) {
        if (!outcome.behind().isEmpty()) {
            add(0, new Entry<>(outcome.behind(), 0));
        }
        if (!outcome.retry().isEmpty()) {
            add(0, new Entry<>(outcome.retry(), outcome.attempt(), outcome.retries()));
        }
        timer.arm(timer.now() + Math.max(0, outcome.delayMillis()));
    }

    private void add(int at, Entry<E> e) {
        if (e.records().isEmpty()) {
            return;
        }
        if (at == 0) {
            entries.addFirst(e);
        } else {
            entries.addLast(e);
        }
        records += e.records().size();
    }

    /** Cancels the retry timer; a timer already queued in the mailbox then does nothing. */
    void cancelTimer() {
        timer.cancel();
    }

    /** Runs the head and the batches behind it until one waits for a retry or none is left. */
    private void runQueue() throws Exception {
        while (!entries.isEmpty()) {
            Entry<E> e = entries.poll();
            records -= e.records().size();
            if (e.retriesDone() > 0) {
                runner.countRetries(e.retryCount());
            }
            WriteOutcome<E> outcome = runner.run(e.records(), e.retriesDone(), entries.isEmpty());
            if (outcome != null && outcome.isDeferred()) {
                defer(outcome);
                return;
            }
        }
        drained.run();
    }

    /**
     * Waits until the queue is empty, running it on the task thread when its deadline is reached.
     * The wait yields to the mailbox when the sleeper does (the retry timer may run the queue
     * meanwhile). Used at the end of input and as back-pressure; a checkpoint barrier waits behind
     * it.
     */
    void await() throws Exception {
        timer.await(this::isPending);
    }
}
