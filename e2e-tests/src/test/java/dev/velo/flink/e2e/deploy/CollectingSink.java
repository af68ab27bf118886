package dev.velo.flink.e2e.deploy;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Sink V2 for MiniCluster tests (same JVM): its writers append every record to a list kept under
 * the sink's id, and reject the records named at construction with an {@link IOException}, as a
 * real writer rejects a record the external system refuses.
 */
final class CollectingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private static final Map<String, Queue<Object>> RESULTS = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();
    private final Set<T> rejected;

    private CollectingSink(Set<T> rejected) {
        this.rejected = rejected;
        RESULTS.put(id, new ConcurrentLinkedQueue<>());
    }

    /** A sink accepting every record. */
    static <T> CollectingSink<T> accepting() {
        return new CollectingSink<>(Set.of());
    }

    /** A sink whose writers throw on {@code rejected} records. */
    static <T> CollectingSink<T> rejecting(Set<T> rejected) {
        return new CollectingSink<>(Set.copyOf(rejected));
    }

    /** What the writers accepted so far, over all subtasks. */
    @SuppressWarnings("unchecked")
    List<T> results() {
        return new ArrayList<>((Queue<T>) RESULTS.get(id));
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Queue<Object> into = RESULTS.get(id);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) throws IOException {
                if (rejected.contains(element)) {
                    throw new IOException("the external system refused " + element);
                }
                into.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }

    /** A DLQ that keeps dead letters in memory (same JVM), for {@code VeloSink}. */
    static final class DeadLetters implements DeadLetterWriterFactory {
        private static final long serialVersionUID = 1L;
        private static final Map<String, Queue<DeadLetter>> LETTERS = new ConcurrentHashMap<>();

        private final String id = UUID.randomUUID().toString();

        DeadLetters() {
            LETTERS.put(id, new ConcurrentLinkedQueue<>());
        }

        List<DeadLetter> letters() {
            return new ArrayList<>(LETTERS.get(id));
        }

        @Override
        public DeadLetterWriter create(WriterInitContext context) {
            Queue<DeadLetter> into = LETTERS.get(id);
            return new DeadLetterWriter() {
                @Override
                public void write(DeadLetter deadLetter) {
                    into.add(deadLetter);
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            };
        }
    }
}
