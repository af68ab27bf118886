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

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.ValidationException;

/**
 * How {@link VeloOptions} parses a table's options, in the Kafka connector's manner of a
 * package-private options utility: the value parser of every declared key, which strategy and
 * failure strategy reads which key, the cross-option checks, the unknown-key suggestions and the
 * warnings about keys that are set but not used. The {@code ConfigOption} declarations in {@link
 * BatchOptions} and {@link FailureOptions} stay the one registry of keys.
 */
final class VeloOptionsUtil {

    private VeloOptionsUtil() {}

    private static final String SINK_BATCH_PREFIX =
            BatchOptions.SINK_ALIAS_PREFIX + BatchOptions.PREFIX;

    static final List<String> SIDE_PREFIXES =
            List.of("", FailureOptions.SOURCE_PREFIX, FailureOptions.SINK_PREFIX);

    /** Turns a raw value into its typed form or throws a {@link ValidationException}. */
    @FunctionalInterface
    private interface Parser {
        Object parse(String table, String key, String value);
    }

    private static final Map<String, Parser> BATCH_PARSERS = new LinkedHashMap<>();
    private static final Map<String, Parser> FAILURE_PARSERS = new LinkedHashMap<>();

    /** The options each strategy reads, besides enable, strategy, max_size and timeout. */
    static final Map<BatchStrategyType, List<ConfigOption<?>>> STRATEGY_OPTIONS =
            new EnumMap<>(BatchStrategyType.class);

    static final Set<BatchStrategyType> TIMEOUT_STRATEGIES =
            EnumSet.of(
                    BatchStrategyType.FIXED_SIZE,
                    BatchStrategyType.MEMORY_BASED,
                    BatchStrategyType.ADAPTIVE_SIZE,
                    BatchStrategyType.MEGA_BATCH);

    /** Failure options that only RetryWithBackoff reads. */
    private static final Set<ConfigOption<?>> RETRY_OPTIONS =
            Set.of(
                    MAX_RETRIES,
                    RETRY_BACKOFF,
                    RETRY_BACKOFF_MAX,
                    RETRY_BACKOFF_MULTIPLIER,
                    RETRY_JITTER,
                    RETRY_EXHAUSTED,
                    RETRIABLE_ERRORS,
                    NON_RETRIABLE_ERRORS);

    /** Failure options that only the error-rate guard reads. */
    private static final Set<ConfigOption<?>> GUARD_OPTIONS =
            Set.of(FAILURE_RATIO_WINDOW, FAILURE_RATIO_MIN_RECORDS);

    static final Set<String> FAILURE_KEYS;
    static final Set<String> KNOWN_KEYS;

