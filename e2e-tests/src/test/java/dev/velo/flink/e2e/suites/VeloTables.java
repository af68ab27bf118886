package dev.velo.flink.e2e.suites;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.ScanTableSource.ScanRuntimeProvider;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Builds the runtime parts of a {@code 'connector' = 'velo'} table the way the planner does
 * (through the table factories, from options), so the suites test what a SQL job runs.
 *
 * <p>Every suite table has the columns {@code (v STRING, n BIGINT)}.
 */
final class VeloTables {

    static final ResolvedSchema SCHEMA =
            ResolvedSchema.of(
                    Column.physical("v", DataTypes.STRING()),
                    Column.physical("n", DataTypes.BIGINT()));
    static final RowType ROW_TYPE = (RowType) SCHEMA.toPhysicalRowDataType().getLogicalType();

    private static final RowDataSerializer SERIALIZER = new RowDataSerializer(ROW_TYPE);

    private VeloTables() {}

    static ResolvedCatalogTable table(Map<String, String> options) {
        return new ResolvedCatalogTable(
                CatalogTable.newBuilder()
                        .schema(Schema.newBuilder().fromResolvedSchema(SCHEMA).build())
                        .options(options)
                        .build(),
                SCHEMA);
    }

    static ObjectIdentifier id(String name) {
        return ObjectIdentifier.of("default_catalog", "default_database", name);
    }

    /**
     * The Source a velo table scan reads with: the table source's runtime provider is opened on a
     * throw-away environment and the source of the resulting stream is returned. Stages velo adds
     * after the source (the dead-letter flush before each barrier) are not part of it.
     */
    @SuppressWarnings("unchecked")
    static Source<RowData, ?, ?> scanSource(String name, Map<String, String> options) {
        DynamicTableSource table =
                FactoryUtil.createDynamicTableSource(
                        null,
                        id(name),
                        table(options),
                        Map.of(),
                        new Configuration(),
                        VeloTables.class.getClassLoader(),
                        true);
        ScanRuntimeProvider provider =
                ((ScanTableSource) table).getScanRuntimeProvider(ScanContext.INSTANCE);
        if (provider instanceof SourceProvider) {
            return (Source<RowData, ?, ?>) ((SourceProvider) provider).createSource();
        }
        DataStream<RowData> stream =
                ((DataStreamScanProvider) provider)
                        .produceDataStream(
                                NO_UIDS, StreamExecutionEnvironment.getExecutionEnvironment());
        org.apache.flink.api.dag.Transformation<?> t = stream.getTransformation();
        List<org.apache.flink.api.dag.Transformation<?>> seen = new ArrayList<>();
        while (!(t instanceof SourceTransformation)) {
            seen.add(t);
            if (t.getInputs().size() != 1) {
                throw new IllegalStateException("No single source below " + seen);
            }
            t = t.getInputs().get(0);
        }
        return (Source<RowData, ?, ?>) ((SourceTransformation<?, ?, ?>) t).getSource();
    }

    /** A row {@code (v, n)} as a table sink receives it. */
    static RowData row(String v, long n) {
        return GenericRowData.of(StringData.fromString(v), n);
    }

    /**
     * A row {@code (v, n)} in the binary form the collect sink hands back, so equals holds. The
     * serializer reuses its buffers: one caller at a time.
     */
    static synchronized RowData binaryRow(String v, long n) {
        return SERIALIZER.toBinaryRow((GenericRowData) row(v, n)).copy();
    }

    /** The row as the JSON value a producer would write. */
    static String json(RowData row) {
        return "{\"v\":\"" + row.getString(0) + "\",\"n\":" + row.getLong(1) + "}";
    }

    static TypeInformation<RowData> rowType() {
        return InternalTypeInfo.of(ROW_TYPE);
    }

    private static final ProviderContext NO_UIDS = name -> Optional.empty();

    /** What the planner passes when it asks for the runtime provider of a scan. */
    private enum ScanContext implements ScanTableSource.ScanContext {
        INSTANCE;

        @Override
        public <T> TypeInformation<T> createTypeInformation(DataType producedDataType) {
            return InternalTypeInfo.of(producedDataType.getLogicalType());
        }

        @Override
        public <T> TypeInformation<T> createTypeInformation(LogicalType producedLogicalType) {
            return InternalTypeInfo.of(producedLogicalType);
        }

        @Override
        public DynamicTableSource.DataStructureConverter createDataStructureConverter(
                DataType producedDataType) {
            throw new UnsupportedOperationException("not used by the Kafka source");
        }
    }
}
