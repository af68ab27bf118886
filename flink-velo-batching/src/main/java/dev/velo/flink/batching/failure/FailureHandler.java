package dev.velo.flink.batching.failure;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.metrics.VeloMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    private boolean asyncWrites;
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
        if (asyncWrites) {
            return processAsyncWrites(batchId, batch, processor);
        }
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
                if (maxRetries > 0 && RetriableErrors.isRetriable(e)) {
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
                    if (attempt < maxRetries && RetriableErrors.isRetriable(e)) {
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
                if (batchAttempt < maxRetries && RetriableErrors.isRetriable(e)) {
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
     * Marks the processor's writes as asynchronous (a sink writer such as Kafka's): an error thrown
     * by {@code processRecord} may belong to an earlier record of the batch whose send failed in
     * the background. While retries remain, a retriable error therefore re-writes every record of
     * the batch not yet handled, instead of retrying only the record it surfaced on, which would
     * lose the earlier one. Without retries left, the error is handled as the failure of the record
     * it surfaced on (the writer's own contract), and a failed flush fails every record of the
     * batch not yet handled.
     */
    public FailureHandler<T> withAsyncWrites() {
        this.asyncWrites = true;
        return this;
    }

    private int processAsyncWrites(long batchId, List<T> batch, BatchProcessor<T> processor)
            throws Exception {
        final int n = batch.size();
        final FailureStrategy strategy = config.strategy();
        final boolean retrying = strategy == FailureStrategy.RETRY_WITH_BACKOFF;
        final FailureStrategy terminal = retrying ? config.retryExhaustedStrategy() : strategy;
        final int maxRetries = retrying ? config.maxRetries() : 0;
        final boolean[] done = doneFlags(n);
        int failed = 0;
        int attempt = 0;
        while (true) {
            Exception batchError = null;
            for (int i = 0; i < n && batchError == null; i++) {
                if (done[i]) {
                    continue;
                }
                try {
                    processor.processRecord(batch.get(i));
                } catch (Exception e) {
                    rethrowIfInterrupted(e);
                    if (attempt < maxRetries && RetriableErrors.isRetriable(e)) {
                        batchError = e;
                    } else {
                        failed += failRecordAt(terminal, batchId, batch, done, i, e, 1 + attempt);
                    }
                }
            }
            if (batchError == null) {
                try {
                    processor.finishBatch();
                    break;
                } catch (Exception e) {
                    rethrowIfInterrupted(e);
                    batchError = e;
                }
            }
            if (attempt < maxRetries && RetriableErrors.isRetriable(batchError)) {
                attempt++;
                sleep(attempt);
                metrics.numRetries().inc();
                continue;
            }
            failed += failBatch(terminal, batchId, batch, done, batchError, 1 + attempt);
            break;
        }
        return checkGuard(n, failed);
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
        deadLetters.accept(dl);
        metrics.numRecordsDeadLettered().inc();
    }
}
