package dev.velo.flink.sql.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
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
 * Test connector {@code 'connector' = 'failing-sink'}: a Sink V2 writer that fails on chosen
 * records (permanently) and transiently on the first writes or flushes. Rows reach {@link #results}
 * only when a flush succeeds, as with a real store that loses unflushed writes.
 */
public class FailingSinkFactory implements DynamicTableSinkFactory {

    public static final ConfigOption<String> SINK_ID =
            ConfigOptions.key("sink-id").stringType().noDefaultValue();

    /** Comma-separated values of the first column whose write fails permanently. */
    public static final ConfigOption<String> FAIL_IDS =
            ConfigOptions.key("fail-ids").stringType().defaultValue("");

    /** The first N writes (over all subtasks) throw a transient IOException. */
    public static final ConfigOption<Integer> TRANSIENT_WRITE_FAILURES =
            ConfigOptions.key("transient-write-failures").intType().defaultValue(0);

    /** The first N flushes (over all subtasks) throw a transient IOException. */
    public static final ConfigOption<Integer> TRANSIENT_FLUSH_FAILURES =
            ConfigOptions.key("transient-flush-failures").intType().defaultValue(0);

    private static final Map<String, List<String>> RESULTS = new ConcurrentHashMap<>();
    private static final Map<String, List<Integer>> FLUSH_SIZES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> WRITE_FAILURES_LEFT = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> FLUSH_FAILURES_LEFT = new ConcurrentHashMap<>();
    private static final Map<String, List<Long>> FAILURE_NANOS = new ConcurrentHashMap<>();
    private static final Map<String, List<Long>> SUCCESS_NANOS = new ConcurrentHashMap<>();

    /** The first column of every row durably written by sink {@code id}, as strings. */
    public static List<String> results(String id) {
        return RESULTS.getOrDefault(id, Collections.emptyList());
    }

    /** Number of rows each successful non-empty flush of sink {@code id} made durable. */
    public static List<Integer> flushSizes(String id) {
        return FLUSH_SIZES.getOrDefault(id, Collections.emptyList());
    }

    /** {@link System#nanoTime()} of each transient failure of sink {@code id}, in order. */
    public static List<Long> failureNanos(String id) {
        return FAILURE_NANOS.getOrDefault(id, Collections.emptyList());
    }

    /** {@link System#nanoTime()} of each successful non-empty flush of sink {@code id}. */
    public static List<Long> successNanos(String id) {
        return SUCCESS_NANOS.getOrDefault(id, Collections.emptyList());
    }

    public static void reset(String id) {
        RESULTS.remove(id);
        FLUSH_SIZES.remove(id);
        WRITE_FAILURES_LEFT.remove(id);
        FLUSH_FAILURES_LEFT.remove(id);
        FAILURE_NANOS.remove(id);
        SUCCESS_NANOS.remove(id);
    }

    @Override
    public String factoryIdentifier() {
        return "failing-sink";
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(SINK_ID);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(FAIL_IDS, TRANSIENT_WRITE_FAILURES, TRANSIENT_FLUSH_FAILURES);
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        String id = options.get(SINK_ID);
        RESULTS.putIfAbsent(id, new CopyOnWriteArrayList<>());
        FLUSH_SIZES.putIfAbsent(id, new CopyOnWriteArrayList<>());
        FAILURE_NANOS.putIfAbsent(id, new CopyOnWriteArrayList<>());
        SUCCESS_NANOS.putIfAbsent(id, new CopyOnWriteArrayList<>());
        WRITE_FAILURES_LEFT.putIfAbsent(
                id, new AtomicInteger(options.get(TRANSIENT_WRITE_FAILURES)));
        FLUSH_FAILURES_LEFT.putIfAbsent(
                id, new AtomicInteger(options.get(TRANSIENT_FLUSH_FAILURES)));
        HashSet<String> failIds =
                Arrays.stream(options.get(FAIL_IDS).split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .collect(Collectors.toCollection(HashSet::new));
        return new TableSink(id, failIds);
    }

    private static final class TableSink implements DynamicTableSink {
        private final String id;
        private final HashSet<String> failIds;

        TableSink(String id, HashSet<String> failIds) {
            this.id = id;
            this.failIds = failIds;
        }

        @Override
        public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
            return ChangelogMode.insertOnly();
        }

        @Override
        public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
            return SinkV2Provider.of(new FailingSink(id, failIds));
        }

        @Override
        public DynamicTableSink copy() {
            return new TableSink(id, failIds);
        }

        @Override
        public String asSummaryString() {
            return "failing-sink";
        }
    }

    private static final class FailingSink implements Sink<RowData> {
        private final String id;
        private final HashSet<String> failIds;

        FailingSink(String id, HashSet<String> failIds) {
            this.id = id;
            this.failIds = failIds;
        }

        @Override
        public SinkWriter<RowData> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                private final List<String> pending = new ArrayList<>();

                @Override
                public void write(RowData row, Context ctx) throws IOException {
                    String key = firstColumn(row);
                    if (failIds.contains(key)) {
                        throw new IllegalArgumentException("poison record " + key);
                    }
                    if (WRITE_FAILURES_LEFT.get(id).getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        FAILURE_NANOS.get(id).add(System.nanoTime());
                        // like a real client whose connection broke: unflushed writes are lost
                        pending.clear();
                        throw new IOException("transient write failure of record " + key);
                    }
                    pending.add(key);
                }

                @Override
                public void flush(boolean endOfInput) throws IOException {
                    if (pending.isEmpty()) {
                        return;
                    }
                    if (FLUSH_FAILURES_LEFT.get(id).getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        FAILURE_NANOS.get(id).add(System.nanoTime());
                        pending.clear();
                        throw new IOException("transient flush failure");
                    }
                    SUCCESS_NANOS.get(id).add(System.nanoTime());
                    RESULTS.get(id).addAll(pending);
                    FLUSH_SIZES.get(id).add(pending.size());
                    pending.clear();
                }

                @Override
                public void close() {}
            };
        }
    }

    static String firstColumn(RowData row) {
        try {
            return String.valueOf(row.getLong(0));
        } catch (ClassCastException e) {
            return row.getString(0).toString();
        }
    }
}
