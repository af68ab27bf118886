package dev.velo.flink.batching.internal.failure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Finds the record an error of an asynchronous writer belongs to ({@link FailureHandler#write}
 * describes the search) and applies the failure strategy to it. Keeps the window: the records
 * written since the last successful flush, with their batch ids and indexes.
 */
@Internal
final class BlameSearch<T> {

    private final RecordFailureStrategy<T> strategy;

    // the records written since the last successful flush, with their batch and index
    private Object[] windowRecords = new Object[0];
    private long[] windowBatchIds = new long[0];
    private int[] windowIndexes = new int[0];
    private int windowSize;
    // window positions below this had been written when the error surfaced (the rest had not)
    private int windowWritten;
    private boolean lastProbeFailedInWrite;
    private int lastProbeThrowIndex;

    BlameSearch(RecordFailureStrategy<T> strategy) {
        this.strategy = strategy;
    }

    int size() {
        return windowSize;
    }

    /** Marks every record of the window as written when an error surfaced. */
    void markAllWritten() {
        windowWritten = windowSize;
    }

    int written() {
        return windowWritten;
    }

    void add(long batchId, int index, T record) {
        int i = windowSize;
        if (i == windowRecords.length) {
            int cap = Math.max(16, i * 2);
            windowRecords = Arrays.copyOf(windowRecords, cap);
            windowBatchIds = Arrays.copyOf(windowBatchIds, cap);
            windowIndexes = Arrays.copyOf(windowIndexes, cap);
        }
        windowRecords[i] = record;
        windowBatchIds[i] = batchId;
        windowIndexes[i] = index;
        windowSize = i + 1;
    }

    void clear() {
        Arrays.fill(windowRecords, 0, windowSize, null);
        windowSize = 0;
    }

    @SuppressWarnings("unchecked")
    private T windowRecord(int pos) {
        return (T) windowRecords[pos];
    }

    /**
     * Finds the records of the window that failed ({@code firstError} reported it), applies the
     * strategy to them, and empties the window: every other record has been delivered.
     *
     * @param thrower the window position of the record whose write threw {@code firstError}, or -1
     *     when the flush did
     * @return the number of records dropped or dead-lettered
     */
    int resolve(AsyncWriteProcessor<T> writer, Exception firstError, int thrower) throws Exception {
        final int size = windowSize;
        try {
            List<Integer> culprits = new ArrayList<>();
            List<Exception> errors = new ArrayList<>();
            int[] retries = {0};
            if (strategy.retries(firstError, 0)) {
                // A transient error (a broker or network hiccup) is most likely the whole
                // window's: after each wait the window is written again as one batch (records
                // delivered before may arrive twice: at-least-once). Only an error that outlives
                // the retries, or is not transient, is searched for its record.
                int[] all = new int[size];
                for (int i = 0; i < size; i++) {
                    all[i] = i;
                }
                // nothing may be in flight during the wait: a writer that reports a failed send
                // through a mail of the task (Kafka's) would fail the task from inside the wait
                // (the wait runs mails). Its error belongs to the window, written again anyway.
                drain(writer);
                Exception error =
                        strategy.retryWhole(
                                firstError,
                                retries,
                                attempt -> {
                                    drain(writer);
                                    return probe(writer, all, 0, size);
                                });
                if (error == null) {
                    return 0;
                }
                firstError = error;
                thrower = -1;
            }
            if (size == 1 && retries[0] == 0) {
                // nothing else in flight: the error is this record's own
                culprits.add(0);
                errors.add(firstError);
            } else {
                identify(writer, firstError, thrower, culprits, errors);
            }
            RecordFailureStrategy.Round round =
                    new RecordFailureStrategy.Round(
                            strategy,
                            retries[0],
                            (pos, e, attempts) ->
                                    strategy.failRecord(
                                            windowBatchIds[pos],
                                            windowIndexes[pos],
                                            windowRecord(pos),
                                            e,
                                            attempts));
            report(culprits, errors, round);
            return strategy.retryRounds(
                    round,
                    (positions, r) -> {
                        isolate(
                                writer,
                                positions,
                                0,
                                positions.length,
                                new Probes(positions.length),
                                culprits,
                                errors);
                        report(culprits, errors, r);
                    });
        } finally {
            clear();
        }
    }

    private static void report(
            List<Integer> culprits, List<Exception> errors, RecordFailureStrategy.Round round)
            throws Exception {
        for (int c = 0; c < culprits.size(); c++) {
            round.failed(culprits.get(c), errors.get(c));
        }
        culprits.clear();
        errors.clear();
    }

    /**
     * Finds the culprits of the whole window. When a write threw and, once the writer is drained,
     * that record alone throws the same error again from its write, the error was its own
     * (synchronous, e.g. a serialization error) and the records before it, written before and
     * confirmed by the drain, are delivered: they are not sent again. Otherwise every record is
     * probed (in halves).
     */
    private void identify(
            AsyncWriteProcessor<T> writer,
            Exception firstError,
            int thrower,
            List<Integer> culprits,
            List<Exception> errors)
            throws Exception {
        final int size = windowSize;
        Probes probes = new Probes(size);
        if (thrower >= 0 && thrower < windowWritten && drain(writer)) {
            int[] others = new int[size - 1];
            for (int i = 0, j = 0; i < size; i++) {
                if (i != thrower) {
                    others[j++] = i;
                }
            }
            Exception own = probeAlone(writer, new int[] {thrower}, 0);
            if (own != null) {
                culprits.add(thrower);
                errors.add(own);
                if (isOwnError(firstError, own)) {
                    // delivered before the drain; the unwritten rest (if any) still needs sending
                    int from = 0;
                    while (from < others.length && others[from] < windowWritten) {
                        from++;
                    }
                    isolate(writer, others, from, others.length, probes, culprits, errors);
                    return;
                }
            }
            isolate(writer, others, 0, others.length, probes, culprits, errors);
            return;
        }
        if (size == 1) {
            isolate(writer, new int[] {0}, 0, 1, probes, culprits, errors);
            return;
        }
        int[] all = new int[size];
        for (int i = 0; i < size; i++) {
            all[i] = i;
        }
        int mid = size >>> 1;
        // the whole window is known to have failed: start with its halves
        isolate(writer, all, 0, mid, probes, culprits, errors);
        isolate(writer, all, mid, size, probes, culprits, errors);
    }

    /**
     * Writes the record at {@code pos[at]}, whose write threw, alone again (the writer was drained
     * after the throw) and flushes; returns its error, or null when it went through. {@link
     * #isOwnError} then tells whether the error is the record's own.
     */
    @Nullable
    private Exception probeAlone(AsyncWriteProcessor<T> writer, int[] pos, int at)
            throws Exception {
        return probe(writer, pos, at, at + 1);
    }

    /**
     * Whether the error of the last {@link #probeAlone} is the record's own: its write threw the
     * same error as {@code reported} again.
     */
    private boolean isOwnError(Exception reported, @Nullable Exception alone) {
        return alone != null && lastProbeFailedInWrite && sameError(reported, alone);
    }

    /** Same class and message, down the cause chain: the same failure reported twice. */
    private static boolean sameError(Throwable a, Throwable b) {
        for (int depth = 0; depth < 8; depth++) {
            if (a == null || b == null) {
                return a == b;
            }
            if (a.getClass() != b.getClass() || !Objects.equals(a.getMessage(), b.getMessage())) {
                return false;
            }
            a = a.getCause() == a ? null : a.getCause();
            b = b.getCause() == b ? null : b.getCause();
        }
        return true;
    }

    /**
     * Bounds the failing probes of one search. Halving needs fewer than two per candidate even when
     * every record fails (an outage), so the bound only guards against a writer that fails in ways
     * halving cannot explain; it never cuts a search of genuinely failed records short.
     */
    private static final class Probes {
        int failuresLeft;

        Probes(int candidates) {
            failuresLeft = 2 * candidates + 16;
        }
    }

    /**
     * Probes {@code pos[from, to)} and splits a failed group until single records remain; those are
     * the culprits. When the failing-probe budget is spent, a failed group's records are all
     * culprits with the group's error (their delivery could not be confirmed).
     */
    private void isolate(
            AsyncWriteProcessor<T> writer,
            int[] pos,
            int from,
            int to,
            Probes probes,
            List<Integer> culprits,
            List<Exception> errors)
            throws Exception {
        if (from >= to) {
            return;
        }
        Exception e = probe(writer, pos, from, to);
        if (e == null) {
            return;
        }
        probes.failuresLeft--;
        if (to - from == 1 || probes.failuresLeft <= 0) {
            for (int i = from; i < to; i++) {
                culprits.add(pos[i]);
                errors.add(e);
            }
            return;
        }
        if (lastProbeFailedInWrite) {
            // as in identify: when the record whose write threw throws the same error again alone,
            // the error is its own and the records before it, confirmed by the drain after the
            // throw, are not sent again; only the rest of the group is probed further. This keeps
            // a writer that refuses records synchronously free of duplicates.
            int at = lastProbeThrowIndex;
            Exception own = probeAlone(writer, pos, at);
            if (isOwnError(e, own)) {
                culprits.add(pos[at]);
                errors.add(own);
                isolate(writer, pos, at + 1, to, probes, culprits, errors);
                return;
            }
            if (own == null && at == from) {
                // the group's first record went through alone: the error was a stale one of it
                isolate(writer, pos, from + 1, to, probes, culprits, errors);
                return;
            }
        }
        int mid = (from + to) >>> 1;
        isolate(writer, pos, from, mid, probes, culprits, errors);
        isolate(writer, pos, mid, to, probes, culprits, errors);
    }

    /**
     * Writes the group and flushes; returns the error, or null when all of it was delivered. Sets
     * {@link #lastProbeFailedInWrite}.
     */
    @Nullable
    private Exception probe(AsyncWriteProcessor<T> writer, int[] pos, int from, int to)
            throws Exception {
        for (int i = from; i < to; i++) {
            try {
                writer.write(windowRecord(pos[i]));
            } catch (Exception e) {
                FailureHandler.rethrowIfInterrupted(e);
                // records of this group written before may still report: not into the next probe
                drain(writer);
                lastProbeFailedInWrite = true;
                lastProbeThrowIndex = i;
                return e;
            }
        }
        lastProbeFailedInWrite = false;
        try {
            writer.flush();
            return null;
        } catch (Exception e) {
            FailureHandler.rethrowIfInterrupted(e);
            return e;
        }
    }

    /**
     * Flushes; an error is ignored (it belongs to records that are probed again).
     *
     * @return whether the flush succeeded
     */
    private boolean drain(AsyncWriteProcessor<T> writer) throws Exception {
        try {
            writer.flush();
            return true;
        } catch (Exception e) {
            FailureHandler.rethrowIfInterrupted(e);
            return false;
        }
    }
}
