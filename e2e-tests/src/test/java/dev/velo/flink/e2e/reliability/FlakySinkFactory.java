package dev.velo.flink.e2e.reliability;

import java.io.IOException;
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
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * Test connector {@code 'connector' = 'e2e-flaky-sink'}: a Sink V2 writer whose first N flushes
 * (over all subtasks) throw a transient IOException and lose what was written since the last flush,
 * like a store that drops unflushed writes. Records every flush attempt's time so a test can
 * measure the waits between retries.
 */
public class FlakySinkFactory implements DynamicTableSinkFactory {

    static final ConfigOption<String> SINK_ID =
            ConfigOptions.key("sink-id").stringType().noDefaultValue();

    static final ConfigOption<Integer> TRANSIENT_FLUSH_FAILURES =
            ConfigOptions.key("transient-flush-failures").intType().defaultValue(0);

    private static final Map<String, List<Long>> RESULTS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> FAILURES_LEFT = new ConcurrentHashMap<>();
    private static final Map<String, List<Long>> FAILURE_NANOS = new ConcurrentHashMap<>();
    private static final Map<String, List<Long>> SUCCESS_NANOS = new ConcurrentHashMap<>();

    /** The first column of every row made durable by a successful flush. */
    static List<Long> results(String id) {
        return RESULTS.getOrDefault(id, Collections.emptyList());
    }

    /** {@link System#nanoTime()} of each failed flush, in order. */
    static List<Long> failureNanos(String id) {
        return FAILURE_NANOS.getOrDefault(id, Collections.emptyList());
    }

    /** {@link System#nanoTime()} of each successful non-empty flush, in order. */
    static List<Long> successNanos(String id) {
        return SUCCESS_NANOS.getOrDefault(id, Collections.emptyList());
    }

    @Override
    public String factoryIdentifier() {
        return "e2e-flaky-sink";
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(SINK_ID);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(TRANSIENT_FLUSH_FAILURES);
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        String id = options.get(SINK_ID);
        RESULTS.putIfAbsent(id, new CopyOnWriteArrayList<>());
        FAILURE_NANOS.putIfAbsent(id, new CopyOnWriteArrayList<>());
        SUCCESS_NANOS.putIfAbsent(id, new CopyOnWriteArrayList<>());
        FAILURES_LEFT.putIfAbsent(id, new AtomicInteger(options.get(TRANSIENT_FLUSH_FAILURES)));
        return new TableSink(id);
    }

    private static final class TableSink implements DynamicTableSink {
        private final String id;

        TableSink(String id) {
            this.id = id;
        }

        @Override
        public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
            return ChangelogMode.insertOnly();
        }

        @Override
        public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
            return SinkV2Provider.of(new FlakySink(id));
        }

        @Override
        public DynamicTableSink copy() {
            return new TableSink(id);
        }

        @Override
        public String asSummaryString() {
            return "e2e-flaky-sink";
        }
    }

    private static final class FlakySink implements Sink<RowData> {
        private final String id;

        FlakySink(String id) {
            this.id = id;
        }

        @Override
        public SinkWriter<RowData> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                private final List<Long> pending = new ArrayList<>();

                @Override
                public void write(RowData row, Context ctx) {
                    pending.add(row.getLong(0));
                }

                @Override
                public void flush(boolean endOfInput) throws IOException {
                    if (pending.isEmpty()) {
                        return;
                    }
                    long now = System.nanoTime();
                    if (FAILURES_LEFT.get(id).getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        FAILURE_NANOS.get(id).add(now);
                        pending.clear();
                        throw new IOException("transient flush failure");
                    }
                    SUCCESS_NANOS.get(id).add(now);
                    RESULTS.get(id).addAll(pending);
                    pending.clear();
                }

                @Override
                public void close() {}
            };
        }
    }
}
