package dev.velo.flink.batching.config;

import java.time.Duration;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The {@code batch.*} keys of the Velostream dialect, declared once. Velostream's own parser also
 * spells them {@code sink.batch.*}; {@link #SINK_ALIAS_PREFIX} marks that alias.
 */
@PublicEvolving
public final class BatchOptions {

    /** {@code sink.batch.size} is accepted as an alias of {@code batch.size}. */
    public static final String SINK_ALIAS_PREFIX = "sink.";

    /** Every batch key starts with this. */
    public static final String PREFIX = "batch.";

    public static final ConfigOption<Boolean> ENABLE =
            ConfigOptions.key("batch.enable")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Whether records are batched. When false, records pass through"
                                    + " unbuffered.");

    public static final ConfigOption<String> STRATEGY =
            ConfigOptions.key("batch.strategy")
                    .stringType()
                    .defaultValue(BatchStrategyType.FIXED_SIZE.sqlName())
                    .withDescription(
                            "The batch strategy: fixed_size, time_window, memory_based,"
                                    + " adaptive_size, low_latency or mega_batch (also CamelCase,"
                                    + " e.g. FixedSize; any case).");

    public static final ConfigOption<Integer> MAX_SIZE =
            ConfigOptions.key("batch.max_size")
                    .intType()
                    .defaultValue(BatchConfig.DEFAULT_MAX_BATCH_SIZE)
                    .withDescription(
                            "The cap on records per batch that every strategy respects. When not"
                                    + " set, it is raised to the strategy's own size if that is"
                                    + " larger (e.g. mega_batch).");

    public static final ConfigOption<Integer> SIZE =
            ConfigOptions.key("batch.size")
                    .intType()
                    .defaultValue(100)
                    .withDescription("fixed_size: number of records per batch.");

    public static final ConfigOption<Duration> TIMEOUT =
            ConfigOptions.key("batch.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMillis(1000))
                    .withDescription(
                            "fixed_size, memory_based, adaptive_size and mega_batch: maximum"
                                    + " time the first record of an incomplete batch waits before"
                                    + " the batch is flushed (0 = flush at once). time_window uses"
                                    + " batch.window and low_latency batch.low_latency_wait"
                                    + " instead.");

    public static final ConfigOption<Duration> WINDOW =
            ConfigOptions.key("batch.window")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription(
                            "time_window: a batch holds what arrives within this time of its"
                                    + " first record.");

    public static final ConfigOption<Long> MEMORY_SIZE =
            ConfigOptions.key("batch.memory_size")
                    .longType()
                    .defaultValue(1_048_576L)
                    .withDescription(
                            "memory_based: flush when the estimated size of the buffered records"
                                    + " reaches this many bytes.");

    public static final ConfigOption<Integer> MIN_SIZE =
            ConfigOptions.key("batch.min_size")
                    .intType()
                    .defaultValue(10)
                    .withDescription("adaptive_size: smallest target batch size.");

    public static final ConfigOption<Integer> ADAPTIVE_MAX_SIZE =
            ConfigOptions.key("batch.adaptive_max_size")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("adaptive_size: largest target batch size.");

    public static final ConfigOption<Duration> TARGET_LATENCY =
            ConfigOptions.key("batch.target_latency")
                    .durationType()
                    .defaultValue(Duration.ofMillis(100))
                    .withDescription(
                            "adaptive_size: the batch latency (first record in to batch"
                                    + " processed) the target size is steered towards.");

    public static final ConfigOption<Integer> LOW_LATENCY_MAX_SIZE =
            ConfigOptions.key("batch.low_latency_max_size")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "low_latency: records after which a batch is flushed at once.");

    public static final ConfigOption<Duration> LOW_LATENCY_WAIT =
            ConfigOptions.key("batch.low_latency_wait")
                    .durationType()
                    .defaultValue(Duration.ofMillis(1))
                    .withDescription("low_latency: maximum time a record waits in a batch.");

    public static final ConfigOption<Boolean> EAGER_PROCESSING =
            ConfigOptions.key("batch.eager_processing")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "low_latency: flush as soon as the task thread is free instead of"
                                    + " waiting for low_latency_wait.");

    public static final ConfigOption<Integer> MEGA_BATCH_SIZE =
            ConfigOptions.key("batch.mega_batch_size")
                    .intType()
                    .defaultValue(50_000)
                    .withDescription("mega_batch: records per batch (10K-100K typical).");

    public static final ConfigOption<Boolean> PARALLEL =
            ConfigOptions.key("batch.parallel")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "mega_batch: rebalance records so batching and the downstream stage"
                                    + " run at the job's parallelism. false keeps per-upstream"
                                    + " order and a single writer per upstream subtask. A SQL"
                                    + " sink rebalances only insert-only input into a table"
                                    + " without a primary key (and whose connector does not"
                                    + " group by partition); otherwise the planner's"
                                    + " distribution is kept, so records of one key stay in"
                                    + " order.");

    public static final ConfigOption<Boolean> REUSE_BUFFER =
            ConfigOptions.key("batch.reuse_buffer")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "mega_batch: collect batches in a preallocated ring of buffers, with"
                                    + " no allocation per batch.");

    /** Every batch option, in documentation order. */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    ENABLE,
                    STRATEGY,
                    MAX_SIZE,
                    SIZE,
                    TIMEOUT,
                    WINDOW,
                    MEMORY_SIZE,
                    MIN_SIZE,
                    ADAPTIVE_MAX_SIZE,
                    TARGET_LATENCY,
                    LOW_LATENCY_MAX_SIZE,
                    LOW_LATENCY_WAIT,
                    EAGER_PROCESSING,
                    MEGA_BATCH_SIZE,
                    PARALLEL,
                    REUSE_BUFFER);

    private BatchOptions() {}
}
