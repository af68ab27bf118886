package dev.velo.flink.batching.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.util.Preconditions;

/**
 * How records are grouped into batches: the strategy, the cap every strategy respects, and the
 * timeout after which an incomplete size- or memory-based batch is flushed.
 */
@PublicEvolving
public final class BatchConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Seed default of {@code batch.max_size}. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 1000;

    private final boolean enabled;
    private final BatchStrategy strategy;
    private final int maxBatchSize;
    private final Duration batchTimeout;

    private BatchConfig(Builder b) {
        this.enabled = b.enabled;
        this.strategy = Objects.requireNonNull(b.strategy, "strategy");
        this.maxBatchSize = b.maxBatchSize;
        this.batchTimeout = Objects.requireNonNull(b.batchTimeout, "batchTimeout");
        Preconditions.checkArgument(maxBatchSize > 0, "maxBatchSize must be positive");
        Preconditions.checkArgument(!batchTimeout.isNegative(), "batchTimeout must be >= 0");
    }

    /** The seed's defaults: fixed_size 100, timeout 1000 ms, cap 1000. */
    public static BatchConfig defaults() {
        return builder().build();
    }

    /** MegaBatch of 50,000 records, parallel, reusing buffers; 100 ms timeout. */
    public static BatchConfig highThroughput() {
        return builder()
                .strategy(new BatchStrategy.MegaBatch(50_000, true, true))
                .maxBatchSize(100_000)
                .batchTimeout(Duration.ofMillis(100))
                .build();
    }

    /** MegaBatch of 100,000 records, parallel, reusing buffers; 100 ms timeout. */
    public static BatchConfig ultraThroughput() {
        return builder()
                .strategy(new BatchStrategy.MegaBatch(100_000, true, true))
                .maxBatchSize(100_000)
                .batchTimeout(Duration.ofMillis(100))
                .build();
    }

    /** LowLatency: up to 1 record, 1 ms wait, eager processing. */
    public static BatchConfig lowLatency() {
        return builder()
                .strategy(new BatchStrategy.LowLatency(1, Duration.ofMillis(1), true))
                .batchTimeout(Duration.ofMillis(1))
                .build();
    }

    /** Records pass through one by one, unbuffered. */
    public static BatchConfig disabled() {
        return builder().enabled(false).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .enabled(enabled)
                .strategy(strategy)
                .maxBatchSize(maxBatchSize)
                .batchTimeout(batchTimeout);
    }

    public boolean isEnabled() {
        return enabled;
    }

    public BatchStrategy strategy() {
        return strategy;
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public Duration batchTimeout() {
        return batchTimeout;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BatchConfig)) {
            return false;
        }
        BatchConfig that = (BatchConfig) o;
        return enabled == that.enabled
                && maxBatchSize == that.maxBatchSize
                && strategy.equals(that.strategy)
                && batchTimeout.equals(that.batchTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, strategy, maxBatchSize, batchTimeout);
    }

    @Override
    public String toString() {
        return "BatchConfig{enabled="
                + enabled
                + ", strategy="
                + strategy
                + ", maxBatchSize="
                + maxBatchSize
                + ", batchTimeout="
                + batchTimeout
                + '}';
    }

    /** Builder of {@link BatchConfig}; starts from the seed's defaults. */
    @PublicEvolving
    public static final class Builder {
        private boolean enabled = true;
        private BatchStrategy strategy = new BatchStrategy.FixedSize(100);
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private Duration batchTimeout = Duration.ofMillis(1000);

        private Builder() {}

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        public Builder strategy(BatchStrategy strategy) {
            this.strategy = strategy;
            return this;
        }

        public Builder maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        public Builder batchTimeout(Duration batchTimeout) {
            this.batchTimeout = batchTimeout;
            return this;
        }

        public BatchConfig build() {
            return new BatchConfig(this);
        }
    }
}
