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
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.ValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parsed and validated flink-velo options of one table: the single entry point used by the
 * table factory, the dialect translator and {@code velo validate}.
 *
 * <h2>Keys</h2>
 *
 * <ul>
 *   <li>{@code batch.<key>} ({@link BatchOptions}); Velostream's spelling {@code sink.batch.<key>}
 *       is an alias. Giving both with different values is an error. Unknown keys under either
 *       prefix are errors with a "did you mean" suggestion. Hyphenated {@code sink.batch.*} keys
 *       (Flink's spelling, e.g. {@code sink.batch.max-size} of the async sinks) are not ours and
 *       are left to the delegate connector.
 *   <li>The failure keys of {@link FailureOptions}: unprefixed for both sides, overridden per side
 *       by {@code source.<key>} (source decoding) and {@code sink.<key>} (sink writing).
 *   <li>Every other key (including {@code dlq.*} and {@code velo.*}, which other components read)
 *       is ignored here.
 * </ul>
 *
 * <h2>Accepted values</h2>
 *
 * <ul>
 *   <li>Sizes ({@code batch.size}, {@code batch.max_size}, {@code batch.min_size}, {@code
 *       batch.adaptive_max_size}, {@code batch.low_latency_max_size}, {@code
 *       batch.mega_batch_size}, {@code batch.memory_size}): whole numbers &gt; 0. For
 *       adaptive_size, {@code batch.min_size <= batch.adaptive_max_size}.
 *   <li>{@code batch.max_size}: when not set, the cap is {@code max(1000, the strategy's size)} so
 *       that a large {@code mega_batch_size} is not silently cut; when set, a larger strategy size
 *       is an error naming both keys. The strategy's size is {@code batch.size}, {@code
 *       batch.adaptive_max_size}, {@code batch.low_latency_max_size} or {@code
 *       batch.mega_batch_size}; time_window and memory_based have none.
 *   <li>Durations ({@link Durations}): {@code batch.timeout} and {@code batch.low_latency_wait} may
 *       be 0 (flush as soon as possible); {@code batch.window}, {@code batch.target_latency} and
 *       {@code failure_ratio_window} must be &gt; 0 because a zero window or target has no meaning.
 *       {@code retry_backoff} may be 0 (retry at once).
 *   <li>{@code batch.timeout} applies to fixed_size, memory_based, adaptive_size and mega_batch;
 *       for time_window the window is the timeout, for low_latency the wait is.
 *   <li>{@code max_retries >= 0}; {@code retry_backoff_multiplier >= 1.0}; {@code retry_jitter} and
 *       {@code max_failure_ratio} in [0, 1]; {@code retry_exhausted} is any failure strategy but
 *       RetryWithBackoff. {@code retry_backoff_max}: when set, it must be at least {@code
 *       retry_backoff}; when not set it is {@code max(1 min, retry_backoff)}.
 *   <li>Booleans: true/false/yes/no/1/0, any case. Strategy names: see {@link
 *       BatchStrategyType#parse} and {@link FailureStrategy#parse}.
 *   <li>Values of keys that the chosen strategy does not use are still checked; the key itself only
 *       causes a warning ({@link #warnings()}, also logged). Cross-option checks apply only to what
 *       is used.
 * </ul>
 *
 * <p>Errors read {@code Table '<t>': invalid value '<v>' for option '<key>': <what is accepted>.};
 * values of keys that look secret (password, secret, jaas, token, credential) are printed as {@code
 * ******}.
 */
@PublicEvolving
public final class VeloOptions {

    private static final Logger LOG = LoggerFactory.getLogger(VeloOptions.class);

    /** Options of the dead-letter sink; read by the DLQ component, owned by flink-velo. */
    public static final String DLQ_PREFIX = "dlq.";

    /** Options of the velo wrapper itself (e.g. the delegate connector); owned by flink-velo. */
    public static final String VELO_PREFIX = "velo.";

    private static final String SINK_BATCH_PREFIX =
            BatchOptions.SINK_ALIAS_PREFIX + BatchOptions.PREFIX;

    private static final List<String> SIDE_PREFIXES =
            List.of("", FailureOptions.SOURCE_PREFIX, FailureOptions.SINK_PREFIX);

    /** Turns a raw value into its typed form or throws a {@link ValidationException}. */
    @FunctionalInterface
    private interface Parser {
        Object parse(String table, String key, String value);
    }

    private static final Map<String, Parser> BATCH_PARSERS = new LinkedHashMap<>();
    private static final Map<String, Parser> FAILURE_PARSERS = new LinkedHashMap<>();

    /** The options each strategy reads, besides enable, strategy, max_size and timeout. */
    private static final Map<BatchStrategyType, List<ConfigOption<?>>> STRATEGY_OPTIONS =
            new EnumMap<>(BatchStrategyType.class);

    private static final Set<BatchStrategyType> TIMEOUT_STRATEGIES =
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

    private static final Set<String> FAILURE_KEYS;
    private static final Set<String> KNOWN_KEYS;

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

    private final String tableName;
    private final BatchConfig batchConfig;
    private final FailureConfig commonFailure;
    private final FailureConfig sourceFailure;
    private final FailureConfig sinkFailure;
    private final List<String> warnings;
    private final LinkedHashMap<String, String> effectiveOptions;

    private VeloOptions(
            String tableName,
            BatchConfig batchConfig,
            FailureConfig commonFailure,
            FailureConfig sourceFailure,
            FailureConfig sinkFailure,
            List<String> warnings) {
        this.tableName = tableName;
        this.batchConfig = batchConfig;
        this.commonFailure = commonFailure;
        this.sourceFailure = sourceFailure;
        this.sinkFailure = sinkFailure;
        this.warnings = Collections.unmodifiableList(warnings);
        this.effectiveOptions = computeEffectiveOptions();
    }

    /**
     * Parses and validates the flink-velo options among {@code options}; keys that flink-velo does
     * not own are ignored. Warnings are logged at WARN and returned by {@link #warnings()}.
     *
     * @param tableName the table named in messages; null when there is none (messages then start at
     *     "Invalid value ...")
     * @param options a table's WITH options (null is treated as empty)
     * @throws ValidationException for the first invalid value, unknown {@code batch.*} key,
     *     conflicting alias or violated cross-option rule
     */
    public static VeloOptions parse(String tableName, Map<String, String> options) {
        return parse(tableName, options, true);
    }

    /** {@link #parse(String, Map)}; {@code logWarnings=false} keeps bulk tests quiet. */
    static VeloOptions parse(String tableName, Map<String, String> options, boolean logWarnings) {
        Map<String, String> opts = new HashMap<>();
        if (options != null) {
            options.forEach(
                    (k, v) -> {
                        if (k != null) {
                            opts.put(k, v);
                        }
                    });
        }
        Parsing parsing = new Parsing(tableName, opts);
        VeloOptions result = parsing.run();
        if (logWarnings) {
            for (String warning : result.warnings) {
                LOG.warn(warning);
            }
        }
        return result;
    }

    /**
     * True for every key flink-velo owns: {@code batch.*}, {@code sink.batch.*} (except hyphenated
     * Flink-style keys such as flink-connector-base's {@code sink.batch.max-size}), {@code dlq.*},
     * {@code velo.*} and the failure keys in their plain, {@code source.} and {@code sink.} forms.
     * Other {@code sink.*}/{@code source.*} keys (e.g. {@code sink.parallelism}) belong to the
     * delegate connector.
     */
    public static boolean isVeloKey(String key) {
        if (key == null) {
            return false;
        }
        return isParsedKey(key) || key.startsWith(DLQ_PREFIX) || key.startsWith(VELO_PREFIX);
    }

    /**
     * True for the keys {@link #parse} reads and validates in the dialect's forms: {@code batch.*},
     * the {@code sink.batch.*} aliases and the failure keys in their plain, {@code source.} and
     * {@code sink.} forms.
     */
    public static boolean isParsedKey(String key) {
        if (key == null) {
            return false;
        }
        return key.startsWith(BatchOptions.PREFIX)
                || isSinkBatchAlias(key)
                || FAILURE_KEYS.contains(key);
    }

    /**
     * The canonical keys parsed here, in documentation order: every {@code batch.*} key, then the
     * failure keys unprefixed, with {@code source.} and with {@code sink.}. The {@code
     * sink.batch.*} aliases and the open-ended {@code dlq.*}/{@code velo.*} groups are not listed.
     */
    public static Set<String> knownKeys() {
        return KNOWN_KEYS;
    }

    /**
     * The batch options a strategy reads, in the order {@link #effectiveOptions()} lists them:
     * {@code batch.enable}, {@code batch.strategy}, the strategy's own keys, {@code
     * batch.max_size}, and {@code batch.timeout} where it applies. For docs and tooling.
     */
    public static List<ConfigOption<?>> optionsOf(BatchStrategyType type) {
        List<ConfigOption<?>> used = new ArrayList<>();
        used.add(ENABLE);
        used.add(STRATEGY);
        used.addAll(STRATEGY_OPTIONS.get(type));
        used.add(MAX_SIZE);
        if (TIMEOUT_STRATEGIES.contains(type)) {
            used.add(TIMEOUT);
        }
        return Collections.unmodifiableList(used);
    }

    /** The keys only {@code type} reads, without the shared ones ({@code batch.enable}, ...). */
    public static List<ConfigOption<?>> strategyOptions(BatchStrategyType type) {
        return STRATEGY_OPTIONS.get(type);
    }

    /**
     * Whether an incomplete batch of {@code type} is flushed {@code batch.timeout} after its start.
     */
    public static boolean usesBatchTimeout(BatchStrategyType type) {
        return TIMEOUT_STRATEGIES.contains(type);
    }

    /** True when values of {@code key} must be masked in messages and logs. */
    public static boolean isSecretKey(String key) {
        return ValidationMessages.isSecretKey(key);
    }

    /** {@code value} as it may be shown for {@code key}: {@code ******} for secret keys. */
    public static String printableValue(String key, String value) {
        return ValidationMessages.printable(key, value);
    }

    /** The table this was parsed for; null when parsed without one. */
    public String tableName() {
        return tableName;
    }

    public BatchConfig batchConfig() {
        return batchConfig;
    }

    /** Failure handling of source decoding: {@code source.<key>} if set, else {@code <key>}. */
    public FailureConfig sourceFailure() {
        return sourceFailure;
    }

    /** Failure handling of sink writing: {@code sink.<key>} if set, else {@code <key>}. */
    public FailureConfig sinkFailure() {
        return sinkFailure;
    }

    /** Failure handling from the unprefixed keys only. */
    public FailureConfig commonFailure() {
        return commonFailure;
    }

    /** Human-readable warnings (keys the chosen strategies do not use), in key order. */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The canonical options for {@code velo validate}: {@code batch.enable}, {@code batch.strategy}
     * (snake_case), every key of the chosen strategy with defaults filled in, {@code
     * batch.max_size} (the effective cap) and {@code batch.timeout} where it applies; then {@code
     * failure_strategy} (CamelCase) with the retry keys when it is RetryWithBackoff and the
     * error-rate keys when the guard is on; then the same with {@code source.} always, and with
     * {@code sink.} only when the sink side's entries differ from the unprefixed ones. Durations
     * are whole milliseconds ("1000ms"), booleans true/false, doubles plain decimals. A fresh copy.
     */
    public LinkedHashMap<String, String> effectiveOptions() {
        return new LinkedHashMap<>(effectiveOptions);
    }

    @Override
    public String toString() {
        return "VeloOptions{table=" + tableName + ", options=" + effectiveOptions + '}';
    }

    private LinkedHashMap<String, String> computeEffectiveOptions() {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        BatchStrategy s = batchConfig.strategy();
        m.put(ENABLE.key(), String.valueOf(batchConfig.isEnabled()));
        m.put(STRATEGY.key(), s.type().sqlName());
        if (s instanceof BatchStrategy.FixedSize) {
            m.put(SIZE.key(), String.valueOf(((BatchStrategy.FixedSize) s).size()));
        } else if (s instanceof BatchStrategy.TimeWindow) {
            m.put(WINDOW.key(), Durations.format(((BatchStrategy.TimeWindow) s).window()));
        } else if (s instanceof BatchStrategy.MemoryBased) {
            m.put(MEMORY_SIZE.key(), String.valueOf(((BatchStrategy.MemoryBased) s).maxBytes()));
        } else if (s instanceof BatchStrategy.AdaptiveSize) {
            BatchStrategy.AdaptiveSize a = (BatchStrategy.AdaptiveSize) s;
            m.put(MIN_SIZE.key(), String.valueOf(a.minSize()));
            m.put(ADAPTIVE_MAX_SIZE.key(), String.valueOf(a.maxSize()));
            m.put(TARGET_LATENCY.key(), Durations.format(a.targetLatency()));
        } else if (s instanceof BatchStrategy.LowLatency) {
            BatchStrategy.LowLatency l = (BatchStrategy.LowLatency) s;
            m.put(LOW_LATENCY_MAX_SIZE.key(), String.valueOf(l.maxSize()));
            m.put(LOW_LATENCY_WAIT.key(), Durations.format(l.maxWait()));
            m.put(EAGER_PROCESSING.key(), String.valueOf(l.eagerProcessing()));
        } else if (s instanceof BatchStrategy.MegaBatch) {
            BatchStrategy.MegaBatch mb = (BatchStrategy.MegaBatch) s;
            m.put(MEGA_BATCH_SIZE.key(), String.valueOf(mb.batchSize()));
            m.put(PARALLEL.key(), String.valueOf(mb.parallel()));
            m.put(REUSE_BUFFER.key(), String.valueOf(mb.reuseBuffer()));
        }
        m.put(MAX_SIZE.key(), String.valueOf(batchConfig.maxBatchSize()));
        if (TIMEOUT_STRATEGIES.contains(s.type())) {
            m.put(TIMEOUT.key(), Durations.format(batchConfig.batchTimeout()));
        }
        putFailure(m, "", commonFailure);
        putFailure(m, FailureOptions.SOURCE_PREFIX, sourceFailure);
        // Compared by what is shown, so that overriding a key the sink does not use (a warning)
        // does not list an identical sink side.
        Map<String, String> common = new LinkedHashMap<>();
        Map<String, String> sink = new LinkedHashMap<>();
        putFailure(common, "", commonFailure);
        putFailure(sink, "", sinkFailure);
        if (!sink.equals(common)) {
            putFailure(m, FailureOptions.SINK_PREFIX, sinkFailure);
        }
        return m;
    }

    private static void putFailure(Map<String, String> m, String prefix, FailureConfig f) {
        m.put(prefix + FAILURE_STRATEGY.key(), f.strategy().displayName());
        if (f.strategy() == FailureStrategy.RETRY_WITH_BACKOFF) {
            m.put(prefix + MAX_RETRIES.key(), String.valueOf(f.maxRetries()));
            m.put(prefix + RETRY_BACKOFF.key(), Durations.format(f.retryBackoff()));
            m.put(prefix + RETRY_BACKOFF_MAX.key(), Durations.format(f.retryBackoffMax()));
            m.put(
                    prefix + RETRY_BACKOFF_MULTIPLIER.key(),
                    OptionValues.formatDouble(f.retryBackoffMultiplier()));
            m.put(prefix + RETRY_JITTER.key(), OptionValues.formatDouble(f.retryJitter()));
            m.put(prefix + RETRY_EXHAUSTED.key(), f.retryExhaustedStrategy().displayName());
            if (!f.retriableErrors().isEmpty()) {
                m.put(prefix + RETRIABLE_ERRORS.key(), String.join(",", f.retriableErrors()));
            }
            if (!f.nonRetriableErrors().isEmpty()) {
                m.put(
                        prefix + NON_RETRIABLE_ERRORS.key(),
                        String.join(",", f.nonRetriableErrors()));
            }
        }
        if (f.isFailureRatioGuardEnabled()) {
            m.put(prefix + MAX_FAILURE_RATIO.key(), OptionValues.formatDouble(f.maxFailureRatio()));
            m.put(prefix + FAILURE_RATIO_WINDOW.key(), Durations.format(f.failureRatioWindow()));
            m.put(
                    prefix + FAILURE_RATIO_MIN_RECORDS.key(),
                    String.valueOf(f.failureRatioMinRecords()));
        }
    }

    private static Parser positiveInt() {
        return (t, k, v) -> OptionValues.parseInt(t, k, v, 1, Integer.MAX_VALUE);
    }

    private static Parser duration(boolean allowZero) {
        return (t, k, v) -> Durations.parse(t, k, v, allowZero);
    }

    /** The state of one parse: raw options in, typed values and warnings out. */
    private static final class Parsing {
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

    private static boolean usesOption(BatchStrategyType type, ConfigOption<?> option) {
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
    private static boolean isSinkBatchAlias(String key) {
        return key.startsWith(SINK_BATCH_PREFIX) && key.indexOf('-') < 0;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
