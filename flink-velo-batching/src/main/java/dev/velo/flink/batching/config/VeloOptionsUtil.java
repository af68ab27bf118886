package dev.velo.flink.batching.config;

import static dev.velo.flink.batching.config.BatchOptions.ADAPTIVE_MAX_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.EAGER_PROCESSING;
import static dev.velo.flink.batching.config.BatchOptions.ENABLE;
import static dev.velo.flink.batching.config.BatchOptions.LOW_LATENCY_MAX_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.LOW_LATENCY_WAIT;
import static dev.velo.flink.batching.config.BatchOptions.MAX_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.MEGA_BATCH_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.MEMORY_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.MIN_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.PARALLEL;
import static dev.velo.flink.batching.config.BatchOptions.REUSE_BUFFER;
import static dev.velo.flink.batching.config.BatchOptions.SIZE;
import static dev.velo.flink.batching.config.BatchOptions.STRATEGY;
import static dev.velo.flink.batching.config.BatchOptions.TARGET_LATENCY;
import static dev.velo.flink.batching.config.BatchOptions.TIMEOUT;
import static dev.velo.flink.batching.config.BatchOptions.WINDOW;
import static dev.velo.flink.batching.config.FailureOptions.FAILURE_RATIO_MIN_RECORDS;
import static dev.velo.flink.batching.config.FailureOptions.FAILURE_RATIO_WINDOW;
import static dev.velo.flink.batching.config.FailureOptions.FAILURE_STRATEGY;
import static dev.velo.flink.batching.config.FailureOptions.MAX_FAILURE_RATIO;
import static dev.velo.flink.batching.config.FailureOptions.MAX_RETRIES;
import static dev.velo.flink.batching.config.FailureOptions.NON_RETRIABLE_ERRORS;
import static dev.velo.flink.batching.config.FailureOptions.RETRIABLE_ERRORS;
import static dev.velo.flink.batching.config.FailureOptions.RETRY_BACKOFF;
import static dev.velo.flink.batching.config.FailureOptions.RETRY_BACKOFF_MAX;
import static dev.velo.flink.batching.config.FailureOptions.RETRY_BACKOFF_MULTIPLIER;
import static dev.velo.flink.batching.config.FailureOptions.RETRY_EXHAUSTED;
import static dev.velo.flink.batching.config.FailureOptions.RETRY_JITTER;
import static dev.velo.flink.batching.config.OptionKeyTables.SIDE_PREFIXES;
import static dev.velo.flink.batching.config.OptionParsers.BATCH_PARSERS;
import static dev.velo.flink.batching.config.OptionParsers.FAILURE_PARSERS;

import dev.velo.flink.batching.config.OptionParsers.Parser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.ConfigOption;

/**
 * How {@link VeloOptions} parses a table's options, in the Kafka connector's manner of a
 * package-private options utility: one {@link Parsing} per table reads the raw values through
 * {@link OptionParsers}, builds the batch and failure configurations with their cross-option
 * checks, and collects the {@link UnusedOptionWarnings}. Which key is which lives in {@link
 * OptionKeyTables}. The {@code ConfigOption} declarations in {@link BatchOptions} and {@link
 * FailureOptions} stay the one registry of keys.
 */
final class VeloOptionsUtil {

    private VeloOptionsUtil() {}

    /** See {@link OptionKeyTables#STRATEGY_OPTIONS}. */
    static final Map<BatchStrategyType, List<ConfigOption<?>>> STRATEGY_OPTIONS =
            OptionKeyTables.STRATEGY_OPTIONS;

    /** See {@link OptionKeyTables#TIMEOUT_STRATEGIES}. */
    static final Set<BatchStrategyType> TIMEOUT_STRATEGIES = OptionKeyTables.TIMEOUT_STRATEGIES;

    /** See {@link OptionKeyTables#FAILURE_KEYS}. */
    static final Set<String> FAILURE_KEYS = OptionKeyTables.FAILURE_KEYS;

