package dev.velo.flink.batching.api;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.operator.BatchFunction;
import dev.velo.flink.batching.sink.VeloSink;
import dev.velo.flink.batching.sink.VeloSinkSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.AbstractRichFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * What the retry ITCases that stop a job with records waiting for a retry share: a function and a
 * Sink V2 writer that refuse records retriably while the test says so, and the static signals they
 * and the test read (the jobs run in the test's JVM). Sized for a first job of 2 subtasks.
 */
final class RetryRefusals {

    private static final int SUBTASKS = 2;

    // the function or writer refuses every record
    static final AtomicBoolean REFUSE = new AtomicBoolean();
    // calls refused, per subtask of the first job
    static final AtomicIntegerArray REFUSED = new AtomicIntegerArray(SUBTASKS);
    static final Set<Long> REFUSED_VALUES = ConcurrentHashMap.newKeySet();
    // records the source emitted, per subtask of the first job
    static final AtomicIntegerArray EMITTED = new AtomicIntegerArray(SUBTASKS);
    static final List<Long> WRITTEN = new CopyOnWriteArrayList<>();

    private RetryRefusals() {}

    /** Where the records waiting for a retry are kept. */
    enum Path {
        /** The DataStream batching stage: the operator list state {@code velo-retry-queue}. */
        STAGE,
        /** A velo sink over a Sink V2 writer: its writer state. */
        SINK
    }

    /**
     * The environment of a job at {@code parallelism}, restored from {@code savepoint} when not
     * null; no restarts: a failure of a job is a failure of the test.
     */
    static StreamExecutionEnvironment environment(int parallelism, @Nullable String savepoint) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.setMaxParallelism(128);
        return env;
    }

    /**
     * Writes {@code source} where {@code path} keeps the records waiting for a retry, refusing them
     * while {@link #REFUSE} is set, with a fixed {@code backoff}: a stage (uid {@code retrying})
     * whose batches never fill up (1,000 records, 50 ms timeout), so no batch waits for the retry
     * in place before a savepoint, into a list sink (uid {@code written}); or a velo sink (uid
     * {@code velo-sink}) over the list sink, one unconfirmed write at a time.
     */
    static void writeRefusing(Path path, DataStream<Long> source, Duration backoff) {
        if (path == Path.STAGE) {
            BatchConfig batch =
                    BatchConfig.builder()
                            .strategy(new BatchStrategy.FixedSize(1000))
                            .batchTimeout(Duration.ofMillis(50))
                            .build();
            VeloBatching.of(source, batch)
                    .withFailureConfig(ItSupport.fixedBackoff(backoff))
                    .named("retrying")
                    .uid("retrying")
                    .process(new RefusingBatches(), Types.LONG)
                    .output()
                    .sinkTo(new ListSink(false))
                    .uid("written");
        } else {
            VeloSinkSettings<Long> settings =
                    VeloSinkSettings.<Long>builder()
                            .tableName("refusing")
                            .batchConfig(BatchConfig.disabled())
                            .maxUnconfirmedWrites(1)
                            .failureConfig(ItSupport.fixedBackoff(backoff))
                            .build();
            source.sinkTo(VeloSink.wrap(new ListSink(true), settings))
                    .name("velo-sink")
                    .uid("velo-sink");
        }
    }

    /** Before each test: nothing refused, emitted or written. */
    static void reset() {
        REFUSE.set(false);
        for (int i = 0; i < SUBTASKS; i++) {
            REFUSED.set(i, 0);
            EMITTED.set(i, 0);
        }
        REFUSED_VALUES.clear();
        WRITTEN.clear();
    }

    /** Refuses {@code values} retriably while {@link #REFUSE} is set, noting the subtask. */
    static void refuseIfTold(int subtask, List<Long> values) throws IOException {
        if (REFUSE.get()) {
            REFUSED_VALUES.addAll(values);
            REFUSED.incrementAndGet(subtask);
            throw new IOException("transient: refused while the test says so");
        }
    }

    /** The stage's function: passes a batch on, or refuses it. */
    static final class RefusingBatches extends AbstractRichFunction
            implements BatchFunction<Long, Long> {
        @Override
        public void processBatch(List<Long> batch, Collector<Long> out) throws Exception {
            refuseIfTold(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), batch);
            batch.forEach(out::collect);
        }
    }

    /** Collects what reaches it in {@link #WRITTEN}; refuses writes when {@code refuses}. */
    static final class ListSink implements Sink<Long> {
        private final boolean refuses;

        ListSink(boolean refuses) {
            this.refuses = refuses;
        }

        @Override
        public SinkWriter<Long> createWriter(WriterInitContext context) {
            int subtask = context.getTaskInfo().getIndexOfThisSubtask();
            return new SinkWriter<>() {
                @Override
                public void write(Long x, Context context) throws IOException {
                    if (refuses) {
                        refuseIfTold(subtask, List.of(x));
                    }
                    WRITTEN.add(x);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
