package dev.velo.flink.sql.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import java.util.Map;

/**
 * The Flink classes outside Flink's public API ({@code @Public}, {@code @PublicEvolving},
 * {@code @Experimental}) that velo's connector uses, each with the reason. The list is closed: a
 * new use of a Flink internal fails {@code ArchitectureTest} until it is replaced by public API or
 * added here with its reason; an entry no longer used should be removed.
 */
final class FlinkInternalsInUse {

    private FlinkInternalsInUse() {}

    static final Map<String, String> CLASSES =
            Map.ofEntries(
                    // BatchingOperator and DeadLetterFlushOperator are one-input stream operators
                    // (AbstractStreamOperator is @PublicEvolving, the types of its methods are not)
                    operator("org.apache.flink.streaming.runtime.streamrecord.StreamRecord"),
                    operator("org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus"),
                    operator("org.apache.flink.streaming.runtime.tasks.ProcessingTimeService"),
                    operator("org.apache.flink.streaming.api.operators.StreamingRuntimeContext"),
                    operator("org.apache.flink.streaming.api.graph.StreamConfig"),
                    operator("org.apache.flink.streaming.runtime.tasks.StreamTask"),
                    Map.entry(
                            "org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorFactory",
                            "retry waits and eager flushes run in the task's mailbox"),
                    Map.entry(
                            "org.apache.flink.streaming.runtime.streamrecord.StreamElement",
                            "the retry state of a VeloBatching stage keeps each waiting record"
                                    + " with its timestamp, as Flink's own stream records"),
                    Map.entry(
                            "org.apache.flink.streaming.runtime.streamrecord.StreamElementSerializer",
                            "the retry state of a VeloBatching stage keeps each waiting record"
                                    + " with its timestamp, as Flink's own stream records"),
                    Map.entry(
                            "org.apache.flink.api.java.typeutils.runtime.TupleSerializer",
                            "the retry state of a VeloBatching stage keeps each waiting record"
                                    + " with its timestamp, as Flink's own stream records"),
                    Map.entry(
                            "org.apache.flink.api.common.typeutils.base.IntSerializer",
                            "the retry state of a VeloBatching stage keeps each waiting record"
                                    + " with its timestamp, as Flink's own stream records"),
                    Map.entry(
                            "org.apache.flink.api.common.functions.util.FunctionUtils",
                            "opens and closes the user's RichFunction as Flink's operators do"),
                    Map.entry(
                            "org.apache.flink.api.dag.Transformation",
                            "the dead-letter committer mirrors the delegate sink's topology"),
                    Map.entry(
                            "org.apache.flink.metrics.SimpleCounter",
                            "counters kept before a metric group exists (flink-metrics-core has no"
                                    + " stability annotations)"),
                    Map.entry(
                            "org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogramStatistics",
                            "the statistics of the batchSize histogram over the last 1024 batches,"
                                    + " computed as Flink's own windowed histogram does, on every"
                                    + " cluster (flink-runtime)"),
                    Map.entry(
                            "org.apache.flink.metrics.groups.UnregisteredMetricsGroup",
                            "a DLQ writer or encoder opened outside a task"),
                    Map.entry(
                            "org.apache.flink.core.memory.DataOutputSerializer",
                            "record size estimate through the record's serializer"),
                    Map.entry(
                            "org.apache.flink.table.data.binary.BinaryFormat",
                            "record size estimate of a binary RowData"),
                    Map.entry(
                            "org.apache.flink.table.data.binary.LazyBinaryFormat",
                            "record size estimate of a binary RowData"),
                    Map.entry(
                            "org.apache.flink.table.data.conversion.DataStructureConverter",
                            "the planning sink context hands a delegate sink its converter"),
                    Map.entry(
                            "org.apache.flink.table.data.conversion.DataStructureConverters",
                            "the planning sink context hands a delegate sink its converter"),
                    Map.entry(
                            "org.apache.flink.table.runtime.typeutils.InternalTypeInfo",
                            "the RowData type information of a table stage"),
                    Map.entry(
                            "org.apache.flink.streaming.api.functions.sink.legacy.SinkFunction",
                            "delegate table sinks that still provide a legacy SinkFunction"),
                    Map.entry(
                            "org.apache.flink.table.connector.sink.legacy.SinkFunctionProvider",
                            "delegate table sinks that still provide a legacy SinkFunction"),
                    Map.entry(
                            "org.apache.flink.streaming.api.transformations.LegacySinkTransformation",
                            "velo's operator around a legacy SinkFunction is added as the sink"
                                    + " addSink and the planner create for one"),
                    Map.entry(
                            "org.apache.flink.streaming.api.operators.SimpleOperatorFactory",
                            "velo's operator around a legacy SinkFunction is added as the sink"
                                    + " addSink and the planner create for one"),
                    Map.entry(
                            "org.apache.flink.configuration.GlobalConfiguration",
                            "isSensitive: the same secret test as Flink's own masking"),
                    Map.entry(
                            "org.apache.flink.configuration.DelegatingConfiguration",
                            "the DLQ format's options under their prefix, as Flink's factories"
                                    + " read them"));

    static final DescribedPredicate<JavaClass> PREDICATE =
            DescribedPredicate.describe(
                    "are listed in FlinkInternalsInUse",
                    c -> CLASSES.containsKey(c.getBaseComponentType().getName()));

    private static Map.Entry<String, String> operator(String className) {
        return Map.entry(className, "a stream operator's own types");
    }
}
