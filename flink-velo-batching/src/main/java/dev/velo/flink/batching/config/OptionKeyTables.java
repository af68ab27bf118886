package dev.velo.flink.batching.config;

import static dev.velo.flink.batching.config.BatchOptions.ADAPTIVE_MAX_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.EAGER_PROCESSING;
import static dev.velo.flink.batching.config.BatchOptions.LOW_LATENCY_MAX_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.LOW_LATENCY_WAIT;
import static dev.velo.flink.batching.config.BatchOptions.MEGA_BATCH_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.MEMORY_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.MIN_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.PARALLEL;
import static dev.velo.flink.batching.config.BatchOptions.REUSE_BUFFER;
import static dev.velo.flink.batching.config.BatchOptions.SIZE;
import static dev.velo.flink.batching.config.BatchOptions.TARGET_LATENCY;
import static dev.velo.flink.batching.config.BatchOptions.TIMEOUT;
import static dev.velo.flink.batching.config.BatchOptions.WINDOW;
import static dev.velo.flink.batching.config.FailureOptions.FAILURE_RATIO_MIN_RECORDS;
import static dev.velo.flink.batching.config.FailureOptions.FAILURE_RATIO_WINDOW;
import static dev.velo.flink.batching.config.FailureOptions.MAX_RETRIES;
import static dev.velo.flink.batching.config.FailureOptions.NON_RETRIABLE_ERRORS;
import static dev.velo.flink.batching.config.FailureOptions.RETRIABLE_ERRORS;
import static dev.velo.flink.batching.config.FailureOptions.RETRY_BACKOFF;
import static dev.velo.flink.batching.config.FailureOptions.RETRY_BACKOFF_MAX;
import static dev.velo.flink.batching.config.FailureOptions.RETRY_BACKOFF_MULTIPLIER;
import static dev.velo.flink.batching.config.FailureOptions.RETRY_EXHAUSTED;
import static dev.velo.flink.batching.config.FailureOptions.RETRY_JITTER;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.ValidationException;

/**
 * Which key is which: the spellings a table may use (plain, {@code sink.batch.} alias, side
 * prefixes), which batch strategy and which failure strategy reads which option, and the
 * did-you-mean error for an unknown {@code batch.} key.
 */
final class OptionKeyTables {

    private OptionKeyTables() {}

    static final String SINK_BATCH_PREFIX = BatchOptions.SINK_ALIAS_PREFIX + BatchOptions.PREFIX;

    static final List<String> SIDE_PREFIXES =
            List.of("", FailureOptions.SOURCE_PREFIX, FailureOptions.SINK_PREFIX);

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
    static final Set<ConfigOption<?>> RETRY_OPTIONS =
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
    static final Set<ConfigOption<?>> GUARD_OPTIONS =
            Set.of(FAILURE_RATIO_WINDOW, FAILURE_RATIO_MIN_RECORDS);

    static final Set<String> FAILURE_KEYS;
    static final Set<String> KNOWN_KEYS;

    static {
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

    static boolean isConditional(ConfigOption<?> option) {
        return RETRY_OPTIONS.contains(option) || GUARD_OPTIONS.contains(option);
    }

    static boolean sideUses(FailureConfig side, ConfigOption<?> option) {
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

    static String usersOf(ConfigOption<?> option) {
        List<String> users = new ArrayList<>();
        for (BatchStrategyType type : BatchStrategyType.values()) {
            if (usesOption(type, option)) {
                users.add(type.sqlName());
            }
        }
        return String.join(", ", users);
    }

    /** {@code batch.size} for {@code batch.size} and {@code sink.batch.size}; else null. */
    static String canonicalBatchKey(String key) {
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

    /**
     * The error for {@code key}, spelled under {@code batch.} or its sink alias but not declared:
     * names the closest declared key, or the failure key meant when a failure option was put under
     * {@code batch.}, and lists the declared keys in the spelling the user chose.
     */
    static ValidationException unknownBatchKey(
            String table, Map<String, String> options, String key, String canonical) {
        boolean alias = isSinkBatchAlias(key);
        String givenPrefix = alias ? SINK_BATCH_PREFIX : BatchOptions.PREFIX;
        String suffix = canonical.substring(BatchOptions.PREFIX.length());
        List<String> suffixes = new ArrayList<>();
        for (String k : OptionParsers.BATCH_PARSERS.keySet()) {
            suffixes.add(k.substring(BatchOptions.PREFIX.length()));
        }
        String suggestion = null;
        // batch.max_retries: a failure key put under batch. (sink.batch.x -> sink.x)
        if (OptionParsers.FAILURE_PARSERS.containsKey(suffix)) {
            suggestion = alias ? FailureOptions.SINK_PREFIX + suffix : suffix;
        } else {
            String closest = ValidationMessages.closest(suffix, suffixes);
            if (closest != null) {
                suggestion = givenPrefix + closest;
            }
        }
        List<String> known =
                suffixes.stream().map(s -> givenPrefix + s).collect(Collectors.toList());
        return ValidationMessages.unknownOption(table, key, options.get(key), suggestion, known);
    }
}
