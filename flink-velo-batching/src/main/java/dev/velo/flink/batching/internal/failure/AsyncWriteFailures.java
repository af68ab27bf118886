package dev.velo.flink.batching.internal.failure;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.failure.VeloBatchFailedException;
import dev.velo.flink.batching.failure.VeloFailureRatioExceededException;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * The failure handling of a sink writer whose writes complete in the background and report a
 * failure on a later call ({@link FailureHandler#write}): an error may belong to any record written
 * since the last successful flush, so it is blamed on the record that actually failed (the search
 * is {@link BlameSearch}) and the strategy applies to that record only. Under FailBatch any error
 * fails the task at once and nothing is kept per record.
 *
 * <p>Inside a transaction that a failed send aborts (exactly-once Kafka) nothing is kept per record
 * either: records are never sent twice, and an error fails the task, except one that provably
 * happened before its record reached the producer ({@link UnsentRecordErrors}: thrown by the
 * record's serialization, e.g. the sink's partitioner or format). The transaction is then
 * untouched, so the strategy applies to that record alone: SendToDLQ dead-letters it,
 * LogAndContinue drops it, RetryWithBackoff writes it again (retriable errors, after its backoff)
 * and FailBatch fails the task.
 */
@Internal
final class AsyncWriteFailures<T> {

    /** Feeds the error-rate guard with a call's counts; returns the records that went on. */
    @FunctionalInterface
    interface Guard {
        int check(int n, int failed) throws VeloFailureRatioExceededException;
    }

    private final FailureConfig config;
    private final String tableName;
    private final Guard guard;
    private final RecordFailureStrategy<T> strategy;
    private final BlameSearch<T> window;
    private boolean writesInTransaction;

    AsyncWriteFailures(
            FailureConfig config,
            String tableName,
            RecordFailureStrategy<T> strategy,
            Guard guard) {
        this.config = config;
        this.tableName = tableName;
        this.guard = guard;
        this.strategy = strategy;
        this.window = new BlameSearch<>(strategy);
    }

    /** See {@link FailureHandler#withWritesInTransaction}. */
    void markWritesInTransaction() {
        this.writesInTransaction = true;
    }

    /** See {@link FailureHandler#tracksWrites}. */
    boolean tracksWrites() {
        return config.strategy() != FailureStrategy.FAIL_BATCH && !writesInTransaction;
    }

    /** Records written and not yet confirmed by a successful flush. */
    int unflushedWrites() {
        return window.size();
    }

    /** See {@link FailureHandler#write}. */
    int write(long batchId, List<T> batch, AsyncWriteProcessor<T> writer, boolean flush)
            throws Exception {
        final int n = batch.size();
        final boolean track = tracksWrites();
        int failed = 0;
        boolean resolvedBefore = false;
        for (int i = 0; i < n; i++) {
            T record = batch.get(i);
            if (track) {
                // a candidate before its write: a write that throws may have sent it
                window.add(batchId, i, record);
            }
            try {
                writer.write(record);
            } catch (Exception e) {
                FailureHandler.rethrowIfInterrupted(e);
                if (!track) {
                    if (!failsAloneInTransaction(e)) {
                        throw failTask(batchId, i, e);
                    }
                    failed += failUnsent(batchId, i, record, writer, e);
                    continue;
                }
                window.markAllWritten();
                if (resolvedBefore) {
                    // a second error in one batch (an outage?): the rest joins this search, so a
                    // batch costs at most two bounded searches
                    for (int j = i + 1; j < n; j++) {
                        window.add(batchId, j, batch.get(j));
                    }
                    failed += window.resolve(writer, e, window.written() - 1);
                    return guard.check(n, failed);
                }
                failed += window.resolve(writer, e, window.written() - 1);
                resolvedBefore = true;
            }
        }
        if (flush) {
            failed -= flushWrites(batchId, writer);
        }
        return guard.check(n, failed);
    }

    /** See {@link FailureHandler#flushWrites}. */
    int flushWrites(long batchId, AsyncWriteProcessor<T> writer) throws Exception {
        try {
            writer.flush();
            window.clear();
            return 0;
        } catch (Exception e) {
            FailureHandler.rethrowIfInterrupted(e);
            if (!tracksWrites()) {
                throw failTask(batchId, -1, e);
            }
            window.markAllWritten();
            return -window.resolve(writer, e, -1);
        }
    }

    /**
     * Whether {@code error}, thrown by a write inside a transaction, left the transaction untouched
     * and may go through a strategy that acts on single records (see the class comment).
     */
    private boolean failsAloneInTransaction(Exception error) {
        return writesInTransaction
                && config.strategy() != FailureStrategy.FAIL_BATCH
                && UnsentRecordErrors.thrownBeforeSend(error);
    }

    /**
     * Applies the strategy to the record at {@code index}, whose write threw {@code error} before
     * sending it: a retry writes it again (nothing of it was sent); an error of a retry that is not
     * provably before the send fails the task.
     *
     * @return 1 when the record was dropped or dead-lettered, 0 when a retry wrote it
     */
    private int failUnsent(
            long batchId, int index, T record, AsyncWriteProcessor<T> writer, Exception error)
            throws Exception {
        RecordFailureStrategy.Round round =
                new RecordFailureStrategy.Round(
                        strategy,
                        0,
                        (pos, e, attempts) ->
                                strategy.failRecord(batchId, index, record, e, attempts));
        round.failed(0, error);
        return strategy.retryRounds(
                round,
                (positions, r) -> {
                    try {
                        writer.write(record);
                    } catch (Exception again) {
                        FailureHandler.rethrowIfInterrupted(again);
                        if (!UnsentRecordErrors.thrownBeforeSend(again)) {
                            throw failTask(batchId, index, again);
                        }
                        r.failed(0, again);
                    }
                });
    }

    private VeloBatchFailedException failTask(long batchId, int index, Exception e) {
        if (writesInTransaction && config.strategy() != FailureStrategy.FAIL_BATCH) {
            return new VeloBatchFailedException(
                    tableName,
                    batchId,
                    index,
                    1,
                    e,
                    "the sink writes inside a transaction that a failed write aborts, and this"
                            + " error was not thrown by the record's serialization before its"
                            + " send, so "
                            + config.strategy().displayName()
                            + " cannot apply to one record: the task fails and the transaction is"
                            + " replayed from the last checkpoint");
        }
        return new VeloBatchFailedException(tableName, batchId, index, 1, e);
    }
}
