package dev.velo.flink.batching.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.table.api.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests {@link VeloOptions}: keys, defaults, aliases, errors, warnings and canonical output. */
class VeloOptionsTest {

    private static VeloOptions parse(String... keyValues) {
        return VeloOptions.parse("t", map(keyValues), false);
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

    // ------------------------------------------------------------------ defaults

    @Test
    void emptyOptionsGiveTheSeedDefaults() {
        VeloOptions o = parse();
        assertThat(o.tableName()).isEqualTo("t");
        assertThat(o.batchConfig()).isEqualTo(BatchConfig.defaults());
        assertThat(o.sourceFailure()).isEqualTo(FailureConfig.defaults());
        assertThat(o.sinkFailure()).isEqualTo(FailureConfig.defaults());
        assertThat(o.commonFailure()).isEqualTo(FailureConfig.defaults());
        assertThat(o.warnings()).isEmpty();
    }

    @Test
    void failureDefaultsWhenRetrying() {
        FailureConfig f = parse("failure_strategy", "RetryWithBackoff").sinkFailure();
        assertThat(f.maxRetries()).isEqualTo(3);
        assertThat(f.retryBackoff()).isEqualTo(Duration.ofMillis(1000));
        assertThat(f.retryBackoffMax()).isEqualTo(Duration.ofMinutes(1));
        assertThat(f.retryBackoffMultiplier()).isEqualTo(2.0);
        assertThat(f.retryJitter()).isEqualTo(0.1);
        assertThat(f.retryExhaustedStrategy()).isEqualTo(FailureStrategy.FAIL_BATCH);
        assertThat(f.isFailureRatioGuardEnabled()).isFalse();
        assertThat(f.failureRatioWindow()).isEqualTo(Duration.ofMinutes(1));
    }

    // ------------------------------------------------------------------ every key, explicit value

    @Test
    void everyBatchKeyIsRead() {
        assertThat(parse("batch.size", "7", "batch.timeout", "2s").batchConfig())
                .isEqualTo(
                        BatchConfig.builder()
                                .strategy(new BatchStrategy.FixedSize(7))
                                .batchTimeout(Duration.ofSeconds(2))
                                .build());
        assertThat(parse("batch.strategy", "time_window", "batch.window", "5s").batchConfig())
                .isEqualTo(
                        BatchConfig.builder()
                                .strategy(new BatchStrategy.TimeWindow(Duration.ofSeconds(5)))
                                .batchTimeout(Duration.ofSeconds(5))
                                .build());
        assertThat(
                        parse(
                                        "batch.strategy", "memory_based",
                                        "batch.memory_size", "2097152",
                                        "batch.timeout", "250ms")
                                .batchConfig())
                .isEqualTo(
                        BatchConfig.builder()
                                .strategy(new BatchStrategy.MemoryBased(2_097_152L))
                                .batchTimeout(Duration.ofMillis(250))
                                .build());
        assertThat(
                        parse(
                                        "batch.strategy", "adaptive_size",
                                        "batch.min_size", "10",
                                        "batch.adaptive_max_size", "2000",
                                        "batch.target_latency", "100ms")
                                .batchConfig())
                .isEqualTo(
                        BatchConfig.builder()
                                .strategy(
                                        new BatchStrategy.AdaptiveSize(
                                                10, 2000, Duration.ofMillis(100)))
                                .maxBatchSize(2000)
                                .build());
        assertThat(
                        parse(
                                        "batch.strategy", "low_latency",
                                        "batch.low_latency_max_size", "5",
                                        "batch.low_latency_wait", "10ms",
                                        "batch.eager_processing", "false")
                                .batchConfig())
                .isEqualTo(
                        BatchConfig.builder()
                                .strategy(
                                        new BatchStrategy.LowLatency(
                                                5, Duration.ofMillis(10), false))
                                .batchTimeout(Duration.ofMillis(10))
                                .build());
        assertThat(
                        parse(
                                        "batch.strategy", "mega_batch",
                                        "batch.mega_batch_size", "75000",
                                        "batch.parallel", "false",
                                        "batch.reuse_buffer", "no",
                                        "batch.max_size", "100000",
                                        "batch.timeout", "100ms")
                                .batchConfig())
                .isEqualTo(
                        BatchConfig.builder()
                                .strategy(new BatchStrategy.MegaBatch(75_000, false, false))
                                .maxBatchSize(100_000)
                                .batchTimeout(Duration.ofMillis(100))
                                .build());
        assertThat(parse("batch.enable", "false").batchConfig()).isEqualTo(BatchConfig.disabled());
    }

    @Test
    void everyFailureKeyIsRead() {
        FailureConfig f =
                parse(
                                "failure_strategy", "RetryWithBackoff",
                                "max_retries", "5",
                                "retry_backoff", "2000ms",
                                "retry_backoff_max", "30s",
                                "retry_backoff_multiplier", "1.5",
                                "retry_jitter", "0",
                                "retry_exhausted", "SendToDLQ",
                                "max_failure_ratio", "0.05",
                                "failure_ratio_window", "2m")
                        .sinkFailure();
        assertThat(f)
                .isEqualTo(
                        FailureConfig.builder()
                                .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                                .maxRetries(5)
                                .retryBackoff(Duration.ofSeconds(2))
                                .retryBackoffMax(Duration.ofSeconds(30))
                                .retryBackoffMultiplier(1.5)
                                .retryJitter(0)
                                .retryExhaustedStrategy(FailureStrategy.SEND_TO_DLQ)
                                .maxFailureRatio(0.05)
                                .failureRatioWindow(Duration.ofMinutes(2))
                                .build());
        assertThat(f.mayDeadLetter()).isTrue();
    }

    // ------------------------------------------------------------------ the seed's examples

    @Test
    void seedCombinedExample() {
        VeloOptions o =
                parse(
                        "batch.strategy", "adaptive_size",
                        "batch.enable", "true",
                        "batch.min_size", "50",
                        "batch.adaptive_max_size", "2000",
                        "batch.target_latency", "100ms",
                        "failure_strategy", "RetryWithBackoff",
                        "max_retries", "5",
                        "retry_backoff", "2000ms",
                        "source.failure_strategy", "LogAndContinue");
        assertThat(o.warnings()).isEmpty();
        assertThat(o.batchConfig().strategy())
                .isEqualTo(new BatchStrategy.AdaptiveSize(50, 2000, Duration.ofMillis(100)));
        assertThat(o.batchConfig().maxBatchSize()).isEqualTo(2000);
        assertThat(o.sinkFailure().strategy()).isEqualTo(FailureStrategy.RETRY_WITH_BACKOFF);
        assertThat(o.sinkFailure().maxRetries()).isEqualTo(5);
        assertThat(o.sinkFailure().retryBackoff()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.sourceFailure().strategy()).isEqualTo(FailureStrategy.LOG_AND_CONTINUE);
    }

    static Stream<Arguments> seedExamples() {
        return Stream.of(
                Arguments.of(
                        map(
                                "batch.strategy",
                                "fixed_size",
                                "batch.size",
                                "1000",
                                "batch.enable",
                                "true")),
                Arguments.of(
                        map(
                                "batch.strategy",
                                "time_window",
                                "batch.window",
                                "5s",
                                "batch.enable",
                                "true")),
                Arguments.of(
                        map(
                                "batch.strategy", "memory_based",
                                "batch.memory_size", "2097152",
                                "batch.enable", "true")),
                Arguments.of(
                        map(
                                "batch.strategy", "adaptive_size",
                                "batch.min_size", "10",
                                "batch.adaptive_max_size", "2000",
                                "batch.target_latency", "100ms",
                                "batch.enable", "true")),
                Arguments.of(
                        map(
                                "batch.strategy", "low_latency",
                                "batch.low_latency_max_size", "5",
                                "batch.low_latency_wait", "10ms",
                                "batch.eager_processing", "true",
                                "batch.enable", "true")),
                Arguments.of(
                        map(
                                "batch.strategy", "mega_batch",
                                "batch.mega_batch_size", "50000",
                                "batch.parallel", "true",
                                "batch.reuse_buffer", "true",
                                "batch.enable", "true")),
                Arguments.of(
                        map(
                                "failure_strategy", "RetryWithBackoff",
                                "max_retries", "5",
                                "retry_backoff", "2000ms")),
                Arguments.of(
                        map(
                                "source.failure_strategy", "RetryWithBackoff",
                                "source.retry_backoff", "1000ms",
                                "source.max_retries", "3")));
    }

    @ParameterizedTest
    @MethodSource("seedExamples")
    void seedExamplesParseWithoutWarnings(Map<String, String> options) {
        VeloOptions o = VeloOptions.parse("t", options, false);
        assertThat(o.warnings()).isEmpty();
    }

    @Test
    void aKeyOverriddenOnBothSidesIsReportedAsSuch() {
        VeloOptions o =
                parse(
                        "failure_strategy", "RetryWithBackoff",
                        "max_retries", "5",
                        "source.max_retries", "1",
                        "sink.max_retries", "2");
        assertThat(o.warnings())
                .containsExactly(
                        "Table 't': option 'max_retries' is ignored: 'source.max_retries' and"
                                + " 'sink.max_retries' override it on both sides.");
        assertThat(o.commonFailure().maxRetries()).isEqualTo(5);
    }

    // ------------------------------------------------------------------ aliases and overrides

    @Test
    void sinkBatchAliasIsAccepted() {
        VeloOptions o = parse("sink.batch.size", "500", "sink.batch.timeout", "5s");
        assertThat(o.batchConfig().strategy()).isEqualTo(new BatchStrategy.FixedSize(500));
        assertThat(o.batchConfig().batchTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aliasAndKeyWithEqualValuesAgree() {
        assertThat(
                        parse("batch.timeout", "1s", "sink.batch.timeout", "1000ms")
                                .batchConfig()
                                .batchTimeout())
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(
                        parse("batch.strategy", "MegaBatch", "sink.batch.strategy", "mega_batch")
                                .batchConfig()
                                .strategy()
                                .type())
                .isEqualTo(BatchStrategyType.MEGA_BATCH);
    }

    @Test
    void aliasAndKeyWithDifferentValuesConflict() {
        assertThatThrownBy(() -> parse("batch.size", "100", "sink.batch.size", "200"))
                .isInstanceOf(ValidationException.class)
                .hasMessage(
                        "Table 't': invalid value '200' for option 'sink.batch.size': conflicts"
                                + " with 'batch.size' = '100'; set only one of them.");
    }

    @Test
    void sideOverridesWinOverUnprefixedKeys() {
        VeloOptions o =
                parse(
                        "failure_strategy", "RetryWithBackoff",
                        "max_retries", "5",
                        "source.max_retries", "1",
                        "sink.retry_backoff", "10ms");
        assertThat(o.sourceFailure().maxRetries()).isEqualTo(1);
        assertThat(o.sourceFailure().retryBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.sinkFailure().maxRetries()).isEqualTo(5);
        assertThat(o.sinkFailure().retryBackoff()).isEqualTo(Duration.ofMillis(10));
        assertThat(o.commonFailure().maxRetries()).isEqualTo(5);
        assertThat(o.commonFailure().retryBackoff()).isEqualTo(Duration.ofSeconds(1));
    }

    // ------------------------------------------------------------------ max_size and timeouts

    @Test
    void maxSizeGrowsWithTheStrategySizeWhenNotSet() {
        assertThat(parse("batch.size", "5000").batchConfig().maxBatchSize()).isEqualTo(5000);
        assertThat(parse("batch.size", "10").batchConfig().maxBatchSize()).isEqualTo(1000);
        assertThat(parse("batch.strategy", "mega_batch").batchConfig().maxBatchSize())
                .isEqualTo(50_000);
        assertThat(parse("batch.strategy", "memory_based").batchConfig().maxBatchSize())
                .isEqualTo(1000);
    }

    @Test
    void explicitMaxSizeIsKept() {
        assertThat(parse("batch.size", "10", "batch.max_size", "20").batchConfig().maxBatchSize())
                .isEqualTo(20);
        assertThat(
                        parse("batch.strategy", "time_window", "batch.max_size", "5")
                                .batchConfig()
                                .maxBatchSize())
                .isEqualTo(5);
    }

    @Test
    void explicitStrategySizeAboveExplicitMaxSizeIsAnError() {
        assertThatThrownBy(() -> parse("batch.size", "5000", "batch.max_size", "1000"))
                .isInstanceOf(ValidationException.class)
                .hasMessage(
                        "Table 't': invalid value '5000' for option 'batch.size': must not exceed"
                                + " 'batch.max_size' = '1000'.");
    }

    @Test
    void defaultStrategySizeAboveExplicitMaxSizeIsAnError() {
        assertThatThrownBy(
                        () -> parse("batch.strategy", "mega_batch", "sink.batch.max_size", "1000"))
                .isInstanceOf(ValidationException.class)
                .hasMessage(
                        "Table 't': invalid value '1000' for option 'sink.batch.max_size': must be"
                                + " at least 'batch.mega_batch_size' = '50000' (its default) for"
                                + " batch strategy mega_batch.");
    }

    @Test
    void minSizeAboveAdaptiveMaxSizeIsAnError() {
        assertThatThrownBy(
                        () ->
                                parse(
                                        "batch.strategy", "adaptive_size",
                                        "batch.min_size", "50",
                                        "batch.adaptive_max_size", "20"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'batch.min_size'")
                .hasMessageContaining("'50'")
                .hasMessageContaining("'batch.adaptive_max_size' = '20'");
        assertThatThrownBy(
                        () ->
                                parse(
                                        "batch.strategy", "adaptive_size",
                                        "batch.adaptive_max_size", "5"))
                .hasMessageContaining("option 'batch.adaptive_max_size'")
                .hasMessageContaining("'batch.min_size' = '10' (its default)");
        // not checked when adaptive_size is not the strategy (the keys are only warned about)
        assertThat(parse("batch.min_size", "50", "batch.adaptive_max_size", "20").warnings())
                .hasSize(2);
    }

    @Test
    void timeoutFollowsTheStrategy() {
        assertThat(
                        parse("batch.strategy", "time_window", "batch.window", "3s")
                                .batchConfig()
                                .batchTimeout())
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(
                        parse("batch.strategy", "low_latency", "batch.low_latency_wait", "0")
                                .batchConfig()
                                .batchTimeout())
                .isEqualTo(Duration.ZERO);
        assertThat(parse("batch.timeout", "0").batchConfig().batchTimeout()).isZero();
    }

    @Test
    void retryBackoffMaxRules() {
        assertThat(
                        parse("failure_strategy", "RetryWithBackoff", "retry_backoff", "2m")
                                .sinkFailure()
                                .retryBackoffMax())
                .isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(
                        () ->
                                parse(
                                        "failure_strategy", "RetryWithBackoff",
                                        "retry_backoff", "2m",
                                        "retry_backoff_max", "1m"))
                .isInstanceOf(ValidationException.class)
                .hasMessage(
                        "Table 't': invalid value '1m' for option 'retry_backoff_max': must be at"
                                + " least 'retry_backoff' = '120000ms'.");
        assertThatThrownBy(
                        () ->
                                parse(
                                        "source.failure_strategy", "RetryWithBackoff",
                                        "source.retry_backoff_max", "10ms"))
                .hasMessageContaining("'source.retry_backoff_max'")
                .hasMessageContaining("'retry_backoff' = '1000ms' (its default)");
    }

    // ------------------------------------------------------------------ bad values

    static Stream<Arguments> badValues() {
        return Stream.of(
                // wrong type
                Arguments.of("batch.enable", "maybe"),
                Arguments.of("batch.size", "ten"),
                Arguments.of("batch.size", "10.5"),
                Arguments.of("batch.timeout", "soon"),
                Arguments.of("batch.memory_size", "1MB"),
                Arguments.of("batch.eager_processing", "2"),
                Arguments.of("batch.parallel", "on"),
                Arguments.of("batch.reuse_buffer", "enabled"),
                Arguments.of("max_retries", "three"),
                Arguments.of("retry_jitter", "10%"),
                Arguments.of("retry_backoff_multiplier", "double"),
                Arguments.of("max_failure_ratio", "5%"),
                // negative
                Arguments.of("batch.size", "-1"),
                Arguments.of("batch.max_size", "-100"),
                Arguments.of("batch.timeout", "-1ms"),
                Arguments.of("batch.memory_size", "-1"),
                Arguments.of("batch.min_size", "-10"),
                Arguments.of("max_retries", "-1"),
                Arguments.of("source.max_retries", "-1"),
                Arguments.of("sink.retry_backoff", "-5s"),
                Arguments.of("retry_jitter", "-0.1"),
                Arguments.of("max_failure_ratio", "-0.5"),
                // zero where it makes no sense
                Arguments.of("batch.size", "0"),
                Arguments.of("batch.max_size", "0"),
                Arguments.of("batch.window", "0ms"),
                Arguments.of("batch.memory_size", "0"),
                Arguments.of("batch.min_size", "0"),
                Arguments.of("batch.adaptive_max_size", "0"),
                Arguments.of("batch.target_latency", "0"),
                Arguments.of("batch.low_latency_max_size", "0"),
                Arguments.of("batch.mega_batch_size", "0"),
                Arguments.of("failure_ratio_window", "0s"),
                // out of range
                Arguments.of("retry_backoff_multiplier", "0.5"),
                Arguments.of("retry_jitter", "1.5"),
                Arguments.of("max_failure_ratio", "1.01"),
                // huge / overflow
                Arguments.of("batch.size", "2147483648"),
                Arguments.of("batch.mega_batch_size", "99999999999"),
                Arguments.of("batch.memory_size", "99999999999999999999"),
                Arguments.of("batch.window", "99999999999999999d"),
                Arguments.of("retry_backoff", "9223372036854775807s"),
                Arguments.of("retry_backoff_multiplier", "1e999"),
                // empty
                Arguments.of("batch.enable", ""),
                Arguments.of("batch.strategy", ""),
                Arguments.of("batch.size", ""),
                Arguments.of("batch.window", "  "),
                Arguments.of("failure_strategy", ""),
                Arguments.of("source.failure_strategy", " "),
                // bad duration
                Arguments.of("batch.window", "5 weeks"),
                Arguments.of("batch.low_latency_wait", "1.5ms"),
                Arguments.of("batch.target_latency", "100 ms later"),
                Arguments.of("failure_ratio_window", "PT1M"),
                // bad strategy name
                Arguments.of("batch.strategy", "fixed"),
                Arguments.of("sink.batch.strategy", "mega batch"),
                Arguments.of("failure_strategy", "Retry"),
                Arguments.of("sink.failure_strategy", "DeadLetter"),
                Arguments.of("retry_exhausted", "RetryWithBackoff"),
                Arguments.of("retry_exhausted", "ignore"));
    }

    @ParameterizedTest(name = "{0} = [{1}]")
    @MethodSource("badValues")
    void badValuesAreValidationErrorsNamingKeyAndValue(String key, String value) {
        assertThatThrownBy(() -> parse(key, value))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith(
                        "Table 't': invalid value '" + value + "' for option '" + key + "': ");
    }

    @Test
    void badValueForKeyOfAnotherStrategyIsStillAnError() {
        assertThatThrownBy(() -> parse("batch.strategy", "fixed_size", "batch.window", "forever"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'batch.window'");
    }

    @Test
    void nullsNeverCauseNullPointerExceptions() {
        Map<String, String> withNullValue = new HashMap<>();
        withNullValue.put("batch.size", null);
        assertThatThrownBy(() -> VeloOptions.parse("t", withNullValue))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'batch.size'");
        Map<String, String> withNullKey = new HashMap<>();
        withNullKey.put(null, "x");
        assertThat(VeloOptions.parse("t", withNullKey).batchConfig())
                .isEqualTo(BatchConfig.defaults());
        assertThat(VeloOptions.parse("t", null).batchConfig()).isEqualTo(BatchConfig.defaults());
    }

    @Test
    void withoutTableTheMessageStartsWithInvalidValue() {
        assertThatThrownBy(() -> VeloOptions.parse(null, map("batch.size", "x")))
                .hasMessageStartingWith("Invalid value 'x' for option 'batch.size': ");
    }

    // ------------------------------------------------------------------ unknown keys

    @Test
    void unknownBatchKeyGetsASuggestion() {
        assertThatThrownBy(() -> parse("batch.sise", "100"))
                .isInstanceOf(ValidationException.class)
                .hasMessage(
                        "Table 't': unknown option 'batch.sise' (value '100'); did you mean"
                                + " 'batch.size'?");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "sink.batch.sise,sink.batch.size",
        "batch.max_szie,batch.max_size",
        "batch.timout,batch.timeout",
        "batch.windows,batch.window",
        "batch.megabatch_size,batch.mega_batch_size",
        "batch.eager,batch.eager_processing",
        "batch.max_retries,max_retries",
        "sink.batch.retry_backoff,sink.retry_backoff"
    })
    void suggestions(String typo, String suggestion) {
        assertThatThrownBy(() -> parse(typo, "1"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("unknown option '" + typo + "'")
                .hasMessageContaining("did you mean '" + suggestion + "'?");
    }

    @Test
    void unknownBatchKeyFarFromAnyKeyListsTheKnownOnes() {
        assertThatThrownBy(() -> parse("batch.xyzzyplugh", "1"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("unknown option 'batch.xyzzyplugh'")
                .hasMessageContaining("batch.enable, batch.strategy, batch.max_size, batch.size");
    }

    @Test
    void keysOfOtherComponentsAreIgnored() {
        VeloOptions o =
                parse(
                        "connector",
                        "velo",
                        "velo.connector",
                        "kafka",
                        "topic",
                        "orders",
                        "dlq.connector",
                        "kafka",
                        "sink.parallelism",
                        "4",
                        "sink.delivery-guarantee",
                        "exactly-once",
                        "sink.batch.max-size",
                        "500",
                        "source.monitor-interval",
                        "1s",
                        "properties.sasl.jaas.config",
                        "secret");
        assertThat(o.batchConfig()).isEqualTo(BatchConfig.defaults());
        assertThat(o.warnings()).isEmpty();
    }

    // ------------------------------------------------------------------ warnings

    @Test
    void keyOfAnotherStrategyIsAWarning() {
        VeloOptions o = parse("batch.strategy", "fixed_size", "batch.window", "5s");
        assertThat(o.warnings())
                .containsExactly(
                        "Table 't': option 'batch.window' is ignored: batch strategy 'fixed_size'"
                                + " does not use it (it is used by time_window).");
        assertThat(o.batchConfig().strategy()).isEqualTo(new BatchStrategy.FixedSize(100));
    }

    @ParameterizedTest(name = "{0} + {1}")
    @CsvSource({
        "time_window,batch.timeout,5s",
        "low_latency,batch.timeout,5s",
        "mega_batch,batch.size,5",
        "fixed_size,sink.batch.mega_batch_size,5",
        "adaptive_size,batch.low_latency_wait,5ms",
        "memory_based,batch.parallel,true",
        "low_latency,batch.min_size,3"
    })
    void keysOfOtherStrategiesWarn(String strategy, String key, String value) {
        VeloOptions o = parse("batch.strategy", strategy, key, value);
        assertThat(o.warnings()).singleElement().asString().contains("'" + key + "'", strategy);
    }

    @Test
    void disabledBatchingWarnsAboutBatchKeys() {
        VeloOptions o = parse("batch.enable", "false", "batch.size", "5");
        assertThat(o.warnings())
                .containsExactly(
                        "Table 't': option 'batch.size' is ignored because 'batch.enable' is"
                                + " false.");
        assertThat(o.batchConfig().isEnabled()).isFalse();
    }

    @Test
    void retryKeysWithoutRetryWarn() {
        assertThat(parse("max_retries", "5").warnings())
                .singleElement()
                .asString()
                .contains("'max_retries'", "RetryWithBackoff");
        assertThat(parse("source.retry_backoff", "5s").warnings())
                .singleElement()
                .asString()
                .contains("'source.retry_backoff'");
        // used by the sink side: no warning even though the source side does not retry
        assertThat(
                        parse(
                                        "failure_strategy", "RetryWithBackoff",
                                        "max_retries", "5",
                                        "source.failure_strategy", "SendToDLQ")
                                .warnings())
                .isEmpty();
        // overridden on both sides: the unprefixed key is unused
        assertThat(
                        parse(
                                        "failure_strategy", "RetryWithBackoff",
                                        "max_retries", "5",
                                        "source.max_retries", "1",
                                        "sink.max_retries", "2")
                                .warnings())
                .singleElement()
                .asString()
                .contains("'max_retries'");
    }

    @Test
    void ratioWindowWithoutRatioWarns() {
        assertThat(parse("failure_ratio_window", "5m").warnings())
                .singleElement()
                .asString()
                .contains("'failure_ratio_window'", "'max_failure_ratio'");
        assertThat(parse("failure_ratio_window", "5m", "max_failure_ratio", "0.1").warnings())
                .isEmpty();
    }

    // ------------------------------------------------------------------ secrets

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "batch.password",
                "batch.secret_key",
                "sink.batch.sasl.jaas.config",
                "batch.token",
                "batch.credentials"
            })
    void secretValuesAreMasked(String key) {
        assertThatThrownBy(() -> parse(key, "hunter2"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'" + key + "'")
                .hasMessageContaining("'******'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void printableValueMasksSecretKeys() {
        assertThat(VeloOptions.isSecretKey("properties.sasl.jaas.config")).isTrue();
        assertThat(VeloOptions.isSecretKey("dlq.properties.ssl.truststore.password")).isTrue();
        assertThat(VeloOptions.isSecretKey("SECRET")).isTrue();
        assertThat(VeloOptions.isSecretKey("batch.size")).isFalse();
        assertThat(VeloOptions.printableValue("x.token", "abc")).isEqualTo("******");
        assertThat(VeloOptions.printableValue("batch.size", "abc")).isEqualTo("abc");
    }

    @Test
    void longValuesAreShortenedInMessages() {
        String huge = "x".repeat(10_000);
        assertThatThrownBy(() -> parse("batch.size", huge))
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(500));
    }

    // ------------------------------------------------------------------ key ownership

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "batch.size",
                "batch.anything",
                "sink.batch.size",
                "sink.batch.typo",
                "failure_strategy",
                "max_retries",
                "retry_backoff",
                "retry_backoff_max",
                "retry_backoff_multiplier",
                "retry_jitter",
                "retry_exhausted",
                "max_failure_ratio",
                "failure_ratio_window",
                "source.failure_strategy",
                "source.max_retries",
                "sink.failure_strategy",
                "sink.retry_backoff",
                "dlq.connector",
                "dlq.topic",
                "velo.connector"
            })
    void veloKeys(String key) {
        assertThat(VeloOptions.isVeloKey(key)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "connector",
                "topic",
                "sink.parallelism",
                "sink.partitioner",
                "sink.delivery-guarantee",
                "sink.buffer-flush.max-rows",
                "sink.batch.max-size",
                "source.monitor-interval",
                "scan.startup.mode",
                "properties.bootstrap.servers",
                "batchsize",
                "source.batch.size",
                "sink.max_retriess",
                "Batch.size",
                "format"
            })
    void foreignKeys(String key) {
        assertThat(VeloOptions.isVeloKey(key)).isFalse();
    }

    @Test
    void nullIsNotAVeloKey() {
        assertThat(VeloOptions.isVeloKey(null)).isFalse();
    }

    @Test
    void knownKeysListEveryDeclaredKeyInAllForms() {
        assertThat(VeloOptions.knownKeys())
                .hasSize(BatchOptions.ALL.size() + 3 * FailureOptions.ALL.size())
                .startsWith("batch.enable", "batch.strategy")
                .contains(
                        "batch.size",
                        "batch.reuse_buffer",
                        "failure_strategy",
                        "source.max_retries",
                        "sink.failure_ratio_window")
                .allSatisfy(k -> assertThat(VeloOptions.isVeloKey(k)).isTrue());
    }

    @Test
    void everyDeclaredOptionDefaultParsesWithItsOwnParser() {
        // a default that its own key would reject would make velo validate print garbage
        for (var option : BatchOptions.ALL) {
            Object d = option.defaultValue();
            String text =
                    d instanceof Duration ? Durations.format((Duration) d) : String.valueOf(d);
            assertThat(parse(option.key(), text).batchConfig()).isNotNull();
        }
        for (var option : FailureOptions.ALL) {
            if (option.hasDefaultValue()) {
                Object d = option.defaultValue();
                String text =
                        d instanceof Duration ? Durations.format((Duration) d) : String.valueOf(d);
                assertThat(parse(option.key(), text).sinkFailure()).isNotNull();
            }
        }
    }

    @Test
    void retryClassListsAndTheGuardMinimumAreRead() {
        VeloOptions o =
                parse(
                        "failure_strategy", "RetryWithBackoff",
                        "retry.retriable_errors", " java.sql.SQLException , DeadlockException ",
                        "sink.retry.non_retriable_errors", "java.net.UnknownHostException",
                        "max_failure_ratio", "0.1",
                        "failure_ratio_min_records", "500");
        FailureConfig sink = o.sinkFailure();
        assertThat(sink.retriableErrors())
                .containsExactly("java.sql.SQLException", "DeadlockException");
        assertThat(sink.nonRetriableErrors()).containsExactly("java.net.UnknownHostException");
        assertThat(o.sourceFailure().nonRetriableErrors()).isEmpty();
        assertThat(sink.failureRatioMinRecords()).isEqualTo(500);
        assertThat(o.warnings()).isEmpty();
        assertThat(FailureConfig.fromOptions(Map.of()).failureRatioMinRecords()).isEqualTo(100);
    }

    @Test
    void badRetryClassListsAndGuardMinimumsNameKeyValueAndWhatIsAccepted() {
        assertThatThrownBy(
                        () ->
                                parse(
                                        "failure_strategy",
                                        "RetryWithBackoff",
                                        "retry.retriable_errors",
                                        "java.io.IOException,,Foo"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'retry.retriable_errors'")
                .hasMessageContaining("java.io.IOException,,Foo")
                .hasMessageContaining("expected comma-separated Java class names");
        assertThatThrownBy(() -> parse("retry.non_retriable_errors", "not a class"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'retry.non_retriable_errors'")
                .hasMessageContaining("not a class");
        assertThatThrownBy(
                        () ->
                                parse(
                                        "max_failure_ratio",
                                        "0.1",
                                        "source.failure_ratio_min_records",
                                        "0"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'source.failure_ratio_min_records'")
                .hasMessageContaining("'0'")
                .hasMessageContaining("expected a whole number > 0");
    }

    @Test
    void retryClassListsWithoutRetriesAndAMinimumWithoutTheGuardWarn() {
        VeloOptions o =
                parse(
                        "retry.retriable_errors", "java.sql.SQLException",
                        "failure_ratio_min_records", "10");
        assertThat(o.warnings())
                .anySatisfy(
                        w ->
                                assertThat(w)
                                        .contains("'retry.retriable_errors' is ignored")
                                        .contains("RetryWithBackoff"))
                .anySatisfy(
                        w ->
                                assertThat(w)
                                        .contains("'failure_ratio_min_records' is ignored")
                                        .contains("'max_failure_ratio'"));
    }
}
