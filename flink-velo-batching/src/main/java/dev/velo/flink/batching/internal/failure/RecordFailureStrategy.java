package dev.velo.flink.batching.internal.failure;

import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * What one failure strategy does with records that failed, one class per strategy ({@link
 * FailBatchStrategy}, {@link SendToDlqStrategy}, {@link LogAndContinueStrategy}, and {@link
 * RetryWithBackoffStrategy} around one of the other three). {@link FailureHandler} and {@link
 * BlameSearch} find the failed records; the strategy decides whether a failure is retried, how long
 * to wait before a retry, and what happens to a record that is not (or no longer) retried.
 *
 * <p>The retry loops themselves are here, once, for every caller: {@link #retryRounds} for records
 * that failed on their own and {@link #retryWhole} for a unit (a batch, a window of writes) that
 * failed as a whole. For a strategy that never retries both do nothing.
 */
@Internal
interface RecordFailureStrategy<T> {

    /** Applies the strategy to one record that failed after {@code attempts} attempts. */
    void failRecord(long batchId, int index, T record, Exception error, int attempts)
            throws Exception;

    /**
     * Applies the strategy to every record of {@code batch} not yet {@code done} (marking them
     * done): the batch failed as a whole after {@code attempts} attempts.
     *
     * @return the number of records dropped or dead-lettered
     */
    int failBatch(long batchId, List<T> batch, boolean[] done, Exception error, int attempts)
            throws Exception;

    /** Whether {@code error}, met after {@code retriesDone} retries, is retried. */
    default boolean retries(Exception error, int retriesDone) {
        return false;
    }

    /** Waits before retry {@code attempt} (1-based). */
    default void awaitRetry(int attempt) throws InterruptedException {}

    /** The delay before retry {@code attempt} (1-based), for a caller that waits on a timer. */
    default long retryDelayMillis(int attempt) {
        return 0;
    }

    /** Counts retried records (or retried flushes) in {@code numRetries}. */
    default void countRetries(int records) {}

    /** A record that failed in a round: its position in the caller's numbering and its error. */
    @FunctionalInterface
    interface Culprit {
        /** Applies the terminal strategy to the record at {@code pos}. */
        void fail(int pos, Exception error, int attempts) throws Exception;
    }

    /** Runs the records at the given positions again, reporting each failure to the round. */
    @FunctionalInterface
    interface Rerun {
        void run(int[] positions, Round round) throws Exception;
    }

    /** Runs a unit again; returns its error, or null when it went through. */
    @FunctionalInterface
    interface WholeRerun {
        Exception run(int attempt) throws Exception;
    }

    /**
     * The failures of one round of attempts: each one is either kept for the next round (when the
     * strategy retries it) or handed to the terminal strategy at once, in the order reported.
     */
    final class Round {
        private final RecordFailureStrategy<?> strategy;
        private final Culprit culprit;
        private int retriesDone;
        private int[] again = new int[4];
        private int againSize;
        private int failed;

        Round(RecordFailureStrategy<?> strategy, int retriesDone, Culprit culprit) {
            this.strategy = strategy;
            this.retriesDone = retriesDone;
            this.culprit = culprit;
        }

        /** Record {@code pos} failed with {@code error} in this round. */
        void failed(int pos, Exception error) throws Exception {
            if (strategy.retries(error, retriesDone)) {
                if (againSize == again.length) {
                    again = java.util.Arrays.copyOf(again, againSize * 2);
                }
                again[againSize++] = pos;
            } else {
                culprit.fail(pos, error, 1 + retriesDone);
                failed++;
            }
        }

        int retriesDone() {
            return retriesDone;
        }

        /** Records handed to the terminal strategy so far. */
        int failedRecords() {
            return failed;
        }
    }

    /**
     * The one retry loop for records that failed on their own: while a round leaves records to
     * retry, waits, counts them in {@code numRetries} and runs them again.
     *
     * @return the records handed to the terminal strategy, by every round
     */
    default int retryRounds(Round round, Rerun rerun) throws Exception {
        while (round.againSize > 0) {
            int[] positions = java.util.Arrays.copyOf(round.again, round.againSize);
            round.againSize = 0;
            round.retriesDone++;
            awaitRetry(round.retriesDone);
            countRetries(positions.length);
            rerun.run(positions, round);
        }
        return round.failed;
    }

    /**
     * The one retry loop for a unit that failed as a whole: while the strategy retries its error,
     * waits, counts one retry and runs the unit again.
     *
     * @param retries holds the retries made, in and out (index 0)
     * @return the error that ended the loop, or null when the unit went through
     */
    default Exception retryWhole(Exception error, int[] retries, WholeRerun rerun)
            throws Exception {
        while (error != null && retries(error, retries[0])) {
            retries[0]++;
            awaitRetry(retries[0]);
            countRetries(1);
            error = rerun.run(retries[0]);
        }
        return error;
    }
}
