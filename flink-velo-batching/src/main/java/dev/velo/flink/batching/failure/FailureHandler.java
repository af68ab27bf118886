package dev.velo.flink.batching.failure;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.metrics.VeloMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.LongSupplier;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.util.Preconditions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a batch through a {@link BatchProcessor} and applies the configured failure strategy to
 * record failures (a throw from processRecord) and batch failures (a throw from finishBatch).
 *
 * <p>RetryWithBackoff retries only {@linkplain RetriableErrors retriable} errors. Failed records
 * are retried together in rounds (one wait per round); a failed batch is retried as a whole
 * (at-least-once: the sink may see its records twice). Retries run on the task thread, so a batch
 * blocks at most the sum of the capped delays of {@code max_retries} record rounds plus {@code
 * max_retries} batch rounds, and a checkpoint barrier waits as long. Non-retriable errors and
 * exhausted retries go to {@code retry_exhausted}.
 *
 * <p>Sink writers, whose writes complete in the background and report a failure on a later call, go
 * through {@link #write} instead, which blames an error on the record that failed (see there).
 *
 * <p>Logs carry metadata only (table, batch id, record index, error class and message), never the
 * record.
 */
@PublicEvolving
public final class FailureHandler<T> {

    private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

    private final FailureConfig config;
    private final String tableName;
    private final String side;
    private final DeadLetterEncoder<T> encoder;
    @Nullable private final DeadLetterSink deadLetters;
    private final VeloMetrics metrics;
    private final Sleeper sleeper;
    private final LongSupplier clock;
    private final Random random;
    private final RetryBackoff backoff;
    @Nullable private final FailureRatioGuard guard;
    private boolean writesInTransaction;
    private boolean[] doneScratch = new boolean[0];

    // the records written by write() since the last successful flush, with their batch and index
    private Object[] windowRecords = new Object[0];
    private long[] windowBatchIds = new long[0];
    private int[] windowIndexes = new int[0];
    private int windowSize;
    // window positions below this had been written when the error surfaced (the rest had not)
    private int windowWritten;
    private boolean lastProbeFailedInWrite;
    private int lastProbeThrowIndex;

    public FailureHandler(
            FailureConfig config,
            String tableName,
            String side,
            DeadLetterEncoder<T> encoder,
            @Nullable DeadLetterSink deadLetters,
            VeloMetrics metrics,
            Sleeper sleeper,
            LongSupplier clock) {
        this(config, tableName, side, encoder, deadLetters, metrics, sleeper, clock, new Random());
    }

    @VisibleForTesting
    FailureHandler(
            FailureConfig config,
            String tableName,
            String side,
            DeadLetterEncoder<T> encoder,
            @Nullable DeadLetterSink deadLetters,
            VeloMetrics metrics,
            Sleeper sleeper,
            LongSupplier clock,
            Random random) {
        this.config = Preconditions.checkNotNull(config);
        this.tableName = tableName;
        this.side = side;
        this.encoder = encoder != null ? encoder : DeadLetterEncoder.toStringUtf8();
        this.deadLetters = deadLetters;
        this.metrics = Preconditions.checkNotNull(metrics);
        this.sleeper = sleeper != null ? sleeper : Sleeper.system();
        this.clock = clock != null ? clock : System::currentTimeMillis;
        this.random = random;
        this.backoff = new RetryBackoff(config);
        this.guard = FailureRatioGuard.of(config);
        if (config.mayDeadLetter() && deadLetters == null) {
            throw new IllegalStateException(
                    "Table '"
                            + tableName
                            + "': failure strategy "
                            + config
                            + " sends records to a DLQ, but no DLQ is configured.");
        }
    }

    /**
     * Processes {@code batch}.
     *
     * @return the number of records that were neither dropped nor dead-lettered
     * @throws VeloBatchFailedException when the effective strategy is FailBatch
     * @throws VeloFailureRatioExceededException when the error-rate guard trips
     */
    public int process(long batchId, List<T> batch, BatchProcessor<T> processor) throws Exception {
        final int n = batch.size();
        final FailureStrategy strategy = config.strategy();
        final boolean retrying = strategy == FailureStrategy.RETRY_WITH_BACKOFF;
        final FailureStrategy terminal = retrying ? config.retryExhaustedStrategy() : strategy;
        final int maxRetries = retrying ? config.maxRetries() : 0;
        // reused across batches so that a clean batch allocates nothing (mega_batch reuse_buffer)
        final boolean[] done = doneFlags(n);
        int failed = 0;

        List<Integer> retryIdx = null;
        for (int i = 0; i < n; i++) {
            try {
                processor.processRecord(batch.get(i));
            } catch (Exception e) {
                rethrowIfInterrupted(e);
                if (maxRetries > 0 && RetriableErrors.isRetriable(e, config)) {
                    if (retryIdx == null) {
                        retryIdx = new ArrayList<>();
                    }
                    retryIdx.add(i);
                } else {
                    failed += failRecordAt(terminal, batchId, batch, done, i, e, 1);
                }
            }
        }
        for (int attempt = 1;
                retryIdx != null && !retryIdx.isEmpty() && attempt <= maxRetries;
                attempt++) {
            sleep(attempt);
            metrics.numRetries().inc(retryIdx.size());
            List<Integer> still = new ArrayList<>();
            for (int i : retryIdx) {
                try {
                    processor.processRecord(batch.get(i));
                } catch (Exception e) {
                    rethrowIfInterrupted(e);
                    if (attempt < maxRetries && RetriableErrors.isRetriable(e, config)) {
                        still.add(i);
                    } else {
                        failed += failRecordAt(terminal, batchId, batch, done, i, e, 1 + attempt);
                    }
                }
            }
            retryIdx = still;
        }

        int batchAttempt = 0;
        while (true) {
            try {
                processor.finishBatch();
                break;
            } catch (Exception e) {
                rethrowIfInterrupted(e);
                if (batchAttempt < maxRetries && RetriableErrors.isRetriable(e, config)) {
                    batchAttempt++;
                    sleep(batchAttempt);
                    metrics.numRetries().inc();
                    for (int i = 0; i < n; i++) {
                        if (done[i]) {
                            continue;
                        }
                        try {
                            processor.processRecord(batch.get(i));
                        } catch (Exception re) {
                            rethrowIfInterrupted(re);
                            failed +=
                                    failRecordAt(
                                            terminal,
                                            batchId,
                                            batch,
                                            done,
                                            i,
                                            re,
                                            1 + batchAttempt);
                        }
                    }
                    continue;
                }
                failed += failBatch(terminal, batchId, batch, done, e, 1 + batchAttempt);
                break;
            }
        }
        return checkGuard(n, failed);
    }

    /**
     * Marks the writer as writing inside a transaction that a failed write aborts (an exactly-once
     * Kafka sink): no record can then be dropped or dead-lettered and the rest kept, so {@link
     * #write} fails the task on any error, whatever the strategy, and the transaction is replayed
     * from the last checkpoint.
     */
    public FailureHandler<T> withWritesInTransaction() {
        this.writesInTransaction = true;
        return this;
    }

    /**
     * Whether {@link #write} keeps the records written since the last successful flush, to find the
     * one a later error belongs to: not under FailBatch (any error fails the task) nor inside a
     * transaction.
     */
    public boolean tracksWrites() {
        return config.strategy() != FailureStrategy.FAIL_BATCH && !writesInTransaction;
    }

    /** Records written by {@link #write} and not yet confirmed by a successful flush. */
    public int unflushedWrites() {
        return windowSize;
    }

    /**
     * Writes {@code batch} to an asynchronous writer, then flushes it when {@code flush}. An error
     * reported by a write or the flush may belong to any record written since the last successful
     * flush (of this or an earlier call), so it is blamed on the record that actually failed:
     *
     * <ul>
     *   <li>when that window holds only the record whose write threw, it is that record's;
     *   <li>when a write threw, the writer is flushed and that record written alone again: when its
     *       write throws the same error again, the error is its own, and the records before it,
     *       confirmed by the flush, are not sent again;
     *   <li>otherwise the window's records are sent again in halves, each half followed by a flush
     *       ("probes"); a half whose probe succeeds is delivered, a failing half is split again,
     *       and a single record whose own probe fails is the culprit. The writer is flushed, its
     *       error ignored, before the first probe and after a probe whose write threw, so that a
     *       stale error of one probe is never blamed on the next. Records delivered before may be
     *       delivered again (at-least-once); none of them is dropped or dead-lettered;
     *   <li>the strategy then applies to the culprits only; RetryWithBackoff retries them
     *       (retriable errors, in rounds with one wait each, probing them the same way).
     * </ul>
     *
     * <p>Under FailBatch and inside a transaction ({@link #withWritesInTransaction}) any error
     * fails the task at once and nothing is kept per record.
     *
     * @return the records of {@code batch} handed over minus every record (of this or an earlier
     *     call) dropped or dead-lettered during this call; negative when earlier calls' records
     *     failed here (write-through without a flush per call)
     */
    public int write(long batchId, List<T> batch, AsyncWriteProcessor<T> writer, boolean flush)
            throws Exception {
        final int n = batch.size();
        final boolean track = tracksWrites();
        int failed = 0;
        boolean resolvedBefore = false;
        for (int i = 0; i < n; i++) {
            T record = batch.get(i);
            if (track) {
                // a candidate before its write: a write that throws may have sent it
                addToWindow(batchId, i, record);
            }
            try {
                writer.write(record);
            } catch (Exception e) {
                rethrowIfInterrupted(e);
                if (!track) {
                    throw failTask(batchId, i, e);
                }
                windowWritten = windowSize;
                if (resolvedBefore) {
                    // a second error in one batch (an outage?): the rest joins this search, so a
                    // batch costs at most two bounded searches
                    for (int j = i + 1; j < n; j++) {
                        addToWindow(batchId, j, batch.get(j));
                    }
                    failed += resolveWindow(writer, e, windowWritten - 1);
                    return checkGuard(n, failed);
                }
                failed += resolveWindow(writer, e, windowWritten - 1);
                resolvedBefore = true;
            }
        }
        if (flush) {
            failed -= flushWrites(batchId, writer);
        }
        return checkGuard(n, failed);
    }

    /**
     * Flushes an asynchronous writer; on an error, blames it as {@link #write} does.
     *
     * @return minus the number of records dropped or dead-lettered
     */
    public int flushWrites(long batchId, AsyncWriteProcessor<T> writer) throws Exception {
        try {
            writer.flush();
            clearWindow();
            return 0;
        } catch (Exception e) {
            rethrowIfInterrupted(e);
            if (!tracksWrites()) {
                throw failTask(batchId, -1, e);
            }
            windowWritten = windowSize;
            return -resolveWindow(writer, e, -1);
        }
    }

    private VeloBatchFailedException failTask(long batchId, int index, Exception e) {
        if (writesInTransaction && config.strategy() != FailureStrategy.FAIL_BATCH) {
            return new VeloBatchFailedException(
                    tableName,
                    batchId,
                    index,
                    1,
                    e,
                    "the sink writes inside a transaction that a failed write aborts, so "
                            + config.strategy().displayName()
                            + " cannot apply to one record: the task fails and the transaction is"
                            + " replayed from the last checkpoint");
        }
        return new VeloBatchFailedException(tableName, batchId, index, 1, e);
    }

    private void addToWindow(long batchId, int index, T record) {
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

    private void clearWindow() {
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
    private int resolveWindow(AsyncWriteProcessor<T> writer, Exception firstError, int thrower)
            throws Exception {
        final int size = windowSize;
        final FailureStrategy strategy = config.strategy();
        final boolean retrying = strategy == FailureStrategy.RETRY_WITH_BACKOFF;
        final FailureStrategy terminal = retrying ? config.retryExhaustedStrategy() : strategy;
        final int maxRetries = retrying ? config.maxRetries() : 0;
        try {
            List<Integer> culprits = new ArrayList<>();
            List<Exception> errors = new ArrayList<>();
            int retries = 0;
            if (maxRetries > 0 && RetriableErrors.isRetriable(firstError, config)) {
                // A transient error (a broker or network hiccup) is most likely the whole
                // window's: after each wait the window is written again as one batch (records
                // delivered before may arrive twice: at-least-once). Only an error that outlives
                // the retries, or is not transient, is searched for its record.
                int[] all = new int[size];
                for (int i = 0; i < size; i++) {
                    all[i] = i;
                }
                Exception error = firstError;
                while (error != null
                        && retries < maxRetries
                        && RetriableErrors.isRetriable(error, config)) {
                    retries++;
                    sleep(retries);
                    metrics.numRetries().inc();
                    drain(writer);
                    error = probe(writer, all, 0, size);
                }
                if (error == null) {
                    return 0;
                }
                firstError = error;
                thrower = -1;
            }
            if (size == 1 && retries == 0) {
                // nothing else in flight: the error is this record's own
                culprits.add(0);
                errors.add(firstError);
            } else {
                identify(writer, firstError, thrower, culprits, errors);
            }
            int failed = 0;
            while (!culprits.isEmpty()) {
                List<Integer> retry = new ArrayList<>();
                for (int c = 0; c < culprits.size(); c++) {
                    int pos = culprits.get(c);
                    Exception e = errors.get(c);
                    if (retries < maxRetries && RetriableErrors.isRetriable(e, config)) {
                        retry.add(pos);
                    } else {
                        failRecord(
                                terminal,
                                windowBatchIds[pos],
                                windowIndexes[pos],
                                windowRecord(pos),
                                e,
                                1 + retries);
                        failed++;
                    }
                }
                culprits.clear();
                errors.clear();
                if (retry.isEmpty()) {
                    break;
                }
                retries++;
                sleep(retries);
                metrics.numRetries().inc(retry.size());
                int[] positions = retry.stream().mapToInt(Integer::intValue).toArray();
                isolate(
                        writer,
                        positions,
                        0,
                        positions.length,
                        new Probes(positions.length),
                        culprits,
                        errors);
            }
            return failed;
        } finally {
            clearWindow();
        }
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
            Exception own = probe(writer, new int[] {thrower}, 0, 1);
            boolean ownInWrite = lastProbeFailedInWrite;
            int[] others = new int[size - 1];
            for (int i = 0, j = 0; i < size; i++) {
                if (i != thrower) {
                    others[j++] = i;
                }
            }
            if (own != null) {
                culprits.add(thrower);
                errors.add(own);
                if (ownInWrite && sameError(firstError, own)) {
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
            Exception own = probe(writer, pos, at, at + 1);
            if (own != null && lastProbeFailedInWrite && sameError(e, own)) {
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
                rethrowIfInterrupted(e);
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
            rethrowIfInterrupted(e);
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
            rethrowIfInterrupted(e);
            return false;
        }
    }

    /** The per-batch "done" flags, all false, in an array kept for the next batch. */
    private boolean[] doneFlags(int n) {
        if (doneScratch.length < n) {
            doneScratch = new boolean[n];
        } else {
            Arrays.fill(doneScratch, 0, n, false);
        }
        return doneScratch;
    }

    private void sleep(int attempt) throws InterruptedException {
        long delay = backoff.delayMillis(attempt, random.nextDouble());
        if (delay > 0) {
            sleeper.sleep(delay);
        }
    }

    /**
     * Rethrows what no strategy may handle: an interrupt (cancellation), and an exception the
     * processor marked as not the record's (a downstream operator's).
     */
    private static void rethrowIfInterrupted(Exception e) throws InterruptedException {
        if (e instanceof InterruptedException) {
            throw (InterruptedException) e;
        }
        if (e instanceof NotARecordFailureException) {
            throw (NotARecordFailureException) e;
        }
    }

    /** Fails record {@code i} under {@code s} and marks it done; returns 1, the failure count. */
    private int failRecordAt(
            FailureStrategy s,
            long batchId,
            List<T> batch,
            boolean[] done,
            int i,
            Exception e,
            int attempts)
            throws Exception {
        failRecord(s, batchId, i, batch.get(i), e, attempts);
        done[i] = true;
        return 1;
    }

    /** Feeds the error-rate guard with the batch's counts; returns the records that went on. */
    private int checkGuard(int n, int failed) throws VeloFailureRatioExceededException {
        if (guard != null) {
            guard.check(tableName, n, failed, clock.getAsLong());
        }
        return n - failed;
    }

    private void failRecord(
            FailureStrategy s, long batchId, int index, T record, Exception e, int attempts)
            throws Exception {
        switch (s) {
            case FAIL_BATCH:
                throw new VeloBatchFailedException(tableName, batchId, index, attempts, e);
            case SEND_TO_DLQ:
                deadLetter(batchId, record, e, attempts);
                break;
            case LOG_AND_CONTINUE:
                LOG.warn(
                        "Table '{}' ({}): dropped record {} of batch {} after {} attempt(s): {}: {}",
                        tableName,
                        side,
                        index,
                        batchId,
                        attempts,
                        e.getClass().getName(),
                        e.getMessage());
                metrics.numRecordsDropped().inc();
                break;
            default:
                throw new IllegalStateException("not a terminal strategy: " + s);
        }
    }

    private int failBatch(
            FailureStrategy s,
            long batchId,
            List<T> batch,
            boolean[] done,
            Exception e,
            int attempts)
            throws Exception {
        if (s == FailureStrategy.FAIL_BATCH) {
            throw new VeloBatchFailedException(tableName, batchId, -1, attempts, e);
        }
        int count = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (!done[i]) {
                done[i] = true;
                count++;
                if (s == FailureStrategy.SEND_TO_DLQ) {
                    deadLetter(batchId, batch.get(i), e, attempts);
                }
            }
        }
        if (s == FailureStrategy.LOG_AND_CONTINUE) {
            metrics.numRecordsDropped().inc(count);
            LOG.warn(
                    "Table '{}' ({}): dropped {} record(s) of batch {} whose flush failed after {}"
                            + " attempt(s): {}: {}",
                    tableName,
                    side,
                    count,
                    batchId,
                    attempts,
                    e.getClass().getName(),
                    e.getMessage());
        }
        return count;
    }

    private void deadLetter(long batchId, T record, Exception e, int attempts) throws Exception {
        byte[] payload;
        try {
            payload = encoder.payload(record);
        } catch (RuntimeException encodeError) {
            payload = null;
            e.addSuppressed(encodeError);
        }
        DeadLetter dl =
                DeadLetter.of(
                        payload,
                        e,
                        attempts,
                        clock.getAsLong(),
                        tableName,
                        side,
                        config.strategy().displayName(),
                        batchId);
        dl.setRetryDecision(RetriableErrors.classify(e, config).toString());
        deadLetters.accept(dl);
        metrics.numRecordsDeadLettered().inc();
    }
}