    static {
        BATCH_PARSERS.put(ENABLE.key(), OptionValues::parseBoolean);
        BATCH_PARSERS.put(STRATEGY.key(), BatchStrategyType::parse);
        BATCH_PARSERS.put(MAX_SIZE.key(), positiveInt());
        BATCH_PARSERS.put(SIZE.key(), positiveInt());
        BATCH_PARSERS.put(TIMEOUT.key(), duration(true));
        BATCH_PARSERS.put(WINDOW.key(), duration(false));
        BATCH_PARSERS.put(
                MEMORY_SIZE.key(), (t, k, v) -> OptionValues.parseLong(t, k, v, 1, Long.MAX_VALUE));
        BATCH_PARSERS.put(MIN_SIZE.key(), positiveInt());
        BATCH_PARSERS.put(ADAPTIVE_MAX_SIZE.key(), positiveInt());
        BATCH_PARSERS.put(TARGET_LATENCY.key(), duration(false));
        BATCH_PARSERS.put(LOW_LATENCY_MAX_SIZE.key(), positiveInt());
        BATCH_PARSERS.put(LOW_LATENCY_WAIT.key(), duration(true));
        BATCH_PARSERS.put(EAGER_PROCESSING.key(), OptionValues::parseBoolean);
        BATCH_PARSERS.put(MEGA_BATCH_SIZE.key(), positiveInt());
        BATCH_PARSERS.put(PARALLEL.key(), OptionValues::parseBoolean);
        BATCH_PARSERS.put(REUSE_BUFFER.key(), OptionValues::parseBoolean);

        FAILURE_PARSERS.put(
                FAILURE_STRATEGY.key(), (t, k, v) -> FailureStrategy.parse(t, k, v, false));
        FAILURE_PARSERS.put(
                MAX_RETRIES.key(),
                (t, k, v) -> OptionValues.parseInt(t, k, v, 0, Integer.MAX_VALUE));
        FAILURE_PARSERS.put(RETRY_BACKOFF.key(), duration(true));
        FAILURE_PARSERS.put(RETRY_BACKOFF_MAX.key(), duration(true));
        FAILURE_PARSERS.put(
                RETRY_BACKOFF_MULTIPLIER.key(),
                (t, k, v) -> OptionValues.parseDouble(t, k, v, 1.0, Double.MAX_VALUE));
        FAILURE_PARSERS.put(
                RETRY_JITTER.key(), (t, k, v) -> OptionValues.parseDouble(t, k, v, 0.0, 1.0));
        FAILURE_PARSERS.put(
                RETRY_EXHAUSTED.key(), (t, k, v) -> FailureStrategy.parse(t, k, v, true));
        FAILURE_PARSERS.put(
                MAX_FAILURE_RATIO.key(), (t, k, v) -> OptionValues.parseDouble(t, k, v, 0.0, 1.0));
        FAILURE_PARSERS.put(FAILURE_RATIO_WINDOW.key(), duration(false));
        FAILURE_PARSERS.put(
                FAILURE_RATIO_MIN_RECORDS.key(),
                (t, k, v) -> OptionValues.parseLong(t, k, v, 1, Long.MAX_VALUE));
        FAILURE_PARSERS.put(RETRIABLE_ERRORS.key(), OptionValues::parseClassNames);
        FAILURE_PARSERS.put(NON_RETRIABLE_ERRORS.key(), OptionValues::parseClassNames);

        STRATEGY_OPTIONS.put(BatchStrategyType.FIXED_SIZE, List.of(SIZE));
        STRATEGY_OPTIONS.put(BatchStrategyType.TIME_WINDOW, List.of(WINDOW));
        STRATEGY_OPTIONS.put(BatchStrategyType.MEMORY_BASED, List.of(MEMORY_SIZE));
        STRATEGY_OPTIONS.put(
                BatchStrategyType.ADAPTIVE_SIZE,
                List.of(MIN_SIZE, ADAPTIVE_MAX_SIZE, TARGET_LATENCY));
        STRATEGY_OPTIONS.put(
                BatchStrategyType.LOW_LATENCY,
                List.of(LOW_LATENCY_MAX_SIZE, LOW_LATENCY_WAIT, EAGER_PROCESSING));
        STRATEGY_OPTIONS.put(
                BatchStrategyType.MEGA_BATCH, List.of(MEGA_BATCH_SIZE, PARALLEL, REUSE_BUFFER));

        // A declared option without a parser would be silently unvalidated: fail fast instead.
        for (ConfigOption<?> o : BatchOptions.ALL) {
            if (!BATCH_PARSERS.containsKey(o.key())) {
                throw new IllegalStateException("no parser for " + o.key());
            }
        }
        for (ConfigOption<?> o : FailureOptions.ALL) {
            if (!FAILURE_PARSERS.containsKey(o.key())) {
                throw new IllegalStateException("no parser for " + o.key());
            }
        }

        Set<String> failureKeys = new LinkedHashSet<>();
        for (String prefix : SIDE_PREFIXES) {
            for (ConfigOption<?> o : FailureOptions.ALL) {
                failureKeys.add(prefix + o.key());
            }
        }
        FAILURE_KEYS = Collections.unmodifiableSet(failureKeys);
        Set<String> known = new LinkedHashSet<>();
        for (ConfigOption<?> o : BatchOptions.ALL) {
            known.add(o.key());
        }
        known.addAll(failureKeys);
        KNOWN_KEYS = Collections.unmodifiableSet(known);
    }

    private static Parser positiveInt() {
        return (t, k, v) -> OptionValues.parseInt(t, k, v, 1, Integer.MAX_VALUE);
    }

    private static Parser duration(boolean allowZero) {
        return (t, k, v) -> Durations.parse(t, k, v, allowZero);
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
            warnUnusedBatchKeys(batchConfig);
            warnUnusedFailureKeys(source, sink);
            return new VeloOptions(table, batchConfig, common, source, sink, warnings);
        }

        // ---------------------------------------------------------------- batch

