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

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.ValidationException;

/**
 * The value parser of every declared batch and failure key: the value forms the Velostream dialect
 * accepts, each turned into its typed form. A declared option without a parser fails the class's
 * initialisation, so no key is silently left unvalidated.
 */
final class OptionParsers {

    private OptionParsers() {}

    /** Turns a raw value into its typed form or throws a {@link ValidationException}. */
    @FunctionalInterface
    interface Parser {
        Object parse(String table, String key, String value);
    }

    /** Canonical batch key -> its parser, in declaration order. */
    static final Map<String, Parser> BATCH_PARSERS = new LinkedHashMap<>();

    /** Failure key without side prefix -> its parser, in declaration order. */
    static final Map<String, Parser> FAILURE_PARSERS = new LinkedHashMap<>();

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
    }

    private static Parser positiveInt() {
        return (t, k, v) -> OptionValues.parseInt(t, k, v, 1, Integer.MAX_VALUE);
    }

    private static Parser duration(boolean allowZero) {
        return (t, k, v) -> Durations.parse(t, k, v, allowZero);
    }
}
