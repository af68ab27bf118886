package dev.velo.flink.sql.cli;

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

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.Durations;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.config.OptionValues;
import dev.velo.flink.batching.config.VeloOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * The options of a parsed velo table as {@code velo validate} shows them: {@code batch.enable},
 * {@code batch.strategy} (snake_case), every key of the chosen strategy with defaults filled in,
 * {@code batch.max_size} (the effective cap) and {@code batch.timeout} where it applies; then
 * {@code failure_strategy} (CamelCase) with the retry keys when it is RetryWithBackoff and the
 * error-rate keys when the guard is on; then the same with {@code source.} always, and with {@code
 * sink.} only when the sink side's entries differ from the unprefixed ones. Durations are whole
 * milliseconds ("1000ms"), booleans true/false, doubles plain decimals. The result parses back to
 * the same options.
 */
@Internal
public final class CanonicalOptions {

    private CanonicalOptions() {}

    /** A fresh map, in the order above. */
    public static LinkedHashMap<String, String> of(VeloOptions parsed) {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        putBatch(m, parsed.batchConfig());
        putFailure(m, "", parsed.commonFailure());
        putFailure(m, FailureOptions.SOURCE_PREFIX, parsed.sourceFailure());
        // Compared by what is shown, so that overriding a key the sink does not use (a warning)
        // does not list an identical sink side.
        Map<String, String> common = new LinkedHashMap<>();
        Map<String, String> sink = new LinkedHashMap<>();
        putFailure(common, "", parsed.commonFailure());
        putFailure(sink, "", parsed.sinkFailure());
        if (!sink.equals(common)) {
            putFailure(m, FailureOptions.SINK_PREFIX, parsed.sinkFailure());
        }
        return m;
    }

    private static void putBatch(Map<String, String> m, BatchConfig batch) {
        BatchStrategy s = batch.strategy();
        m.put(ENABLE.key(), String.valueOf(batch.isEnabled()));
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
        m.put(MAX_SIZE.key(), String.valueOf(batch.maxBatchSize()));
        if (VeloOptions.usesBatchTimeout(s.type())) {
            m.put(TIMEOUT.key(), Durations.format(batch.batchTimeout()));
        }
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
}
