package dev.velo.flink.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.velo.flink.batching.config.BatchStrategyType;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.config.VeloOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Tests {@link CanonicalOptions}: what {@code velo validate} lists for a table's options. */
class CanonicalOptionsTest {

    private static VeloOptions parse(String... keyValues) {
        return VeloOptions.parse("t", map(keyValues));
    }

    private static LinkedHashMap<String, String> canonical(String... keyValues) {
        return CanonicalOptions.of(parse(keyValues));
    }

    private static Map<String, String> map(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static LinkedHashMap<String, String> linked(String... keyValues) {
        return new LinkedHashMap<>(map(keyValues));
    }

    @Test
    void emptyOptionsGiveTheSeedDefaults() {
        assertThat(canonical())
                .containsExactlyEntriesOf(
                        linked(
                                "batch.enable", "true",
                                "batch.strategy", "fixed_size",
                                "batch.size", "100",
                                "batch.max_size", "1000",
                                "batch.timeout", "1000ms",
                                "failure_strategy", "FailBatch",
                                "source.failure_strategy", "FailBatch"));
    }

    @Test
    void seedCombinedExample() {
        assertThat(
                        canonical(
                                "batch.strategy", "adaptive_size",
                                "batch.enable", "true",
                                "batch.min_size", "50",
                                "batch.adaptive_max_size", "2000",
                                "batch.target_latency", "100ms",
                                "failure_strategy", "RetryWithBackoff",
                                "max_retries", "5",
                                "retry_backoff", "2000ms",
                                "source.failure_strategy", "LogAndContinue"))
                .containsExactlyEntriesOf(
                        linked(
                                "batch.enable", "true",
                                "batch.strategy", "adaptive_size",
                                "batch.min_size", "50",
                                "batch.adaptive_max_size", "2000",
                                "batch.target_latency", "100ms",
                                "batch.max_size", "2000",
                                "batch.timeout", "1000ms",
                                "failure_strategy", "RetryWithBackoff",
                                "max_retries", "5",
                                "retry_backoff", "2000ms",
                                "retry_backoff_max", "60000ms",
                                "retry_backoff_multiplier", "2.0",
                                "retry_jitter", "0.1",
                                "retry_exhausted", "FailBatch",
                                "source.failure_strategy", "LogAndContinue"));
    }

    @Test
    void whatTheUserWroteIsWhatVeloValidateShows() {
        for (Map<String, String> options :
                List.of(
                        map("batch.strategy", "fixed_size", "batch.size", "1000"),
                        map("batch.strategy", "time_window", "batch.window", "5s"),
                        map(
                                "batch.strategy", "low_latency",
                                "batch.low_latency_max_size", "5",
                                "batch.low_latency_wait", "10ms",
                                "batch.eager_processing", "true"),
                        map(
                                "failure_strategy", "RetryWithBackoff",
                                "max_retries", "5",
                                "retry_backoff", "2000ms"),
                        map(
                                "source.failure_strategy", "RetryWithBackoff",
                                "source.retry_backoff", "1000ms",
                                "source.max_retries", "3"))) {
            assertThat(CanonicalOptions.of(VeloOptions.parse("t", options)))
                    .containsKeys(options.keySet().toArray(new String[0]));
        }
    }

    @Test
    void aliasesAndSideOverridesAreShownCanonically() {
        assertThat(canonical("sink.batch.size", "500", "sink.batch.timeout", "5s"))
                .containsEntry("batch.size", "500")
                .containsEntry("batch.timeout", "5000ms");
        assertThat(
                        canonical(
                                "failure_strategy", "RetryWithBackoff",
                                "max_retries", "5",
                                "source.max_retries", "1",
                                "sink.retry_backoff", "10ms"))
                .contains(
                        entry("source.max_retries", "1"),
                        entry("sink.retry_backoff", "10ms"),
                        entry("sink.max_retries", "5"));
        assertThat(
                        canonical(
                                "failure_strategy", "RetryWithBackoff",
                                "retry.retriable_errors",
                                        " java.sql.SQLException , DeadlockException ",
                                "sink.retry.non_retriable_errors", "java.net.UnknownHostException",
                                "max_failure_ratio", "0.1",
                                "failure_ratio_min_records", "500"))
                .containsEntry("retry.retriable_errors", "java.sql.SQLException,DeadlockException")
                .containsEntry("sink.retry.non_retriable_errors", "java.net.UnknownHostException")
                .containsEntry("failure_ratio_min_records", "500");
    }

    @Test
    void eachCallIsAFreshMap() {
        VeloOptions o = parse();
        CanonicalOptions.of(o).clear();
        assertThat(CanonicalOptions.of(o)).isNotEmpty();
    }

    /** Every key of the seed guide with its documented default. */
    static Stream<Arguments> seedDefaults() {
        return Stream.of(
                Arguments.of("fixed_size", "batch.size", "100"),
                Arguments.of("fixed_size", "batch.timeout", "1000ms"),
                Arguments.of("fixed_size", "batch.enable", "true"),
                Arguments.of("time_window", "batch.window", "1000ms"),
                Arguments.of("memory_based", "batch.memory_size", "1048576"),
                Arguments.of("adaptive_size", "batch.min_size", "10"),
                Arguments.of("adaptive_size", "batch.adaptive_max_size", "1000"),
                Arguments.of("adaptive_size", "batch.target_latency", "100ms"),
                Arguments.of("low_latency", "batch.low_latency_max_size", "1"),
                Arguments.of("low_latency", "batch.low_latency_wait", "1ms"),
                Arguments.of("low_latency", "batch.eager_processing", "true"),
                Arguments.of("mega_batch", "batch.mega_batch_size", "50000"),
                Arguments.of("mega_batch", "batch.parallel", "true"),
                Arguments.of("mega_batch", "batch.reuse_buffer", "true"));
    }

    @ParameterizedTest(name = "{0}: {1} = {2}")
    @MethodSource("seedDefaults")
    void everySeedKeyHasItsDefault(String strategy, String key, String expected) {
        assertThat(canonical("batch.strategy", strategy)).containsEntry(key, expected);
    }

    static Stream<Arguments> effectivePerStrategy() {
        return Stream.of(
                Arguments.of(
                        "fixed_size",
                        linked(
                                "batch.enable", "true",
                                "batch.strategy", "fixed_size",
                                "batch.size", "100",
                                "batch.max_size", "1000",
                                "batch.timeout", "1000ms")),
                Arguments.of(
                        "TimeWindow",
                        linked(
                                "batch.enable", "true",
                                "batch.strategy", "time_window",
                                "batch.window", "1000ms",
                                "batch.max_size", "1000")),
                Arguments.of(
                        "memorybased",
                        linked(
                                "batch.enable", "true",
                                "batch.strategy", "memory_based",
                                "batch.memory_size", "1048576",
                                "batch.max_size", "1000",
                                "batch.timeout", "1000ms")),
                Arguments.of(
                        "ADAPTIVE_SIZE",
                        linked(
                                "batch.enable", "true",
                                "batch.strategy", "adaptive_size",
                                "batch.min_size", "10",
                                "batch.adaptive_max_size", "1000",
                                "batch.target_latency", "100ms",
                                "batch.max_size", "1000",
                                "batch.timeout", "1000ms")),
                Arguments.of(
                        "LowLatency",
                        linked(
                                "batch.enable", "true",
                                "batch.strategy", "low_latency",
                                "batch.low_latency_max_size", "1",
                                "batch.low_latency_wait", "1ms",
                                "batch.eager_processing", "true",
                                "batch.max_size", "1000")),
                Arguments.of(
                        "MegaBatch",
                        linked(
                                "batch.enable", "true",
                                "batch.strategy", "mega_batch",
                                "batch.mega_batch_size", "50000",
                                "batch.parallel", "true",
                                "batch.reuse_buffer", "true",
                                "batch.max_size", "50000",
                                "batch.timeout", "1000ms")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("effectivePerStrategy")
    void canonicalOptionsPerStrategy(String strategy, LinkedHashMap<String, String> batchPart) {
        LinkedHashMap<String, String> expected = new LinkedHashMap<>(batchPart);
        expected.put("failure_strategy", "FailBatch");
        expected.put("source.failure_strategy", "FailBatch");
        assertThat(canonical("batch.strategy", strategy)).containsExactlyEntriesOf(expected);
    }

    @Test
    void spellingsAreNormalised() {
        VeloOptions o =
                parse(
                        "sink.batch.strategy", "TimeWindow",
                        "sink.batch.window", " 2 Minutes ",
                        "batch.enable", "YES",
                        "failure_strategy", "send_to_dlq",
                        "max_failure_ratio", "0.050",
                        "source.failure_strategy", "retry_with_backoff",
                        "source.retry_backoff", "1s",
                        "source.retry_jitter", ".5",
                        "sink.failure_strategy", "logandcontinue");
        assertThat(CanonicalOptions.of(o))
                .containsExactlyEntriesOf(
                        linked(
                                "batch.enable", "true",
                                "batch.strategy", "time_window",
                                "batch.window", "120000ms",
                                "batch.max_size", "1000",
                                "failure_strategy", "SendToDLQ",
                                "max_failure_ratio", "0.05",
                                "failure_ratio_window", "60000ms",
                                "failure_ratio_min_records", "100",
                                "source.failure_strategy", "RetryWithBackoff",
                                "source.max_retries", "3",
                                "source.retry_backoff", "1000ms",
                                "source.retry_backoff_max", "60000ms",
                                "source.retry_backoff_multiplier", "2.0",
                                "source.retry_jitter", "0.5",
                                "source.retry_exhausted", "FailBatch",
                                "source.max_failure_ratio", "0.05",
                                "source.failure_ratio_window", "60000ms",
                                "source.failure_ratio_min_records", "100",
                                "sink.failure_strategy", "LogAndContinue",
                                "sink.max_failure_ratio", "0.05",
                                "sink.failure_ratio_window", "60000ms",
                                "sink.failure_ratio_min_records", "100"));
        assertThat(o.warnings()).isEmpty();
    }

    @Test
    void canonicalOptionsParseBackToTheSameOptions() {
        VeloOptions o =
                parse(
                        "batch.strategy", "mega_batch",
                        "batch.mega_batch_size", "20000",
                        "failure_strategy", "RetryWithBackoff",
                        "retry_backoff", "90s",
                        "sink.max_retries", "9");
        VeloOptions again =
                parse(
                        CanonicalOptions.of(o).entrySet().stream()
                                .flatMap(e -> Stream.of(e.getKey(), e.getValue()))
                                .toArray(String[]::new));
        assertThat(CanonicalOptions.of(again)).isEqualTo(CanonicalOptions.of(o));
        assertThat(again.batchConfig()).isEqualTo(o.batchConfig());
        assertThat(again.sinkFailure()).isEqualTo(o.sinkFailure());
        assertThat(CanonicalOptions.of(o)).containsEntry("sink.max_retries", "9");
    }

    @Test
    void sinkSideListedOnlyWhenItDiffers() {
        assertThat(canonical("sink.failure_strategy", "FailBatch"))
                .doesNotContainKey("sink.failure_strategy");
        assertThat(canonical("sink.failure_strategy", "SendToDLQ"))
                .containsEntry("sink.failure_strategy", "SendToDLQ");
    }

    @Test
    void optionsOfEachStrategyMatchItsCanonicalOptions() {
        for (BatchStrategyType type : BatchStrategyType.values()) {
            List<String> keys =
                    VeloOptions.optionsOf(type).stream()
                            .map(ConfigOption::key)
                            .collect(Collectors.toList());
            List<String> effectiveBatchKeys =
                    canonical("batch.strategy", type.sqlName()).keySet().stream()
                            .filter(k -> k.startsWith("batch."))
                            .collect(Collectors.toList());
            assertThat(keys).as(type.sqlName()).isEqualTo(effectiveBatchKeys);
        }
    }

    @Test
    void everyStrategyAndFailureStrategyRoundTripsWithoutWarnings() {
        for (BatchStrategyType type : BatchStrategyType.values()) {
            for (FailureStrategy failure : FailureStrategy.values()) {
                VeloOptions o =
                        parse(
                                "batch.strategy",
                                type.camelName(),
                                "failure_strategy",
                                failure.displayName(),
                                "max_failure_ratio",
                                "0.25",
                                "retry_backoff",
                                "3s");
                LinkedHashMap<String, String> shown = CanonicalOptions.of(o);
                VeloOptions again = VeloOptions.parse("t", shown);
                assertThat(CanonicalOptions.of(again)).as("%s", shown).isEqualTo(shown);
                assertThat(again.batchConfig()).isEqualTo(o.batchConfig());
                if (failure == FailureStrategy.RETRY_WITH_BACKOFF) {
                    // otherwise the retry keys are not used, so not shown
                    assertThat(again.sourceFailure()).isEqualTo(o.sourceFailure());
                    assertThat(again.sinkFailure()).isEqualTo(o.sinkFailure());
                    assertThat(shown).containsEntry("retry_backoff", "3000ms");
                }
                assertThat(again.sinkFailure().strategy()).isEqualTo(failure);
                assertThat(again.sourceFailure().maxFailureRatio()).isEqualTo(0.25);
                assertThat(again.warnings()).as("%s", shown).isEmpty();
            }
        }
    }
}
