package dev.velo.flink.batching.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.junit.jupiter.api.Test;

/** Tests the {@code fromOptions} shortcuts of {@link BatchConfig} and {@link FailureConfig}. */
class ConfigFromOptionsTest {

    @Test
    void batchConfigFromMap() {
        assertThat(
                        BatchConfig.fromOptions(
                                Map.of(
                                        "batch.strategy",
                                        "MegaBatch",
                                        "batch.mega_batch_size",
                                        "100000")))
                .isEqualTo(
                        BatchConfig.builder()
                                .strategy(new BatchStrategy.MegaBatch(100_000, true, true))
                                .maxBatchSize(100_000)
                                .build());
    }

    @Test
    void batchConfigFromMapRejectsBadValuesWithoutTable() {
        assertThatThrownBy(() -> BatchConfig.fromOptions(Map.of("batch.size", "-3")))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Invalid value '-3' for option 'batch.size'");
    }

    @Test
    void batchConfigFromConfiguration() {
        Configuration conf = new Configuration();
        conf.set(BatchOptions.STRATEGY, "time_window");
        conf.set(BatchOptions.WINDOW, Duration.ofMinutes(2));
        conf.setString("batch.enable", "yes");
        assertThat(BatchConfig.fromOptions(conf))
                .isEqualTo(
                        BatchConfig.builder()
                                .strategy(new BatchStrategy.TimeWindow(Duration.ofMinutes(2)))
                                .batchTimeout(Duration.ofMinutes(2))
                                .build());
    }

    @Test
    void batchConfigFromOtherReadableConfig() {
        Map<ConfigOption<?>, Object> values = new HashMap<>();
        values.put(BatchOptions.STRATEGY, "low_latency");
        values.put(BatchOptions.LOW_LATENCY_WAIT, Duration.ofMillis(7));
        values.put(BatchOptions.LOW_LATENCY_MAX_SIZE, 3);
        assertThat(BatchConfig.fromOptions(new FakeReadableConfig(values)))
                .isEqualTo(
                        BatchConfig.builder()
                                .strategy(
                                        new BatchStrategy.LowLatency(3, Duration.ofMillis(7), true))
                                .batchTimeout(Duration.ofMillis(7))
                                .build());
    }

    @Test
    void batchConfigFromOtherReadableConfigValidates() {
        Map<ConfigOption<?>, Object> values = new HashMap<>();
        values.put(BatchOptions.SIZE, 0);
        assertThatThrownBy(() -> BatchConfig.fromOptions(new FakeReadableConfig(values)))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'batch.size'");
    }

    @Test
    void failureConfigFromMapReadsTheUnprefixedSide() {
        FailureConfig f =
                FailureConfig.fromOptions(
                        Map.of(
                                "failure_strategy", "send_to_dlq",
                                "sink.failure_strategy", "FailBatch",
                                "source.failure_strategy", "LogAndContinue"));
        assertThat(f).isEqualTo(FailureConfig.of(FailureStrategy.SEND_TO_DLQ));
    }

    /** A {@link ReadableConfig} that is not a {@link Configuration}. */
    private static final class FakeReadableConfig implements ReadableConfig {
        private final Map<ConfigOption<?>, Object> values;

        FakeReadableConfig(Map<ConfigOption<?>, Object> values) {
            this.values = values;
        }

        @Override
        public <T> T get(ConfigOption<T> option) {
            return getOptional(option).orElse(option.defaultValue());
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> Optional<T> getOptional(ConfigOption<T> option) {
            return Optional.ofNullable((T) values.get(option));
        }

        @Override
        public Map<String, String> toMap() {
            throw new UnsupportedOperationException("not used for non-Configuration input");
        }
    }
}
