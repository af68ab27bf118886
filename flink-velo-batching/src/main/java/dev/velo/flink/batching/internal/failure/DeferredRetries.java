package dev.velo.flink.batching.internal.failure;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * RetryWithBackoff for {@link FailureHandler#writeOnce}: the failure search of an asynchronous
 * writer ({@link BlameSearch}) runs as for a waiting retry, but the wait does not happen. Where the
 * search would wait and write the records to retry again, this strategy switches the writer it
 * hands the search into <i>capture</i>: the records the search then writes are taken as the records
 * to retry (in the order written), the flush that follows them succeeds without reaching the
 * delegate, and the records the call writes after that (the rest of the batch) are taken as the
 * records queued behind the retry. Nothing in a capture reaches the delegate, so nothing written is
 * in flight while the retry waits (the search drains the delegate before its retry).
 *
 * <p>The attempts the records of the call have already had ({@link #begin}) are added to the
 * search's own count, so {@code max_retries} bounds the retries across calls and {@code
 * retry_exhausted} sees the total attempts.
 */
@Internal
final class DeferredRetries<T> implements RecordFailureStrategy<T> {

    private enum Capture {
        OFF,
        RETRY,
        BEHIND
    }

    private final RecordFailureStrategy<T> strategy;
    private int retriesDone;
    private Capture capture = Capture.OFF;
    private int attempt;
    private int terminal;
    private int retryCount;
    private List<T> retry = new ArrayList<>();
    private List<T> behind = new ArrayList<>();

    DeferredRetries(RecordFailureStrategy<T> strategy) {
        this.strategy = strategy;
    }

    /** Starts a call for records that had {@code retriesDone} retries. */
    void begin(int retriesDone) {
        this.retriesDone = retriesDone;
        this.capture = Capture.OFF;
        this.attempt = 0;
        this.terminal = 0;
        this.retryCount = 0;
        this.retry = new ArrayList<>();
        this.behind = new ArrayList<>();
    }

    /** Whether the call took records to retry or to queue. */
    boolean capturing() {
        return capture != Capture.OFF;
    }

    /** Ends the call; the writer reaches the delegate again. */
    void end() {
        capture = Capture.OFF;
    }

    List<T> retry() {
        return retry;
    }

    List<T> behind() {
        return behind;
    }

    /** The retry the records of {@link #retry()} wait for (1-based, across calls). */
    int attempt() {
        return attempt;
    }

    /** Records handed to the terminal strategy (dropped or dead-lettered) during the call. */
    int terminal() {
        return terminal;
    }

    /** {@code writer} as the search sees it: captured instead of written during a capture. */
    AsyncWriteProcessor<T> capturing(AsyncWriteProcessor<T> writer) {
        return new AsyncWriteProcessor<>() {
            @Override
            public void write(T record) throws Exception {
                switch (capture) {
                    case OFF:
                        writer.write(record);
                        break;
                    case RETRY:
                        retry.add(record);
                        break;
                    default:
                        behind.add(record);
                }
            }

            @Override
            public void flush() throws Exception {
                if (capture == Capture.OFF) {
                    writer.flush();
                } else if (capture == Capture.RETRY && !retry.isEmpty()) {
                    // the flush ending the search's write of the records to retry
                    capture = Capture.BEHIND;
                }
            }
        };
    }

    @Override
    public boolean retries(Exception error, int searchRetries) {
        return strategy.retries(error, retriesDone + searchRetries);
    }

    @Override
    public void awaitRetry(int searchAttempt) {
        // no wait: what the search writes next is the retry, taken for later
        capture = Capture.RETRY;
        attempt = retriesDone + searchAttempt;
    }

    @Override
    public long retryDelayMillis(int attempt) {
        return strategy.retryDelayMillis(attempt);
    }

    @Override
    public void countRetries(int records) {
        // counted when the retry runs: as the search counts it (a rewrite of its window once)
        retryCount += records;
    }

    /** What {@code numRetries} counts when the retry runs. */
    int retryCount() {
        return retryCount;
    }

    @Override
    public void failRecord(long batchId, int index, T record, Exception error, int attempts)
            throws Exception {
        strategy.failRecord(batchId, index, record, error, retriesDone + attempts);
        terminal++;
    }

    @Override
    public int failBatch(long batchId, List<T> batch, boolean[] done, Exception error, int attempts)
            throws Exception {
        int failed = strategy.failBatch(batchId, batch, done, error, retriesDone + attempts);
        terminal += failed;
        return failed;
    }
}
