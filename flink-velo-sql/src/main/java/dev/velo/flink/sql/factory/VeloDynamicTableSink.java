package dev.velo.flink.sql.factory;

import dev.velo.flink.batching.batcher.RecordSizeEstimators;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.sink.VeloSink;
import dev.velo.flink.batching.sink.VeloSinkSettings;
import dev.velo.flink.sql.internal.StreamBatching;
import dev.velo.flink.sql.internal.VeloSinkFunction;
import java.util.Map;
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
import org.apache.flink.table.connector.sink.abilities.SupportsOverwrite;
import org.apache.flink.table.connector.sink.abilities.SupportsPartitioning;
import org.apache.flink.table.connector.sink.legacy.SinkFunctionProvider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;

/**
 * A velo table written as a sink: rows are batched with the table's strategy and written to the
 * wrapped connector's writer under the table's failure strategy, with dead letters to the DLQ.
 */
@Internal
final class VeloDynamicTableSink
        implements DynamicTableSink, SupportsPartitioning, SupportsOverwrite {

    private final DynamicTableSink delegate;
    private final VeloTableSettings settings;
    private final DataType consumedRowType;

    VeloDynamicTableSink(
            DynamicTableSink delegate, VeloTableSettings settings, DataType consumedRowType) {
        this.delegate = delegate;
        this.settings = settings;
        this.consumedRowType = consumedRowType;
    }

    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
        return delegate.getChangelogMode(requestedMode);
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
        SinkRuntimeProvider inner = delegate.getSinkRuntimeProvider(context);
        BatchConfig batch = settings.velo.batchConfig();
        FailureConfig failure = settings.velo.sinkFailure();
        boolean rebalance =
                batch.isEnabled()
                        && batch.strategy() instanceof BatchStrategy.MegaBatch
                        && ((BatchStrategy.MegaBatch) batch.strategy()).parallel();
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
                    providerContext.generateUid("velo-sink").ifPresent(sink::uid);
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
        // around: batching only. A legacy sink function (print) is wrapped per record.
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
                                        input, batch, settings.tableName, "sink", input.getType())
                                : input;
                if (inner instanceof DataStreamSinkProvider) {
                    return ((DataStreamSinkProvider) inner)
                            .consumeDataStream(providerContext, batched);
                }
                DataStreamSink<RowData> sink =
                        batched.addSink(
                                        new VeloSinkFunction(
                                                ((SinkFunctionProvider) inner).createSinkFunction(),
                                                settings.tableName,
                                                failure,
                                                encoder(),
                                                settings.dlq))
                                .name(settings.tableName);
                parallelism.ifPresent(sink::setParallelism);
                providerContext.generateUid("velo-sink-function").ifPresent(sink::uid);
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
                .sizeEstimator(RecordSizeEstimators.forRowData())
                .build();
    }

    @Override
    public void applyStaticPartition(Map<String, String> partition) {
        if (!(delegate instanceof SupportsPartitioning)) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': connector '%s' does not support partitioned writes.",
                            settings.tableName, settings.delegateConnector));
        }
        ((SupportsPartitioning) delegate).applyStaticPartition(partition);
    }

    @Override
    public boolean requiresPartitionGrouping(boolean supportsGrouping) {
        return delegate instanceof SupportsPartitioning
                && ((SupportsPartitioning) delegate).requiresPartitionGrouping(supportsGrouping);
    }

    @Override
    public void applyOverwrite(boolean overwrite) {
        if (!(delegate instanceof SupportsOverwrite)) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': connector '%s' does not support INSERT OVERWRITE.",
                            settings.tableName, settings.delegateConnector));
        }
        ((SupportsOverwrite) delegate).applyOverwrite(overwrite);
    }

    @Override
    public DynamicTableSink copy() {
        return new VeloDynamicTableSink(delegate.copy(), settings, consumedRowType);
    }

    @Override
    public String asSummaryString() {
        return "velo(" + delegate.asSummaryString() + ")";
    }
}
