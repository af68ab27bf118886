package dev.velo.flink.sql.factory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.RuntimeConverter;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;

/**
 * A test sink ({@code 'connector' = 'transparency-sink'}) that accepts any changelog and keeps
 * every row it gets, with its row kind ({@code +I[..]}, {@code -U[..]}, …), per {@code sink-id}.
 */
public final class TransparencySinkFactory implements DynamicTableSinkFactory {

    static final ConfigOption<String> SINK_ID =
            ConfigOptions.key("sink-id").stringType().noDefaultValue();

    private static final Map<String, List<String>> RESULTS = new ConcurrentHashMap<>();

    static List<String> results(String id) {
        return RESULTS.getOrDefault(id, List.of());
    }

    @Override
    public String factoryIdentifier() {
        return "transparency-sink";
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(SINK_ID);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of();
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        String id = helper.getOptions().get(SINK_ID);
        RESULTS.putIfAbsent(id, new CopyOnWriteArrayList<>());
        return new TableSink(
                id, context.getCatalogTable().getResolvedSchema().toPhysicalRowDataType());
    }

    private static final class TableSink implements DynamicTableSink {
        private final String id;
        private final DataType rowType;

        TableSink(String id, DataType rowType) {
            this.id = id;
            this.rowType = rowType;
        }

        @Override
        public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
            return requestedMode;
        }

        @Override
        public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
            DataStructureConverter converter = context.createDataStructureConverter(rowType);
            return SinkV2Provider.of(new CollectingSink(id, converter));
        }

        @Override
        public DynamicTableSink copy() {
            return new TableSink(id, rowType);
        }

        @Override
        public String asSummaryString() {
            return "transparency-sink";
        }
    }

    private static final class CollectingSink implements Sink<RowData> {
        private final String id;
        private final DynamicTableSink.DataStructureConverter converter;

        CollectingSink(String id, DynamicTableSink.DataStructureConverter converter) {
            this.id = id;
            this.converter = converter;
        }

        @Override
        public SinkWriter<RowData> createWriter(WriterInitContext context) {
            converter.open(
                    RuntimeConverter.Context.create(
                            TransparencySinkFactory.class.getClassLoader()));
            return new SinkWriter<>() {
                @Override
                public void write(RowData row, Context ctx) {
                    RESULTS.get(id).add(String.valueOf(converter.toExternal(row)));
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
