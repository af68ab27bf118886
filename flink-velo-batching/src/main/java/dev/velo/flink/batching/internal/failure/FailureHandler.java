package dev.velo.flink.batching.internal.failure;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.failure.RetriableErrors;
import dev.velo.flink.batching.failure.VeloBatchFailedException;
import dev.velo.flink.batching.failure.VeloFailureRatioExceededException;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.util.Preconditions;

/**
 * Runs a batch through a {@link BatchProcessor} and applies the configured failure strategy to
 * record failures (a throw from processRecord) and batch failures (a throw from finishBatch).
 *
 * <p>RetryWithBackoff retries only {@linkplain RetriableErrors retriable} errors. Failed records
 * are retried together in rounds (one wait per round); a failed batch is retried as a whole
 * (at-least-once: the sink may see its records twice). Retries run on the task thread, so a batch
 * blocks at most the sum of the capped delays of {@code max_retries} record rounds plus {@code
 * max_retries} batch rounds, and a checkpoint barrier waits as long. The {@link Sleeper} waits out
 * each delay: operators pass a {@link MailboxSleeper}, which keeps the task's timers, checkpoint
 * notifications and a cancel going during the wait. Non-retriable errors and exhausted retries go
 * to {@code retry_exhausted}. {@link #processOnce} does not wait: it returns the records to retry,
 * for a caller that retries them from a timer (the {@code BatchingOperator}).
 *
 * <p>Each strategy is one {@link RecordFailureStrategy} class, made by {@link
 * RecordFailureStrategies}; RetryWithBackoff wraps the {@code retry_exhausted} one.
 *
 * <p>Sink writers, whose writes complete in the background and report a failure on a later call, go
 * through {@link #write} instead, which blames an error on the record that failed (see there; the
 * handling is {@link AsyncWriteFailures}, the search for the record {@link BlameSearch}). After
 * {@link #deferRetries()} they go through {@link #writeOnce}, which, like {@link #processOnce},
 * returns the records to retry instead of waiting (see {@link DeferredRetries}).
 *
 * <p>Logs carry metadata only (table, batch id, record index, error class and message), never the
 * record.
 */
@Internal
public final class FailureHandler<T> {

    private final String tableName;
    private final LongSupplier clock;
    @Nullable private final FailureRatioGuard guard;

    /** The configured strategy: a terminal one, or RetryWithBackoff around retry_exhausted's. */
    private final RecordFailureStrategy<T> strategy;

    /** The failure handling of {@link #write}: finds the record an error belongs to. */
    private AsyncWriteFailures<T> writes;

    /** Set by {@link #deferRetries()}: RetryWithBackoff of {@link #writeOnce}, without a wait. */
    @Nullable private DeferredRetries<T> deferred;

    private final FailureConfig config;

    private boolean[] doneScratch = new boolean[0];

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
        Preconditions.checkNotNull(config);
        this.config = config;
        this.tableName = tableName;
        Preconditions.checkNotNull(metrics);
        this.clock = clock != null ? clock : System::currentTimeMillis;
        this.guard = FailureRatioGuard.of(config);
        this.strategy =
                RecordFailureStrategies.of(
                        config,
                        tableName,
                        side,
                        encoder,
                        deadLetters,
                        metrics,
                        sleeper,
                        this.clock,
                        random);
        this.writes = new AsyncWriteFailures<>(config, tableName, strategy, this::checkGuard);
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
        // reused across batches so that a clean batch allocates nothing (mega_batch reuse_buffer)
        final boolean[] done = doneFlags(n);
        int failed = 0;

