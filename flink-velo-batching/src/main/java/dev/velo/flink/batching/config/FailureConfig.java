package dev.velo.flink.batching.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.util.Preconditions;

/** How failures of one side (source decoding or sink writing/processing) are handled. */
@PublicEvolving
public final class FailureConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final FailureStrategy strategy;
    private final int maxRetries;
    private final Duration retryBackoff;
    private final Duration retryBackoffMax;
    private final double retryBackoffMultiplier;
    private final double retryJitter;
    private final FailureStrategy retryExhaustedStrategy;

    /** Share of failed records in the window above which the job fails; negative = off. */
    private final double maxFailureRatio;

    private final Duration failureRatioWindow;

    /** Records the window must hold before the guard judges the ratio. */
    private final long failureRatioMinRecords;

    private final List<String> retriableErrors;
    private final List<String> nonRetriableErrors;

    private FailureConfig(Builder b) {
        this.strategy = Objects.requireNonNull(b.strategy);
        this.maxRetries = b.maxRetries;
        this.retryBackoff = Objects.requireNonNull(b.retryBackoff);
        this.retryBackoffMax = Objects.requireNonNull(b.retryBackoffMax);
        this.retryBackoffMultiplier = b.retryBackoffMultiplier;
        this.retryJitter = b.retryJitter;
        this.retryExhaustedStrategy = Objects.requireNonNull(b.retryExhaustedStrategy);
        this.maxFailureRatio = b.maxFailureRatio;
        this.failureRatioWindow = Objects.requireNonNull(b.failureRatioWindow);
        this.failureRatioMinRecords = b.failureRatioMinRecords;
        this.retriableErrors = List.copyOf(b.retriableErrors);
        this.nonRetriableErrors = List.copyOf(b.nonRetriableErrors);
        Preconditions.checkArgument(
                failureRatioMinRecords >= 1, "failureRatioMinRecords must be >= 1");
        Preconditions.checkArgument(maxRetries >= 0, "maxRetries must be >= 0");
        Preconditions.checkArgument(
                retryExhaustedStrategy != FailureStrategy.RETRY_WITH_BACKOFF,
                "the retry-exhausted strategy cannot be RetryWithBackoff");
    }

    /** FailBatch: the job fails on the first failure, as plain Flink does. */
    public static FailureConfig defaults() {
        return builder().build();
    }

    public static FailureConfig of(FailureStrategy strategy) {
        return builder().strategy(strategy).build();
    }

    /**
     * The failure configuration of the unprefixed keys of a WITH-clause style map ({@code
     * failure_strategy}, {@code max_retries}, ...), validated by {@link VeloOptions#parse}; {@code
     * source.}/{@code sink.} overrides and other flink-velo keys in the map are validated but do
     * not change the result.
     *
     * @throws ValidationException naming the key, the value and what is accepted
     */
    public static FailureConfig fromOptions(Map<String, String> options) {
        return VeloOptions.parse(null, options).commonFailure();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .strategy(strategy)
                .maxRetries(maxRetries)
                .retryBackoff(retryBackoff)
                .retryBackoffMax(retryBackoffMax)
                .retryBackoffMultiplier(retryBackoffMultiplier)
                .retryJitter(retryJitter)
                .retryExhaustedStrategy(retryExhaustedStrategy)
                .maxFailureRatio(maxFailureRatio)
                .failureRatioWindow(failureRatioWindow)
                .failureRatioMinRecords(failureRatioMinRecords)
                .retriableErrors(retriableErrors)
                .nonRetriableErrors(nonRetriableErrors);
    }

    public FailureStrategy strategy() {
        return strategy;
    }

    public int maxRetries() {
        return maxRetries;
    }

    public Duration retryBackoff() {
        return retryBackoff;
    }

    public Duration retryBackoffMax() {
        return retryBackoffMax;
    }

    public double retryBackoffMultiplier() {
        return retryBackoffMultiplier;
    }

    public double retryJitter() {
        return retryJitter;
    }

    public FailureStrategy retryExhaustedStrategy() {
        return retryExhaustedStrategy;
    }

    public boolean isFailureRatioGuardEnabled() {
        return maxFailureRatio >= 0;
    }

    public double maxFailureRatio() {
        return maxFailureRatio;
    }

    public Duration failureRatioWindow() {
        return failureRatioWindow;
    }

    /**
     * The number of records the guard's window must hold before the ratio can trip it, so that the
     * first records after a (re)start cannot alone fail the job.
     */
    public long failureRatioMinRecords() {
        return failureRatioMinRecords;
    }

    /** Class names always retried by RetryWithBackoff (see {@code RetriableErrors}). */
    public List<String> retriableErrors() {
        return retriableErrors;
    }

    /** Class names never retried; they win over {@link #retriableErrors()}. */
    public List<String> nonRetriableErrors() {
        return nonRetriableErrors;
    }

    /** True when a failure may be dead-lettered (directly or after retries). */
    public boolean mayDeadLetter() {
        return strategy == FailureStrategy.SEND_TO_DLQ
                || (strategy == FailureStrategy.RETRY_WITH_BACKOFF
                        && retryExhaustedStrategy == FailureStrategy.SEND_TO_DLQ);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FailureConfig)) {
            return false;
        }
        FailureConfig that = (FailureConfig) o;
        return maxRetries == that.maxRetries
                && Double.compare(retryBackoffMultiplier, that.retryBackoffMultiplier) == 0
                && Double.compare(retryJitter, that.retryJitter) == 0
                && Double.compare(maxFailureRatio, that.maxFailureRatio) == 0
                && strategy == that.strategy
                && retryBackoff.equals(that.retryBackoff)
                && retryBackoffMax.equals(that.retryBackoffMax)
                && retryExhaustedStrategy == that.retryExhaustedStrategy
                && failureRatioWindow.equals(that.failureRatioWindow)
                && failureRatioMinRecords == that.failureRatioMinRecords
                && retriableErrors.equals(that.retriableErrors)
                && nonRetriableErrors.equals(that.nonRetriableErrors);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                strategy,
                maxRetries,
                retryBackoff,
                retryBackoffMax,
                retryBackoffMultiplier,
                retryJitter,
                retryExhaustedStrategy,
                maxFailureRatio,
                failureRatioWindow,
                failureRatioMinRecords,
                retriableErrors,
                nonRetriableErrors);
    }

    @Override
    public String toString() {
        return "FailureConfig{strategy="
                + strategy.displayName()
                + ", maxRetries="
                + maxRetries
                + ", retryBackoff="
                + retryBackoff
                + ", retryBackoffMax="
                + retryBackoffMax
                + ", multiplier="
                + retryBackoffMultiplier
                + ", jitter="
                + retryJitter
                + ", retryExhausted="
                + retryExhaustedStrategy.displayName()
                + ", maxFailureRatio="
                + maxFailureRatio
                + ", failureRatioWindow="
                + failureRatioWindow
                + ", failureRatioMinRecords="
                + failureRatioMinRecords
                + ", retriableErrors="
                + retriableErrors
                + ", nonRetriableErrors="
                + nonRetriableErrors
                + '}';
    }

    /** Builder of {@link FailureConfig}; starts from the defaults. */
    @PublicEvolving
    public static final class Builder {
        private FailureStrategy strategy = FailureStrategy.FAIL_BATCH;
        private int maxRetries = 3;
        private Duration retryBackoff = Duration.ofMillis(1000);
        private Duration retryBackoffMax = Duration.ofMinutes(1);
        private double retryBackoffMultiplier = 2.0;
        private double retryJitter = 0.1;
        private FailureStrategy retryExhaustedStrategy = FailureStrategy.FAIL_BATCH;
        private double maxFailureRatio = -1;
        private Duration failureRatioWindow = Duration.ofMinutes(1);
        private long failureRatioMinRecords = FailureOptions.DEFAULT_FAILURE_RATIO_MIN_RECORDS;
        private List<String> retriableErrors = List.of();
        private List<String> nonRetriableErrors = List.of();

        private Builder() {}

        public Builder strategy(FailureStrategy strategy) {
            this.strategy = strategy;
            return this;
        }

        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        public Builder retryBackoff(Duration retryBackoff) {
            this.retryBackoff = retryBackoff;
            return this;
        }

        public Builder retryBackoffMax(Duration retryBackoffMax) {
            this.retryBackoffMax = retryBackoffMax;
            return this;
        }

        public Builder retryBackoffMultiplier(double retryBackoffMultiplier) {
            this.retryBackoffMultiplier = retryBackoffMultiplier;
            return this;
        }

        public Builder retryJitter(double retryJitter) {
            this.retryJitter = retryJitter;
            return this;
        }

        public Builder retryExhaustedStrategy(FailureStrategy retryExhaustedStrategy) {
            this.retryExhaustedStrategy = retryExhaustedStrategy;
            return this;
        }

        /** A share in [0, 1]; negative disables the guard. */
        public Builder maxFailureRatio(double maxFailureRatio) {
            this.maxFailureRatio = maxFailureRatio;
            return this;
        }

        public Builder failureRatioWindow(Duration failureRatioWindow) {
            this.failureRatioWindow = failureRatioWindow;
            return this;
        }

        /** At least 1; 1 judges the ratio from the first record on. */
        public Builder failureRatioMinRecords(long failureRatioMinRecords) {
            this.failureRatioMinRecords = failureRatioMinRecords;
            return this;
        }

        /** Fully qualified or simple class names; see {@code RetriableErrors} for matching. */
        public Builder retriableErrors(List<String> classNames) {
            this.retriableErrors = Objects.requireNonNull(classNames);
            return this;
        }

        /** Fully qualified or simple class names never retried; they win over retriable ones. */
        public Builder nonRetriableErrors(List<String> classNames) {
            this.nonRetriableErrors = Objects.requireNonNull(classNames);
            return this;
        }

        public FailureConfig build() {
            return new FailureConfig(this);
        }
    }
}