        private void parseBatchValues() {
            // Unknown keys first, in key order, so the error a user sees is deterministic.
            for (String key : new TreeSet<>(options.keySet())) {
                String canonical = canonicalBatchKey(key);
                if (canonical != null && !BATCH_PARSERS.containsKey(canonical)) {
                    throw unknownBatchKey(key, canonical);
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

        private ValidationException unknownBatchKey(String key, String canonical) {
            boolean alias = isSinkBatchAlias(key);
            String givenPrefix = alias ? SINK_BATCH_PREFIX : BatchOptions.PREFIX;
            String suffix = canonical.substring(BatchOptions.PREFIX.length());
            List<String> suffixes = new ArrayList<>();
            for (String k : BATCH_PARSERS.keySet()) {
                suffixes.add(k.substring(BatchOptions.PREFIX.length()));
            }
            String suggestion = null;
            // batch.max_retries: a failure key put under batch. (sink.batch.x -> sink.x)
            if (FAILURE_PARSERS.containsKey(suffix)) {
                suggestion = alias ? FailureOptions.SINK_PREFIX + suffix : suffix;
            } else {
                String closest = ValidationMessages.closest(suffix, suffixes);
                if (closest != null) {
                    suggestion = givenPrefix + closest;
                }
            }
            List<String> known =
                    suffixes.stream().map(s -> givenPrefix + s).collect(Collectors.toList());
            return ValidationMessages.unknownOption(
                    table, key, options.get(key), suggestion, known);
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

        private void warnUnusedBatchKeys(BatchConfig config) {
            BatchStrategyType type = config.strategy().type();
            for (ConfigOption<?> option : BatchOptions.ALL) {
                String given = batchGivenKey.get(option.key());
                if (given == null || option == ENABLE) {
                    continue;
                }
                if (!config.isEnabled()) {
                    warn(
                            "option '"
                                    + given
                                    + "' is ignored because '"
                                    + batchGivenKey.get(ENABLE.key())
                                    + "' is false.");
                } else if (option != STRATEGY && option != MAX_SIZE && !usesOption(type, option)) {
                    warn(
                            "option '"
                                    + given
                                    + "' is ignored: batch strategy '"
                                    + type.sqlName()
                                    + "' does not use it (it is used by "
                                    + usersOf(option)
                                    + ").");
                }
            }
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

        private void warnUnusedFailureKeys(FailureConfig source, FailureConfig sink) {
            for (String prefix : SIDE_PREFIXES) {
                for (ConfigOption<?> option : FailureOptions.ALL) {
                    String key = prefix + option.key();
                    if (!failure.containsKey(key) || !isConditional(option)) {
                        continue;
                    }
                    String sourceKey = FailureOptions.SOURCE_PREFIX + option.key();
                    String sinkKey = FailureOptions.SINK_PREFIX + option.key();
                    if (prefix.isEmpty()
                            && failure.containsKey(sourceKey)
                            && failure.containsKey(sinkKey)) {
                        warn(
                                "option '"
                                        + key
                                        + "' is ignored: '"
                                        + sourceKey
                                        + "' and '"
                                        + sinkKey
                                        + "' override it on both sides.");
                        continue;
                    }
                    boolean used;
                    if (prefix.equals(FailureOptions.SOURCE_PREFIX)) {
                        used = sideUses(source, option);
                    } else if (prefix.equals(FailureOptions.SINK_PREFIX)) {
                        used = sideUses(sink, option);
                    } else {
                        used =
                                (!failure.containsKey(FailureOptions.SOURCE_PREFIX + option.key())
                                                && sideUses(source, option))
                                        || (!failure.containsKey(
                                                        FailureOptions.SINK_PREFIX + option.key())
                                                && sideUses(sink, option));
                    }
                    if (!used) {
                        warn(
                                "option '"
                                        + key
                                        + "' is ignored: "
                                        + (RETRY_OPTIONS.contains(option)
                                                ? "it is used only when the failure strategy is"
                                                        + " RetryWithBackoff (source side: "
                                                        + source.strategy().displayName()
                                                        + ", sink side: "
                                                        + sink.strategy().displayName()
                                                        + ")."
                                                : "it is used only together with '"
                                                        + prefix
                                                        + MAX_FAILURE_RATIO.key()
                                                        + "'."));
                    }
                }
            }
        }

        private void warn(String sentence) {
            warnings.add(ValidationMessages.withTable(table, sentence));
        }
    }

    private static boolean isConditional(ConfigOption<?> option) {
        return RETRY_OPTIONS.contains(option) || GUARD_OPTIONS.contains(option);
    }

    private static boolean sideUses(FailureConfig side, ConfigOption<?> option) {
        if (RETRY_OPTIONS.contains(option)) {
            return side.strategy() == FailureStrategy.RETRY_WITH_BACKOFF;
        }
        if (GUARD_OPTIONS.contains(option)) {
            return side.isFailureRatioGuardEnabled();
        }
        return true;
    }

    static boolean usesOption(BatchStrategyType type, ConfigOption<?> option) {
        if (option == TIMEOUT) {
            return TIMEOUT_STRATEGIES.contains(type);
        }
        return STRATEGY_OPTIONS.get(type).contains(option);
    }

    private static String usersOf(ConfigOption<?> option) {
        List<String> users = new ArrayList<>();
        for (BatchStrategyType type : BatchStrategyType.values()) {
            if (usesOption(type, option)) {
                users.add(type.sqlName());
            }
        }
        return String.join(", ", users);
    }

    /** {@code batch.size} for {@code batch.size} and {@code sink.batch.size}; else null. */
    private static String canonicalBatchKey(String key) {
        if (isSinkBatchAlias(key)) {
            return key.substring(BatchOptions.SINK_ALIAS_PREFIX.length());
        }
        return key.startsWith(BatchOptions.PREFIX) ? key : null;
    }

    /**
     * {@code sink.batch.<key>} in Velostream's snake_case. Flink connectors spell their keys with
     * hyphens, and flink-connector-base's async sinks (Kinesis, Firehose, DynamoDB, ...) own {@code
     * sink.batch.max-size}: such keys stay with the delegate.
     */
    static boolean isSinkBatchAlias(String key) {
        return key.startsWith(SINK_BATCH_PREFIX) && key.indexOf('-') < 0;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