        // the round of record failures, made at the first one
        RecordFailureStrategy.Round round = null;
        for (int i = 0; i < n; i++) {
            try {
                processor.processRecord(batch.get(i));
            } catch (Exception e) {
                rethrowIfInterrupted(e);
                if (round == null) {
                    round =
                            new RecordFailureStrategy.Round(
                                    strategy,
                                    0,
                                    (pos, error, attempts) -> {
                                        strategy.failRecord(
                                                batchId, pos, batch.get(pos), error, attempts);
                                        done[pos] = true;
                                    });
                }
                round.failed(i, e);
            }
        }
        if (round != null) {
            failed +=
                    strategy.retryRounds(
                            round,
                            (positions, r) -> {
                                for (int i : positions) {
                                    try {
                                        processor.processRecord(batch.get(i));
                                    } catch (Exception e) {
                                        rethrowIfInterrupted(e);
                                        r.failed(i, e);
                                    }
                                }
                            });
        }

        Exception error = finish(processor);
        if (error != null) {
            // the batch failed as a whole: a retry processes its live records again, then
            // finishes; a record failing in a batch retry is not retried on its own
            int[] retries = {0};
            int[] failedInRetries = {0};
            error =
                    strategy.retryWhole(
                            error,
                            retries,
                            attempt -> {
                                for (int i = 0; i < n; i++) {
                                    if (done[i]) {
                                        continue;
                                    }
                                    try {
                                        processor.processRecord(batch.get(i));
                                    } catch (Exception re) {
                                        rethrowIfInterrupted(re);
                                        strategy.failRecord(
                                                batchId, i, batch.get(i), re, 1 + attempt);
                                        done[i] = true;
                                        failedInRetries[0]++;
                                    }
                                }
                                return finish(processor);
                            });
            failed += failedInRetries[0];
            if (error != null) {
                failed += strategy.failBatch(batchId, batch, done, error, 1 + retries[0]);
            }
        }
        return checkGuard(n, failed);
    }

    /**
     * Processes {@code batch} once, without waiting for a retry: the caller waits on a timer and
     * calls again with the returned records, so the task thread is free during a backoff (a
     * checkpoint can complete, see {@code BatchingOperator}). A record that failed on its own with
     * an error the strategy retries, and every live record of a batch that failed as a whole with
     * such an error, are returned for the next attempt instead of being retried here; every other
     * failure goes to the terminal strategy at once, as in {@link #process}.
     *
     * <p>A record coming back from such a retry is processed again like any record (it may fail on
     * its own or with its batch), with the attempts it has already had counted.
     *
     * @param retriesDone the retries the records of {@code batch} have had (0 for a new batch)
     * @return what went on, and the records to retry with their delay
     * @throws VeloBatchFailedException when the effective strategy is FailBatch
     * @throws VeloFailureRatioExceededException when the error-rate guard trips
     */
    public Outcome<T> processOnce(
            long batchId, List<T> batch, BatchProcessor<T> processor, int retriesDone)
            throws Exception {
        final int n = batch.size();
        final boolean[] done = doneFlags(n);
        boolean[] again = null;
        int failed = 0;
        for (int i = 0; i < n; i++) {
            try {
                processor.processRecord(batch.get(i));
            } catch (Exception e) {
                rethrowIfInterrupted(e);
                if (strategy.retries(e, retriesDone)) {
                    if (again == null) {
                        again = new boolean[n];
                    }
                    again[i] = true;
                } else {
                    strategy.failRecord(batchId, i, batch.get(i), e, 1 + retriesDone);
                    failed++;
                }
                done[i] = true;
            }
        }
        Exception error = finish(processor);
        if (error != null) {
            if (strategy.retries(error, retriesDone)) {
                if (again == null) {
                    again = new boolean[n];
                }
                for (int i = 0; i < n; i++) {
                    again[i] |= !done[i];
                }
            } else {
                failed += strategy.failBatch(batchId, batch, done, error, 1 + retriesDone);
            }
        }
        List<T> retry = List.of();
        if (again != null) {
            List<T> records = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (again[i]) {
                    records.add(batch.get(i));
                }
            }
            retry = records;
        }
        // records to retry are counted by the guard when they are done, once
        int passed = checkGuard(n - retry.size(), failed);
        int attempt = retriesDone + 1;
        return new Outcome<>(
                passed, retry, attempt, retry.isEmpty() ? 0 : strategy.retryDelayMillis(attempt));
    }

    /** Counts {@code records} retried records in {@code numRetries}. */
    public void countRetries(int records) {
        strategy.countRetries(records);
    }

    /**
     * What {@link #processOnce} did with a batch: the records that went on, and the records to
     * retry ({@code retry}, in batch order, empty when none) as retry {@code attempt} after {@code
     * delayMillis}.
     */
    public record Outcome<T>(int passed, List<T> retry, int attempt, long delayMillis) {}

    /** Finishes the batch; returns its error, or null. */
    @Nullable
    private static Exception finish(BatchProcessor<?> processor) throws InterruptedException {
        try {
            processor.finishBatch();
            return null;
        } catch (Exception e) {
            rethrowIfInterrupted(e);
            return e;
        }
    }

    /**
     * Marks the writer as writing inside a transaction that a failed write aborts (an exactly-once
     * Kafka sink): a record whose send failed cannot be dropped or dead-lettered and the rest kept,
     * so {@link #write} fails the task on such an error, whatever the strategy, and the transaction
     * is replayed from the last checkpoint; only an error thrown before the send ({@link
     * UnsentRecordErrors}) goes through the strategy, for its record alone.
     */
    public FailureHandler<T> withWritesInTransaction() {
        writes.markWritesInTransaction();
        return this;
    }

    /**
     * Whether the strategy retries an error after a backoff (RetryWithBackoff) and {@link #write}
     * keeps its writes per record, so that {@link #deferRetries()} applies.
     */
    public boolean retriesWrites() {
        return tracksWrites() && strategy instanceof RetryWithBackoffStrategy;
    }

    /**
     * Makes the writes of this handler go through {@link #writeOnce} and {@link #flushWritesOnce},
     * which return the records to retry instead of waiting for the retry (only when {@link
     * #retriesWrites()}; {@link #write} and {@link #flushWrites} must not be called after).
     */
    public FailureHandler<T> deferRetries() {
        Preconditions.checkState(retriesWrites(), "no retried writes to defer");
        deferred = new DeferredRetries<>(strategy);
        // the guard is fed by writeOnce, which knows the records taken for a retry
        writes = new AsyncWriteFailures<>(config, tableName, deferred, (n, failed) -> n - failed);
        return this;
    }

    /**
     * {@link #write} without waiting for a retry (see {@link #deferRetries()}): where the search
     * for the failed record would wait and write records again, those records are returned as
     * {@link WriteOutcome#retry()} (the retry {@link WriteOutcome#attempt()} after {@link
     * WriteOutcome#delayMillis()}), and the records of {@code batch} the call would have written
     * after them as {@link WriteOutcome#behind()}: the caller writes them after the retry, so that
     * none of them overtakes it. The records to retry may include records of earlier calls (the
     * writes since the last successful flush), which were counted as passed then. When records are
     * returned, nothing written is unconfirmed any more.
     *
     * @param retriesDone the retries the records of {@code batch} had (0 for a new batch); with a
     *     non-zero value {@code batch} must be the only unconfirmed writes (flush before)
     * @return the outcome; its {@code passed} is negative when records of earlier calls are to be
     *     retried or turned out to have failed
     */
    public WriteOutcome<T> writeOnce(
            long batchId,
            List<T> batch,
            AsyncWriteProcessor<T> writer,
            boolean flush,
            int retriesDone)
            throws Exception {
        DeferredRetries<T> d = checkDeferring();
        d.begin(retriesDone);
        try {
            AsyncWriteProcessor<T> w = d.capturing(writer);
            writes.write(batchId, batch, w, flush);
            return outcome(batchId, batch.size(), w);
        } finally {
            d.end();
        }
    }

    /** {@link #flushWrites} without waiting for a retry: see {@link #writeOnce}. */
    public WriteOutcome<T> flushWritesOnce(long batchId, AsyncWriteProcessor<T> writer)
            throws Exception {
        DeferredRetries<T> d = checkDeferring();
        d.begin(0);
        try {
            AsyncWriteProcessor<T> w = d.capturing(writer);
            writes.flushWrites(batchId, w);
            return outcome(batchId, 0, w);
        } finally {
            d.end();
        }
    }

    private DeferredRetries<T> checkDeferring() {
        Preconditions.checkState(deferred != null, "deferRetries() was not called");
        return deferred;
    }

    private WriteOutcome<T> outcome(long batchId, int n, AsyncWriteProcessor<T> capturing)
            throws Exception {
        DeferredRetries<T> d = deferred;
        int taken = d.retry().size() + d.behind().size();
        if (d.capturing() && writes.unflushedWrites() > 0) {
            // the records behind the retry were taken, not written: nothing is unconfirmed (the
            // capturing flush reaches no writer)
            writes.flushWrites(batchId, capturing);
        }
        // records to retry are counted by the guard when they are done, once
        checkGuard(Math.max(0, n - taken), d.terminal());
        List<T> retry = d.retry();
        return new WriteOutcome<>(
                n - d.terminal() - taken,
                retry,
                d.behind(),
                retry.isEmpty() ? 0 : d.attempt(),
                retry.isEmpty() ? 0 : strategy.retryDelayMillis(d.attempt()),
                retry.isEmpty() ? 0 : Math.max(1, d.retryCount()));
    }

    /**
     * What {@link #writeOnce} did: {@code passed} records went on (negative: see there), {@code
     * retry} (in order, empty when none) waits for retry {@code attempt} after {@code delayMillis},
     * and {@code behind} (in order) was not written and goes after the retry. {@code retries} is
     * what {@code numRetries} counts when the retry runs: 1 for a rewrite of the writes since the
     * last flush, the records for records found failing one by one (as {@link #write} counts them).
     */
    public record WriteOutcome<T>(
            int passed, List<T> retry, List<T> behind, int attempt, long delayMillis, int retries) {

        /** Whether records wait for a retry (or, exceptionally, behind nothing). */
        public boolean isDeferred() {
            return !retry.isEmpty() || !behind.isEmpty();
        }
    }

    /**
     * Whether {@link #write} keeps the records written since the last successful flush, to find the
     * one a later error belongs to: not under FailBatch (any error fails the task) nor inside a
     * transaction.
     */
    public boolean tracksWrites() {
        return writes.tracksWrites();
    }

    /** Records written by {@link #write} and not yet confirmed by a successful flush. */
    public int unflushedWrites() {
        return writes.unflushedWrites();
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
     * <p>Under FailBatch any error fails the task at once and nothing is kept per record; so does
     * inside a transaction ({@link #withWritesInTransaction}) any error but one thrown before the
     * send, which goes through the strategy for its record alone.
     *
     * @return the records of {@code batch} handed over minus every record (of this or an earlier
     *     call) dropped or dead-lettered during this call; negative when earlier calls' records
     *     failed here (write-through without a flush per call)
     */
    public int write(long batchId, List<T> batch, AsyncWriteProcessor<T> writer, boolean flush)
            throws Exception {
        return writes.write(batchId, batch, writer, flush);
    }

    /**
     * Flushes an asynchronous writer; on an error, blames it as {@link #write} does.
     *
     * @return minus the number of records dropped or dead-lettered
     */
    public int flushWrites(long batchId, AsyncWriteProcessor<T> writer) throws Exception {
        return writes.flushWrites(batchId, writer);
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

    /**
     * Rethrows what no strategy may handle: an interrupt (cancellation), and an exception the
     * processor marked as not the record's (a downstream operator's).
     */
    static void rethrowIfInterrupted(Exception e) throws InterruptedException {
        if (e instanceof InterruptedException) {
            throw (InterruptedException) e;
        }
        if (e instanceof NotARecordFailureException) {
            throw (NotARecordFailureException) e;
        }
    }

    /** Feeds the error-rate guard with the batch's counts; returns the records that went on. */
    private int checkGuard(int n, int failed) throws VeloFailureRatioExceededException {
        if (guard != null) {
            guard.check(tableName, n, failed, clock.getAsLong());
        }
        return n - failed;
    }
}
