package dev.velo.flink.batching.internal.failure;

import dev.velo.flink.batching.config.FailureConfig;
import org.apache.flink.annotation.Internal;

/**
 * Retry delays: {@code retry_backoff × multiplier^(attempt−1)}, capped at {@code
 * retry_backoff_max}, then moved by a random share of ±{@code jitter} and capped again, so no
 * single wait exceeds the cap.
 */
@Internal
public final class RetryBackoff {

    private final long baseMillis;
    private final long maxMillis;
    private final double multiplier;
    private final double jitter;

    public RetryBackoff(FailureConfig config) {
        this.baseMillis = Math.max(0, config.retryBackoff().toMillis());
        this.maxMillis = Math.max(0, config.retryBackoffMax().toMillis());
        this.multiplier = Math.max(1.0, config.retryBackoffMultiplier());
        this.jitter = Math.max(0, Math.min(1, config.retryJitter()));
    }

    /** Delay before retry {@code attempt} (1-based) without jitter. */
    public long baseDelayMillis(int attempt) {
        double d = baseMillis * Math.pow(multiplier, Math.max(0, attempt - 1));
        return (long) Math.min(d, maxMillis);
    }

    /**
     * Delay before retry {@code attempt} with jitter; {@code unit} is a uniform random number in
     * [0, 1).
     */
    public long delayMillis(int attempt, double unit) {
        long capped = baseDelayMillis(attempt);
        double factor = 1 + jitter * (2 * unit - 1);
        return Math.max(0, Math.min(maxMillis, Math.round(capped * factor)));
    }
}
