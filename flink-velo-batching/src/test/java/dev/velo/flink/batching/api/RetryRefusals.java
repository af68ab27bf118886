package dev.velo.flink.batching.api;

import dev.velo.flink.batching.operator.BatchFunction;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.apache.flink.api.common.functions.AbstractRichFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
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
