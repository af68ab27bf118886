package dev.velo.flink.e2e.suites;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Dead-letter writers of the DataStream sink contexts: they record every dead letter per context
 * (the MiniCluster runs in this JVM), and the context fails its case if any was written, since the
 * suites only write records the sink accepts.
 */
final class DeadLetterRecorder {

    private static final Map<String, List<String>> LETTERS = new ConcurrentHashMap<>();

    private DeadLetterRecorder() {}

    static DeadLetterWriterFactory factory(String key) {
        return context ->
                new DeadLetterWriter() {
                    @Override
                    public void write(DeadLetter letter) {
                        LETTERS.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>())
                                .add(letter.getErrorClass() + ": " + letter.getErrorMessage());
                    }

                    @Override
                    public void flush() {}

                    @Override
                    public void close() {}
                };
    }

    /** Forgets the dead letters of {@code key}; throws if there were any. */
    static void assertNoneAndForget(String key) {
        List<String> letters = LETTERS.remove(key);
        if (letters != null && !letters.isEmpty()) {
            throw new AssertionError(
                    letters.size()
                            + " record(s) of valid test data were dead-lettered by "
                            + key
                            + ", e.g. "
                            + letters.get(0));
        }
    }
}
