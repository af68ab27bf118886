package dev.velo.flink.sql.factory;

import dev.velo.flink.sql.internal.DecodingOperator;
import dev.velo.flink.sql.internal.StreamBatching;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;

/**
 * A velo table read as a source: the wrapped connector's source, then (when configured) flink-velo
 * decoding with {@code source.failure_strategy} and source-side batching.
 */
@Internal
final class VeloDynamicTableSource implements ScanTableSource {

    private final ScanTableSource delegate;
    private final VeloTableSettings settings;
    @Nullable private final SourceDecoding decoding;
    private final DataType physicalRowType;

    VeloDynamicTableSource(
            ScanTableSource delegate,
            VeloTableSettings settings,
            @Nullable SourceDecoding decoding,
            DataType physicalRowType) {
        this.delegate = delegate;
        this.settings = settings;
        this.decoding = decoding;
        this.physicalRowType = physicalRowType;
    }

    @Override
    public ChangelogMode getChangelogMode() {
        return delegate.getChangelogMode();
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        ScanRuntimeProvider inner = delegate.getScanRuntimeProvider(context);
        boolean batching = settings.batchKeysGiven && settings.velo.batchConfig().isEnabled();
        if (decoding == null && !batching) {
            return inner;
        }
        if (!(inner instanceof SourceProvider) && !(inner instanceof DataStreamScanProvider)) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': connector '%s' provides a %s, which flink-velo cannot"
                                    + " wrap for source-side batching or failure handling.",
                            settings.tableName,
                            settings.delegateConnector,
                            inner.getClass().getSimpleName()));
        }
        TypeInformation<RowData> producedType = context.createTypeInformation(physicalRowType);
        DeserializationSchema<RowData> decoder =
                decoding == null ? null : decoding.createDecoder(context, physicalRowType);
        int metadataCount = decoding == null ? 0 : decoding.metadataKeys().size();
        return new DataStreamScanProvider() {
            @Override
            public DataStream<RowData> produceDataStream(
                    ProviderContext providerContext, StreamExecutionEnvironment env) {
                DataStream<RowData> stream = open(inner, providerContext, env);
                if (decoder != null) {
                    SingleOutputStreamOperator<RowData> decoded =
                            stream.transform(
                                    "velo-decode[" + settings.tableName + "]",
                                    producedType,
                                    new DecodingOperator(
                                            settings.tableName,
                                            decoder,
                                            metadataCount > 0,
                                            settings.velo.sourceFailure(),
                                            settings.dlq));
                    providerContext.generateUid("velo-decode").ifPresent(decoded::uid);
                    stream = decoded;
                }
                if (batching) {
                    stream =
                            StreamBatching.apply(
                                    stream,
                                    settings.velo.batchConfig(),
                                    settings.tableName,
                                    "source",
                                    producedType);
                }
                return stream;
            }

            @Override
            public boolean isBounded() {
                return inner.isBounded();
            }
        };
    }

    private DataStream<RowData> open(
            ScanRuntimeProvider inner,
            ProviderContext providerContext,
            StreamExecutionEnvironment env) {
        if (inner instanceof DataStreamScanProvider) {
            return ((DataStreamScanProvider) inner).produceDataStream(providerContext, env);
        }
        SourceProvider provider = (SourceProvider) inner;
        DataStreamSource<RowData> source =
                env.fromSource(
                        provider.createSource(),
                        WatermarkStrategy.noWatermarks(),
                        "velo-source[" + settings.tableName + "]");
        provider.getParallelism().ifPresent(source::setParallelism);
        providerContext.generateUid("source").ifPresent(source::uid);
        return source;
    }

    @Override
    public DynamicTableSource copy() {
        return new VeloDynamicTableSource(
                (ScanTableSource) delegate.copy(), settings, decoding, physicalRowType);
    }

    @Override
    public String asSummaryString() {
        return "velo(" + delegate.asSummaryString() + ")";
    }
}
