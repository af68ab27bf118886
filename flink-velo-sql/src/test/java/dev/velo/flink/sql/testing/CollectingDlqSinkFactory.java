package dev.velo.flink.sql.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.types.Row;

/**
 * Test connector {@code 'connector' = 'collecting'} that flink-velo never heard of: a Sink V2
 * writer keeping rows in memory under {@code my-option}, visible in {@link #flushed} once flushed
 * (as a store makes writes durable). {@code my-option} must not be blank.
 */
public class CollectingDlqSinkFactory implements DynamicTableSinkFactory {

    public static final ConfigOption<String> MY_OPTION =
            ConfigOptions.key("my-option").stringType().noDefaultValue();

    private static final Map<String, List<Row>> FLUSHED = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> NON_EMPTY_FLUSHES = new ConcurrentHashMap<>();

    /** How many flushes of the writers of {@code myOption} had rows to make durable. */
    public static int nonEmptyFlushes(String myOption) {
        AtomicInteger n = NON_EMPTY_FLUSHES.get(myOption);
        return n == null ? 0 : n.get();
    }

    /** The rows flushed by the writers of {@code myOption}, as external rows. */
    public static List<Row> flushed(String myOption) {
        return FLUSHED.getOrDefault(myOption, Collections.emptyList());
    }

    @Override
    public String factoryIdentifier() {
        return "collecting";
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(MY_OPTION);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of();
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        String myOption = helper.getOptions().get(MY_OPTION);
        if (myOption.isBlank()) {
            throw new ValidationException("Option 'my-option' must not be blank.");
        }
        return new TableSink(myOption, context.getPhysicalRowDataType());
    }

    private static final class TableSink implements DynamicTableSink {
        private final String myOption;
        private final org.apache.flink.table.types.DataType type;

        TableSink(String myOption, org.apache.flink.table.types.DataType type) {
            this.myOption = myOption;
            this.type = type;
        }

        @Override
        public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
            return ChangelogMode.insertOnly();
        }

        @Override
        public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
            return SinkV2Provider.of(
                    new CollectingSink(myOption, context.createDataStructureConverter(type)));
        }

        @Override
        public DynamicTableSink copy() {
            return new TableSink(myOption, type);
        }

        @Override
        public String asSummaryString() {
            return "collecting";
        }
    }

    private static final class CollectingSink implements Sink<RowData> {
        private final String myOption;
        private final DynamicTableSink.DataStructureConverter converter;

        CollectingSink(String myOption, DynamicTableSink.DataStructureConverter converter) {
            this.myOption = myOption;
            this.converter = converter;
        }

        @Override
        public SinkWriter<RowData> createWriter(WriterInitContext context) {
            converter.open(
                    org.apache.flink.table.connector.RuntimeConverter.Context.create(
                            context.getUserCodeClassLoader().asClassLoader()));
            List<Row> pending = new ArrayList<>();
            return new SinkWriter<>() {
                @Override
                public void write(RowData element, Context ctx) {
                    pending.add((Row) converter.toExternal(element));
                }

                @Override
                public void flush(boolean endOfInput) {
                    if (!pending.isEmpty()) {
                        NON_EMPTY_FLUSHES
                                .computeIfAbsent(myOption, k -> new AtomicInteger())
                                .incrementAndGet();
                    }
                    FLUSHED.computeIfAbsent(myOption, k -> new CopyOnWriteArrayList<>())
                            .addAll(pending);
                    pending.clear();
                }

                @Override
                public void close() {}
            };
        }
    }
}