    /** See {@link OptionKeyTables#KNOWN_KEYS}. */
    static final Set<String> KNOWN_KEYS = OptionKeyTables.KNOWN_KEYS;

    /** See {@link OptionKeyTables#isSinkBatchAlias}. */
    static boolean isSinkBatchAlias(String key) {
        return OptionKeyTables.isSinkBatchAlias(key);
    }

    /** The state of one parse: raw options in, typed values and warnings out. */
    static final class Parsing {
        private final String table;
        private final Map<String, String> options;
        private final List<String> warnings = new ArrayList<>();

        /** Canonical batch key -> typed value, for the keys given. */
        private final Map<String, Object> batch = new HashMap<>();

        /** Canonical batch key -> the spelling the user wrote (plain wins over the alias). */
        private final Map<String, String> batchGivenKey = new HashMap<>();

        /** Failure key as written (with side prefix) -> typed value. */
        private final Map<String, Object> failure = new HashMap<>();

        Parsing(String table, Map<String, String> options) {
            this.table = table;
            this.options = options;
        }

        VeloOptions run() {
            parseBatchValues();
            parseFailureValues();
            BatchConfig batchConfig = buildBatchConfig();
            FailureConfig common = buildFailure("");
            FailureConfig source = buildFailure(FailureOptions.SOURCE_PREFIX);
            FailureConfig sink = buildFailure(FailureOptions.SINK_PREFIX);
            UnusedOptionWarnings unused = new UnusedOptionWarnings(table, warnings);
            unused.warnUnusedBatchKeys(batchGivenKey, batchConfig);
            unused.warnUnusedFailureKeys(failure, source, sink);
            return new VeloOptions(table, batchConfig, common, source, sink, warnings);
        }

        // ---------------------------------------------------------------- batch

        private void parseBatchValues() {
            // Unknown keys first, in key order, so the error a user sees is deterministic.
            for (String key : new TreeSet<>(options.keySet())) {
                String canonical = OptionKeyTables.canonicalBatchKey(key);
                if (canonical != null && !BATCH_PARSERS.containsKey(canonical)) {
                    throw OptionKeyTables.unknownBatchKey(table, options, key, canonical);
                }
            }
            for (Map.Entry<String, Parser> e : BATCH_PARSERS.entrySet()) {
                String key = e.getKey();
                String alias = BatchOptions.SINK_ALIAS_PREFIX + key;
                boolean hasPlain = options.containsKey(key);
                boolean hasAlias = options.containsKey(alias);
                Object plainValue =
                        hasPlain ? e.getValue().parse(table, key, options.get(key)) : null;
                Object aliasValue =
                        hasAlias ? e.getValue().parse(table, alias, options.get(alias)) : null;
                if (hasPlain && hasAlias && !plainValue.equals(aliasValue)) {
                    throw ValidationMessages.invalidValue(
                            table,
                            alias,
                            options.get(alias),
                            "conflicts with '"
                                    + key
                                    + "' = '"
                                    + ValidationMessages.printable(key, options.get(key))
                                    + "'; set only one of them");
                }
                if (hasPlain || hasAlias) {
                    batch.put(key, hasPlain ? plainValue : aliasValue);
                    batchGivenKey.put(key, hasPlain ? key : alias);
                }
            }
        }

