package dev.velo.flink.sql.dlq;

import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.connector.RuntimeConverter;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.data.conversion.DataStructureConverter;
import org.apache.flink.table.data.conversion.DataStructureConverters;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * The {@link DynamicTableSink.Context} of a sink flink-velo plans itself (the DLQ connector's sink,
 * a format's encoder for dead-letter payloads): an unbounded, all-columns insert.
 */
@Internal
final class PlanningSinkContext implements DynamicTableSink.Context {

    static final PlanningSinkContext INSTANCE = new PlanningSinkContext();

    private PlanningSinkContext() {}

    @Override
    public boolean isBounded() {
        return false;
    }

    @Override
    public <T> TypeInformation<T> createTypeInformation(DataType consumedDataType) {
        return InternalTypeInfo.of(consumedDataType.getLogicalType());
    }

    @Override
    public <T> TypeInformation<T> createTypeInformation(LogicalType consumedLogicalType) {
        return InternalTypeInfo.of(consumedLogicalType);
    }

    @Override
    public DynamicTableSink.DataStructureConverter createDataStructureConverter(
            DataType consumedDataType) {
        return new Converter(DataStructureConverters.getConverter(consumedDataType));
    }

    @Override
    @SuppressWarnings("deprecation")
    public Optional<int[][]> getTargetColumns() {
        return Optional.empty();
    }

    private static final class Converter implements DynamicTableSink.DataStructureConverter {
        private static final long serialVersionUID = 1L;
        private final DataStructureConverter<Object, Object> converter;

        Converter(DataStructureConverter<Object, Object> converter) {
            this.converter = converter;
        }

        @Override
        public void open(RuntimeConverter.Context context) {
            converter.open(context.getClassLoader());
        }

        @Nullable
        @Override
        public Object toExternal(@Nullable Object internalStructure) {
            return converter.toExternalOrNull(internalStructure);
        }
    }
}
