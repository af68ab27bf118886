package dev.velo.flink.batching.config;

import java.time.Duration;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The failure-handling keys. Unprefixed keys apply to both sides; {@code source.<key>} and {@code
 * sink.<key>} override them for source decoding and for sink writing respectively (see {@link
 * #forSide}).
 */
@PublicEvolving
public final class FailureOptions {

    /** Prefix of the source-side overrides. */
    public static final String SOURCE_PREFIX = "source.";

    /** Prefix of the sink-side overrides. */
    public static final String SINK_PREFIX = "sink.";

    public static final ConfigOption<String> FAILURE_STRATEGY =
            ConfigOptions.key("failure_strategy")
                    .stringType()
                    .defaultValue(FailureStrategy.FAIL_BATCH.displayName())
                    .withDescription(
                            "What happens to a failed record: LogAndContinue, SendToDLQ, FailBatch"
                                    + " or RetryWithBackoff (any case, also snake_case).");

    public static final ConfigOption<Integer> MAX_RETRIES =
            ConfigOptions.key("max_retries")
                    .intType()
                    .defaultValue(3)
                    .withDescription("RetryWithBackoff: maximum retry attempts.");

    public static final ConfigOption<Duration> RETRY_BACKOFF =
            ConfigOptions.key("retry_backoff")
                    .durationType()
                    .defaultValue(Duration.ofMillis(1000))
                    .withDescription(
                            "RetryWithBackoff: delay before the first retry; later retries wait"
                                    + " retry_backoff * retry_backoff_multiplier^(attempt-1).");

    public static final ConfigOption<Duration> RETRY_BACKOFF_MAX =
            ConfigOptions.key("retry_backoff_max")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription("RetryWithBackoff: cap on a single retry delay.");

    public static final ConfigOption<Double> RETRY_BACKOFF_MULTIPLIER =
            ConfigOptions.key("retry_backoff_multiplier")
                    .doubleType()
                    .defaultValue(2.0)
                    .withDescription("RetryWithBackoff: growth factor of the delay (>= 1.0).");

    public static final ConfigOption<Double> RETRY_JITTER =
            ConfigOptions.key("retry_jitter")
                    .doubleType()
                    .defaultValue(0.1)
                    .withDescription(
                            "RetryWithBackoff: random share in [0, 1] by which each delay may"
                                    + " vary, so retries of many subtasks do not align.");

    public static final ConfigOption<String> RETRY_EXHAUSTED =
            ConfigOptions.key("retry_exhausted")
                    .stringType()
                    .defaultValue(FailureStrategy.FAIL_BATCH.displayName())
                    .withDescription(
                            "RetryWithBackoff: what happens when retries are exhausted or the"
                                    + " error is not retriable: FailBatch, SendToDLQ or"
                                    + " LogAndContinue.");

    public static final ConfigOption<Double> MAX_FAILURE_RATIO =
            ConfigOptions.key("max_failure_ratio")
                    .doubleType()
                    .noDefaultValue()
                    .withDescription(
                            "Error-rate guard: fail the job when more than this share (0..1) of"
                                    + " the records in failure_ratio_window failed. Off when"
                                    + " unset.");

    public static final ConfigOption<Duration> FAILURE_RATIO_WINDOW =
            ConfigOptions.key("failure_ratio_window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "Error-rate guard: the sliding window the ratio is taken over.");

    /** Default of {@link #FAILURE_RATIO_MIN_RECORDS}. */
    public static final long DEFAULT_FAILURE_RATIO_MIN_RECORDS = 100;

    public static final ConfigOption<Long> FAILURE_RATIO_MIN_RECORDS =
            ConfigOptions.key("failure_ratio_min_records")
                    .longType()
                    .defaultValue(DEFAULT_FAILURE_RATIO_MIN_RECORDS)
                    .withDescription(
                            "Error-rate guard: the records failure_ratio_window must hold before"
                                    + " the ratio can fail the job, so that a few bad records"
                                    + " first after a (re)start cannot trip it alone.");

    public static final ConfigOption<List<String>> RETRIABLE_ERRORS =
            ConfigOptions.key("retry.retriable_errors")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "RetryWithBackoff: comma-separated exception class names that are"
                                    + " always retried, besides the built-in transient errors."
                                    + " A name matches the error, its superclasses and its"
                                    + " causes, fully qualified or as a suffix after a dot"
                                    + " (e.g. RecordTooLargeException matches a relocated"
                                    + " Kafka class).");

    public static final ConfigOption<List<String>> NON_RETRIABLE_ERRORS =
            ConfigOptions.key("retry.non_retriable_errors")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "RetryWithBackoff: comma-separated exception class names that are"
                                    + " never retried (matched like retry.retriable_errors);"
                                    + " they win over retry.retriable_errors and the built-in"
                                    + " rules.");

    /** The unprefixed failure options, in documentation order. */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    FAILURE_STRATEGY,
                    MAX_RETRIES,
                    RETRY_BACKOFF,
                    RETRY_BACKOFF_MAX,
                    RETRY_BACKOFF_MULTIPLIER,
                    RETRY_JITTER,
                    RETRY_EXHAUSTED,
                    RETRIABLE_ERRORS,
                    NON_RETRIABLE_ERRORS,
                    MAX_FAILURE_RATIO,
                    FAILURE_RATIO_WINDOW,
                    FAILURE_RATIO_MIN_RECORDS);

    /** The key of {@code option} as a side override, e.g. {@code source.max_retries}. */
    public static String sideKey(String sidePrefix, ConfigOption<?> option) {
        return sidePrefix + option.key();
    }

    private FailureOptions() {}
}