        private BatchConfig buildBatchConfig() {
            boolean enabled = batchValue(ENABLE);
            BatchStrategyType type =
                    (BatchStrategyType)
                            batch.getOrDefault(
                                    STRATEGY.key(),
                                    BatchStrategyType.parse(
                                            STRATEGY.key(), STRATEGY.defaultValue()));
            BatchStrategy strategy;
            ConfigOption<Integer> sizeOption = null;
            Duration timeout = batchValue(TIMEOUT);
            switch (type) {
                case FIXED_SIZE:
                    strategy = new BatchStrategy.FixedSize(batchValue(SIZE));
                    sizeOption = SIZE;
                    break;
                case TIME_WINDOW:
                    strategy = new BatchStrategy.TimeWindow(batchValue(WINDOW));
                    timeout = batchValue(WINDOW);
                    break;
                case MEMORY_BASED:
                    strategy = new BatchStrategy.MemoryBased(batchValue(MEMORY_SIZE));
                    break;
                case ADAPTIVE_SIZE:
                    checkMinNotAboveMax();
                    strategy =
                            new BatchStrategy.AdaptiveSize(
                                    batchValue(MIN_SIZE),
                                    batchValue(ADAPTIVE_MAX_SIZE),
                                    batchValue(TARGET_LATENCY));
                    sizeOption = ADAPTIVE_MAX_SIZE;
                    break;
                case LOW_LATENCY:
                    strategy =
                            new BatchStrategy.LowLatency(
                                    batchValue(LOW_LATENCY_MAX_SIZE),
                                    batchValue(LOW_LATENCY_WAIT),
                                    batchValue(EAGER_PROCESSING));
                    sizeOption = LOW_LATENCY_MAX_SIZE;
                    timeout = batchValue(LOW_LATENCY_WAIT);
                    break;
                case MEGA_BATCH:
                    strategy =
                            new BatchStrategy.MegaBatch(
                                    batchValue(MEGA_BATCH_SIZE),
                                    batchValue(PARALLEL),
                                    batchValue(REUSE_BUFFER));
                    sizeOption = MEGA_BATCH_SIZE;
                    break;
                default:
                    throw new IllegalStateException("unhandled strategy " + type);
            }
            int maxSize = effectiveMaxSize(type, sizeOption);
            return BatchConfig.builder()
                    .enabled(enabled)
                    .strategy(strategy)
                    .maxBatchSize(maxSize)
                    .batchTimeout(timeout)
                    .build();
        }

        private void checkMinNotAboveMax() {
            int min = batchValue(MIN_SIZE);
            int max = batchValue(ADAPTIVE_MAX_SIZE);
            if (min <= max) {
                return;
            }
            if (batch.containsKey(MIN_SIZE.key())) {
                throw ValidationMessages.invalidValue(
                        table,
                        batchGivenKey.get(MIN_SIZE.key()),
                        rawBatch(MIN_SIZE),
                        "must not exceed " + describe(ADAPTIVE_MAX_SIZE, String.valueOf(max)));
            }
            throw ValidationMessages.invalidValue(
                    table,
                    batchGivenKey.get(ADAPTIVE_MAX_SIZE.key()),
                    rawBatch(ADAPTIVE_MAX_SIZE),
                    "must be at least " + describe(MIN_SIZE, String.valueOf(min)));
        }

        private int effectiveMaxSize(BatchStrategyType type, ConfigOption<Integer> sizeOption) {
            int defaultCap = MAX_SIZE.defaultValue();
            boolean explicit = batch.containsKey(MAX_SIZE.key());
            if (sizeOption == null) {
                return explicit ? batchValue(MAX_SIZE) : defaultCap;
            }
            int strategySize = batchValue(sizeOption);
            if (!explicit) {
                return Math.max(defaultCap, strategySize);
            }
            int cap = batchValue(MAX_SIZE);
            if (strategySize > cap) {
                if (batch.containsKey(sizeOption.key())) {
                    throw ValidationMessages.invalidValue(
                            table,
                            batchGivenKey.get(sizeOption.key()),
                            rawBatch(sizeOption),
                            "must not exceed " + describe(MAX_SIZE, String.valueOf(cap)));
                }
                throw ValidationMessages.invalidValue(
                        table,
                        batchGivenKey.get(MAX_SIZE.key()),
                        rawBatch(MAX_SIZE),
                        "must be at least "
                                + describe(sizeOption, String.valueOf(strategySize))
                                + " for batch strategy "
                                + type.sqlName());
            }
            return cap;
        }

        /** {@code 'batch.size' = '100'} or {@code 'batch.size' = '100' (its default)}. */
        private String describe(ConfigOption<?> option, String value) {
            String given = batchGivenKey.get(option.key());
            return given != null
                    ? "'" + given + "' = '" + value + "'"
                    : "'" + option.key() + "' = '" + value + "' (its default)";
        }

