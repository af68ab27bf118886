package dev.velo.flink.sql.factory;

import dev.velo.flink.batching.batcher.RecordSizeEstimators;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchOptions;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import dev.velo.flink.batching.sink.VeloSink;
import dev.velo.flink.batching.sink.VeloSinkSettings;
import dev.velo.flink.sql.dlq.DlqOptions;
import dev.velo.flink.sql.internal.LegacySinks;
import dev.velo.flink.sql.internal.StreamBatching;
import dev.velo.flink.sql.internal.VeloSinkFunctionOperator;
import java.util.Optional;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.sink.DataStreamSinkProvider;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.connector.sink.legacy.SinkFunctionProvider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.RowKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A velo table written as a sink: rows are batched with the table's strategy and written to the
 * wrapped connector's writer under the table's failure strategy, with dead letters to the DLQ.
 *
 * <p>The planner never sees this class directly: {@link #wrap} hands it a {@link SinkAbilityProxy}
 * that implements exactly the sink abilities of the wrapped sink, so every {@code instanceof} check
 * of the planner answers as it would for the wrapped table.
 */
@Internal
final class VeloDynamicTableSink implements DynamicTableSink {

    private static final Logger LOG = LoggerFactory.getLogger(VeloDynamicTableSink.class);

    /**
     * The transformation name of the sink velo builds itself, the planner's own for a table sink:
     * with a uid from the planner ({@code table.exec.uid.generation}, {@code
     * table.exec.uid.format}) the writer is {@code <id>_sink} with and without velo's rebalance,
     * and with and without velo around the table.
     */
    static final String SINK_UID = "sink";

    private final DynamicTableSink delegate;
    private final VeloTableSettings settings;
    private final boolean hasPrimaryKey;

    /** Physical columns, then the metadata columns once {@code applyWritableMetadata} ran. */
    private DataType consumedRowType;

    /** Whether the planner asked for an insert-only changelog: the sink's input has no changes. */
    private boolean insertOnlyInput;

    /** Whether the wrapped sink asked the planner to group its input by partition. */
    private boolean partitionGrouping;

    private VeloDynamicTableSink(
            DynamicTableSink delegate,
            VeloTableSettings settings,
            boolean hasPrimaryKey,
            DataType consumedRowType,
            boolean insertOnlyInput,
            boolean partitionGrouping) {
        this.delegate = delegate;
        this.settings = settings;
        this.hasPrimaryKey = hasPrimaryKey;
        this.consumedRowType = consumedRowType;
        this.insertOnlyInput = insertOnlyInput;
        this.partitionGrouping = partitionGrouping;
    }

    /**
     * The velo sink around {@code delegate}, as the planner must see it: implementing {@link
     * DynamicTableSink} and each sink ability the delegate implements, no other.
     *
     * @param physicalRowType the table's physical columns (what the sink consumes until metadata
     *     columns are applied)
     * @param hasPrimaryKey whether the table declares a primary key
     */
    static DynamicTableSink wrap(
            DynamicTableSink delegate,
            VeloTableSettings settings,
            DataType physicalRowType,
            boolean hasPrimaryKey) {
        return SinkAbilityProxy.create(
                new VeloDynamicTableSink(
                        delegate, settings, hasPrimaryKey, physicalRowType, false, false));
    }

    DynamicTableSink delegate() {
        return delegate;
    }

    DataType consumedRowType() {
        return consumedRowType;
    }

    /** Called after the delegate accepted {@code applyWritableMetadata}: the consumed row grows. */
    void metadataApplied(DataType consumedDataType) {
        this.consumedRowType = consumedDataType;
    }

    /** Called after the delegate answered {@code requiresPartitionGrouping}. */
    void partitionGroupingRequired(boolean required) {
        this.partitionGrouping = required;
    }

    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
        // The planner asks with the changelog mode of the query feeding the sink (a superset of
        // what finally arrives); it asks with an insert-only mode only when the input has no
        // updates or deletes, so one such question is proof of an insert-only input.
        if (requestedMode.containsOnly(RowKind.INSERT)) {
            insertOnlyInput = true;
        }
        return delegate.getChangelogMode(requestedMode);
    }

    /**
     * Whether {@code batch.parallel} may spread the input over the writers: only an insert-only
     * input into a table without a primary key whose sink did not ask for partition grouping. A
     * bounded (batch) plan only has insert-only input. Anything unknown keeps the planner's
     * distribution, so the records of one key stay in their order.
     */
    boolean mayRebalance(boolean bounded) {
        return (bounded || insertOnlyInput) && !hasPrimaryKey && !partitionGrouping;
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
        SinkRuntimeProvider inner = delegate.getSinkRuntimeProvider(context);
        BatchConfig batch = settings.velo.batchConfig();
        FailureConfig failure = settings.velo.sinkFailure();
        boolean rebalance = rebalances(batch, context.isBounded());
        if (inner instanceof SinkV2Provider) {
            SinkV2Provider provider = (SinkV2Provider) inner;
            Sink<RowData> wrapped = VeloSink.wrap(provider.createSink(), sinkSettings());
            Integer parallelism = provider.getParallelism().orElse(null);
            if (!rebalance) {
                return SinkV2Provider.of(wrapped, parallelism);
            }
            return new DataStreamSinkProvider() {
                @Override
                public DataStreamSink<?> consumeDataStream(
                        ProviderContext providerContext, DataStream<RowData> dataStream) {
                    // named after the table, as the planner names the sinks it creates itself
                    DataStreamSink<RowData> sink =
                            dataStream
                                    .rebalance()
                                    .sinkTo(wrapped)
                                    .name("velo-sink[" + settings.tableName + "]");
                    if (parallelism != null) {
                        sink.setParallelism(parallelism);
                    }
                    // the planner's uid of a table sink (<id>_sink when it hands one out): the
                    // writer keeps its uid whether or not velo rebalances in front of it
                    providerContext.generateUid(SINK_UID).ifPresent(sink::uid);
                    return sink;
                }

                @Override
                public Optional<Integer> getParallelism() {
                    return Optional.ofNullable(parallelism);
                }
            };
        }
        if (!(inner instanceof DataStreamSinkProvider)
                && !(inner instanceof SinkFunctionProvider)) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': connector '%s' provides a %s, which flink-velo cannot"
                                    + " wrap. Supported are connectors with a Sink (V2) writer, a"
                                    + " DataStream sink or a sink function.",
                            settings.tableName,
                            settings.delegateConnector,
                            inner.getClass().getName()));
        }
        // A DataStream topology (filesystem) has no writer flink-velo can put failure handling
        // around: batching only. A legacy sink function (print) runs in velo's own sink operator,
        // which writes record by record under the failure strategy.
        if (inner instanceof DataStreamSinkProvider
                && failure.strategy() != FailureStrategy.FAIL_BATCH) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': '%s' = '%s' cannot be honoured for connector '%s':"
                                    + " its writer is a DataStream topology flink-velo cannot"
                                    + " wrap, so write failures always fail the job. Use"
                                    + " FailBatch (the default) or a connector with a Sink (V2)"
                                    + " writer (kafka, upsert-kafka, print, blackhole).",
                            settings.tableName,
                            FailureOptions.FAILURE_STRATEGY.key(),
                            failure.strategy().displayName(),
                            settings.delegateConnector));
        }
        if (inner instanceof SinkFunctionProvider
                && failure.mayDeadLetter()
                && settings.dlq instanceof DeadLetterWriterFactory.Committing) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': an exactly-once DLQ ('%s' = 'exactly-once') needs a"
                                    + " sink with a Sink (V2) writer to commit its transactions"
                                    + " with; connector '%s' writes through a legacy sink"
                                    + " function. Use 'at-least-once' for this table's DLQ.",
                            settings.tableName,
                            DlqOptions.DLQ_DELIVERY_GUARANTEE.key(),
                            settings.delegateConnector));
        }
        Optional<Integer> parallelism =
                inner instanceof DataStreamSinkProvider
                        ? ((DataStreamSinkProvider) inner).getParallelism()
                        : ((SinkFunctionProvider) inner).getParallelism();
        return new DataStreamSinkProvider() {
            @Override
            public DataStreamSink<?> consumeDataStream(
                    ProviderContext providerContext, DataStream<RowData> dataStream) {
                DataStream<RowData> input = rebalance ? dataStream.rebalance() : dataStream;
                DataStream<RowData> batched =
                        batch.isEnabled()
                                ? StreamBatching.apply(
                                        input,
                                        batch,
                                        settings.tableName,
                                        "sink",
                                        input.getType(),
                                        providerContext)
                                : input;
                if (inner instanceof DataStreamSinkProvider) {
                    return ((DataStreamSinkProvider) inner)
                            .consumeDataStream(providerContext, batched);
                }
                DataStreamSink<RowData> sink =
                        LegacySinks.add(
                                        batched,
                                        new VeloSinkFunctionOperator(
                                                ((SinkFunctionProvider) inner).createSinkFunction(),
                                                settings.tableName,
                                                failure,
                                                encoder(),
                                                settings.dlq,
                                                batch.maxBatchSize(),
                                                hasPrimaryKey))
                                .name(settings.tableName);
                parallelism.ifPresent(sink::setParallelism);
                // the uid the planner gives the plain table's sink function: its state (the
                // wrapped function's) maps back when velo is added to or removed from a table
                providerContext.generateUid(SINK_UID).ifPresent(sink::uid);
                return sink;
            }

            @Override
            public Optional<Integer> getParallelism() {
                return parallelism;
            }
        };
    }

    private DeadLetterEncoder<RowData> encoder() {
        return settings.sinkPayloadEncoder(consumedRowType);
    }

    private VeloSinkSettings<RowData> sinkSettings() {
        return VeloSinkSettings.<RowData>builder()
                .tableName(settings.tableName)
                .batchConfig(settings.velo.batchConfig())
                .failureConfig(settings.velo.sinkFailure())
                .deadLetterWriterFactory(settings.dlq)
                .encoder(encoder())
                .sizeEstimator(RecordSizeEstimators.forRowData(consumedRowType.getLogicalType()))
                .keyedByPrimaryKey(hasPrimaryKey)
                .build();
    }

    private boolean rebalances(BatchConfig batch, boolean bounded) {
        boolean parallel =
                batch.isEnabled()
                        && batch.strategy() instanceof BatchStrategy.MegaBatch
                        && ((BatchStrategy.MegaBatch) batch.strategy()).parallel();
        if (parallel && !mayRebalance(bounded)) {
            LOG.info(
                    "Table '{}': '{}' = 'true' does not rebalance here: the input is"
                            + " not known to be insert-only, the table has a primary key or the"
                            + " sink groups by partition, so records keep the planner's"
                            + " distribution and the order of each key.",
                    settings.tableName,
                    BatchOptions.PARALLEL.key());
        }
        return parallel && mayRebalance(bounded);
    }

    @Override
    public DynamicTableSink copy() {
        return SinkAbilityProxy.create(copyOfThis());
    }

    /** This sink around a copy of the delegate, with the same velo state. */
    VeloDynamicTableSink copyOfThis() {
        return new VeloDynamicTableSink(
                delegate.copy(),
                settings,
                hasPrimaryKey,
                consumedRowType,
                insertOnlyInput,
                partitionGrouping);
    }

    @Override
    public String asSummaryString() {
        return "velo(" + delegate.asSummaryString() + ")";
    }
}
