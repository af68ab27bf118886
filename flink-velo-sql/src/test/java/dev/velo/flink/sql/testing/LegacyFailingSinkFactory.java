package dev.velo.flink.sql.testing;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.functions.sink.legacy.RichSinkFunction;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.legacy.SinkFunctionProvider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * Test connector {@code 'connector' = 'legacy-failing-sink'} whose table sink is a legacy sink
 * function ({@link SinkFunctionProvider}, as Flink 2.3's {@code print}): its {@code invoke} fails
 * for chosen rows permanently ({@code fail-ids}: an {@link IllegalArgumentException}, not
 * retriable), for chosen rows on their first attempts ({@code transient-fail-ids}, {@code
 * transient-attempts}: an {@link IOException}, retriable) and on the first invokes of the sink
 * ({@code transient-failures}; rows of {@code transient-fail-ids} never take those). A successful
 * invoke adds the row's first column to {@link #results}; a failed one adds nothing.
 */
public class LegacyFailingSinkFactory implements DynamicTableSinkFactory {

    public static final ConfigOption<String> SINK_ID =
            ConfigOptions.key("sink-id").stringType().noDefaultValue();

    /** Comma-separated values of the first column whose invoke always fails. */
    public static final ConfigOption<String> FAIL_IDS =
            ConfigOptions.key("fail-ids").stringType().defaultValue("");

    /** Comma-separated values of the first column whose first invokes fail transiently. */
    public static final ConfigOption<String> TRANSIENT_FAIL_IDS =
            ConfigOptions.key("transient-fail-ids").stringType().defaultValue("");

    /** How many invokes of each of {@link #TRANSIENT_FAIL_IDS} fail. */
    public static final ConfigOption<Integer> TRANSIENT_ATTEMPTS =
            ConfigOptions.key("transient-attempts").intType().defaultValue(1);

    /** The first N invokes of the sink (over all subtasks) fail transiently. */
    public static final ConfigOption<Integer> TRANSIENT_FAILURES =
            ConfigOptions.key("transient-failures").intType().defaultValue(0);

    private static final Map<String, List<String>> RESULTS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> FAILURES_LEFT = new ConcurrentHashMap<>();
    private static final Map<String, Map<String, AtomicInteger>> ATTEMPTS =
            new ConcurrentHashMap<>();
    private static final Map<String, AtomicBoolean> WAITING = new ConcurrentHashMap<>();
    private static final Map<String, Set<String>> INVOKE_THREADS = new ConcurrentHashMap<>();
    private static final Map<String, LongConsumer> ON_CHECKPOINT_COMPLETE =
            new ConcurrentHashMap<>();

    /** The first column of every row sink {@code id} received in a successful invoke. */
    public static List<String> results(String id) {
        return RESULTS.getOrDefault(id, Collections.emptyList());
    }

    /** How many invokes sink {@code id} had with the row whose first column is {@code key}. */
    public static int attempts(String id, String key) {
        AtomicInteger n = ATTEMPTS.getOrDefault(id, Map.of()).get(key);
        return n == null ? 0 : n.get();
    }

    /** Whether a row of {@code transient-fail-ids} failed and has not been written since. */
    public static boolean waitingForRetry(String id) {
        AtomicBoolean w = WAITING.get(id);
        return w != null && w.get();
    }

    /** The names of the threads sink {@code id}'s invokes ran on. */
    public static Set<String> invokeThreads(String id) {
        return INVOKE_THREADS.getOrDefault(id, Set.of());
    }

    /** Called with the checkpoint id whenever a checkpoint completes at sink {@code id}. */
    public static void onCheckpointComplete(String id, LongConsumer hook) {
        ON_CHECKPOINT_COMPLETE.put(id, hook);
    }

    public static void reset(String id) {
        RESULTS.put(id, new CopyOnWriteArrayList<>());
        FAILURES_LEFT.remove(id);
        ATTEMPTS.put(id, new ConcurrentHashMap<>());
        WAITING.put(id, new AtomicBoolean());
        INVOKE_THREADS.put(id, ConcurrentHashMap.newKeySet());
        ON_CHECKPOINT_COMPLETE.remove(id);
    }

    @Override
    public String factoryIdentifier() {
        return "legacy-failing-sink";
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(SINK_ID);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(FAIL_IDS, TRANSIENT_FAIL_IDS, TRANSIENT_ATTEMPTS, TRANSIENT_FAILURES);
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        String id = options.get(SINK_ID);
        FAILURES_LEFT.putIfAbsent(id, new AtomicInteger(options.get(TRANSIENT_FAILURES)));
        return new TableSink(
                new Spec(
                        id,
                        ids(options.get(FAIL_IDS)),
                        ids(options.get(TRANSIENT_FAIL_IDS)),
                        options.get(TRANSIENT_ATTEMPTS)));
    }

    private static HashSet<String> ids(String list) {
        return Arrays.stream(list.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(HashSet::new));
    }

    private record Spec(
            String id, HashSet<String> failIds, HashSet<String> transientIds, int attempts)
            implements java.io.Serializable {}

    private static final class TableSink implements DynamicTableSink {
        private final Spec spec;

        TableSink(Spec spec) {
            this.spec = spec;
        }

        @Override
        public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
            return ChangelogMode.insertOnly();
        }

        @Override
        public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
            return SinkFunctionProvider.of(new FailingFunction(spec));
        }

        @Override
        public DynamicTableSink copy() {
            return new TableSink(spec);
        }

        @Override
        public String asSummaryString() {
            return "legacy-failing-sink";
        }
    }

    private static final class FailingFunction extends RichSinkFunction<RowData>
            implements CheckpointListener {
        private static final long serialVersionUID = 1L;
        private final Spec spec;

        FailingFunction(Spec spec) {
            this.spec = spec;
        }

        @Override
        public void invoke(RowData row, Context context) throws Exception {
            String key = FailingSinkFactory.firstColumn(row);
            INVOKE_THREADS.get(spec.id()).add(Thread.currentThread().getName());
            int attempt =
                    ATTEMPTS.get(spec.id())
                            .computeIfAbsent(key, k -> new AtomicInteger())
                            .incrementAndGet();
            if (spec.failIds().contains(key)) {
                throw new IllegalArgumentException("poison record " + key);
            }
            if (spec.transientIds().contains(key)) {
                // these rows fail exactly their first attempts, never by transient-failures
                if (attempt <= spec.attempts()) {
                    WAITING.get(spec.id()).set(true);
                    throw new IOException("transient failure of record " + key);
                }
                WAITING.get(spec.id()).set(false);
            } else if (FAILURES_LEFT.get(spec.id()).getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("transient failure of the sink at record " + key);
            }
            RESULTS.get(spec.id()).add(key);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            LongConsumer hook = ON_CHECKPOINT_COMPLETE.get(spec.id());
            if (hook != null) {
                hook.accept(checkpointId);
            }
        }
    }
}