        /** The value as the user wrote it, for messages. */
        private String rawBatch(ConfigOption<?> option) {
            return options.get(batchGivenKey.get(option.key()));
        }

        @SuppressWarnings("unchecked")
        private <T> T batchValue(ConfigOption<T> option) {
            Object v = batch.get(option.key());
            return v != null ? (T) v : option.defaultValue();
        }

        // ---------------------------------------------------------------- failure

        private void parseFailureValues() {
            for (String prefix : SIDE_PREFIXES) {
                for (Map.Entry<String, Parser> e : FAILURE_PARSERS.entrySet()) {
                    String key = prefix + e.getKey();
                    if (options.containsKey(key)) {
                        failure.put(key, e.getValue().parse(table, key, options.get(key)));
                    }
                }
            }
        }

        /** The key that provides {@code option} for a side, or null when the default applies. */
        private String providingKey(String prefix, ConfigOption<?> option) {
            if (!prefix.isEmpty() && failure.containsKey(prefix + option.key())) {
                return prefix + option.key();
            }
            return failure.containsKey(option.key()) ? option.key() : null;
        }

        @SuppressWarnings("unchecked")
        private <T> T failureValue(String prefix, ConfigOption<T> option) {
            String key = providingKey(prefix, option);
            return key != null ? (T) failure.get(key) : option.defaultValue();
        }

        private FailureStrategy failureStrategy(String prefix, ConfigOption<String> option) {
            String key = providingKey(prefix, option);
            return key != null
                    ? (FailureStrategy) failure.get(key)
                    : FailureStrategy.parse(option.key(), option.defaultValue());
        }

        private FailureConfig buildFailure(String prefix) {
            FailureStrategy strategy = failureStrategy(prefix, FAILURE_STRATEGY);
            Duration backoff = failureValue(prefix, RETRY_BACKOFF);
            Duration backoffMax = failureValue(prefix, RETRY_BACKOFF_MAX);
            String backoffMaxKey = providingKey(prefix, RETRY_BACKOFF_MAX);
            if (backoffMaxKey == null) {
                backoffMax = max(backoffMax, backoff);
            } else if (strategy == FailureStrategy.RETRY_WITH_BACKOFF
                    && backoffMax.compareTo(backoff) < 0) {
                String backoffKey = providingKey(prefix, RETRY_BACKOFF);
                throw ValidationMessages.invalidValue(
                        table,
                        backoffMaxKey,
                        options.get(backoffMaxKey),
                        "must be at least '"
                                + (backoffKey != null ? backoffKey : RETRY_BACKOFF.key())
                                + "' = '"
                                + Durations.format(backoff)
                                + "'"
                                + (backoffKey != null ? "" : " (its default)"));
            }
            Double ratio = failureValue(prefix, MAX_FAILURE_RATIO);
            List<String> retriable = failureValue(prefix, RETRIABLE_ERRORS);
            List<String> nonRetriable = failureValue(prefix, NON_RETRIABLE_ERRORS);
            return FailureConfig.builder()
                    .strategy(strategy)
                    .maxRetries(failureValue(prefix, MAX_RETRIES))
                    .retryBackoff(backoff)
                    .retryBackoffMax(backoffMax)
                    .retryBackoffMultiplier(failureValue(prefix, RETRY_BACKOFF_MULTIPLIER))
                    .retryJitter(failureValue(prefix, RETRY_JITTER))
                    .retryExhaustedStrategy(failureStrategy(prefix, RETRY_EXHAUSTED))
                    .maxFailureRatio(ratio == null ? -1 : ratio)
                    .failureRatioWindow(failureValue(prefix, FAILURE_RATIO_WINDOW))
                    .failureRatioMinRecords(failureValue(prefix, FAILURE_RATIO_MIN_RECORDS))
                    .retriableErrors(retriable == null ? List.of() : retriable)
                    .nonRetriableErrors(nonRetriable == null ? List.of() : nonRetriable)
                    .build();
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
