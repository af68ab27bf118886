package dev.velo.flink.batching.internal.failure;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.failure.RetriableErrors;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.util.List;
import java.util.Random;
import org.apache.flink.annotation.Internal;

/**
 * RetryWithBackoff, around the strategy of {@code retry_exhausted}: a {@linkplain RetriableErrors
 * retriable} error is retried up to {@code max_retries} times, each retry after a {@link
 * RetryBackoff} delay waited with the {@link Sleeper}; what still fails, and every non-retriable
 * error, goes to the wrapped strategy.
 */
@Internal
final class RetryWithBackoffStrategy<T> implements RecordFailureStrategy<T> {

    private final RecordFailureStrategy<T> exhausted;
    private final FailureConfig config;
    private final int maxRetries;
    private final RetryBackoff backoff;
    private final Random random;
    private final Sleeper sleeper;
    private final VeloMetrics metrics;

    RetryWithBackoffStrategy(
            RecordFailureStrategy<T> exhausted,
            FailureConfig config,
            Random random,
            Sleeper sleeper,
            VeloMetrics metrics) {
        this.exhausted = exhausted;
        this.config = config;
        this.maxRetries = config.maxRetries();
        this.backoff = new RetryBackoff(config);
        this.random = random;
        this.sleeper = sleeper;
        this.metrics = metrics;
    }

    @Override
    public boolean retries(Exception error, int retriesDone) {
        return retriesDone < maxRetries && RetriableErrors.isRetriable(error, config);
    }

    @Override
    public void awaitRetry(int attempt) throws InterruptedException {
        long delay = retryDelayMillis(attempt);
        if (delay > 0) {
            sleeper.sleep(delay);
        }
    }

    @Override
    public long retryDelayMillis(int attempt) {
        return backoff.delayMillis(attempt, random.nextDouble());
    }

    @Override
    public void countRetries(int records) {
        metrics.numRetries().inc(records);
    }

    @Override
    public void failRecord(long batchId, int index, T record, Exception error, int attempts)
            throws Exception {
        exhausted.failRecord(batchId, index, record, error, attempts);
    }

    @Override
    public int failBatch(long batchId, List<T> batch, boolean[] done, Exception error, int attempts)
            throws Exception {
        return exhausted.failBatch(batchId, batch, done, error, attempts);
    }
}
