package dev.velo.flink.batching.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
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

    /**
     * The batch configuration of a WITH-clause style map ({@code batch.*} and {@code
     * sink.batch.*}), validated by {@link VeloOptions#parse}; other flink-velo keys in the map are
     * validated too.
     *
     * @throws ValidationException naming the key, the value and what is accepted
     */
    public static BatchConfig fromOptions(Map<String, String> options) {
        return VeloOptions.parse(null, options).batchConfig();
    }

    /**
     * Like {@link #fromOptions(Map)} for a Flink configuration. A {@link Configuration} is read
     * through its string form; any other {@link ReadableConfig} is asked for each declared {@link
     * BatchOptions} option, so its own type conversion applies first.
     *
     * @throws ValidationException naming the key, the value and what is accepted
     */
    public static BatchConfig fromOptions(ReadableConfig config) {
        if (config instanceof Configuration) {
            return fromOptions(((Configuration) config).toMap());
        }
        Map<String, String> options = new HashMap<>();
        for (ConfigOption<?> option : BatchOptions.ALL) {
            readAsString(config, option, options);
        }
        return fromOptions(options);
    }

    private static <T> void readAsString(
            ReadableConfig config, ConfigOption<T> option, Map<String, String> into) {
        T value;
        try {
            value = config.getOptional(option).orElse(null);
        } catch (IllegalArgumentException e) {
            // Flink's conversion failed; the raw value is not available through ReadableConfig.
            throw new ValidationException(
                    "Invalid value for option '" + option.key() + "': " + e.getMessage(), e);
        }
        if (value != null) {
            into.put(
                    option.key(),
                    value instanceof Duration
                            ? Durations.format((Duration) value)
                            : String.valueOf(value));
        }
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
