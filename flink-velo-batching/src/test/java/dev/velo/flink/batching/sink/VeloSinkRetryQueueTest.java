package dev.velo.flink.batching.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A velo sink under RetryWithBackoff inside Flink's real sink-writer operator (processing time
 * driven by the harness): a failed write does not wait on the task thread, the records waiting for
 * the retry and those behind it are the writer state, and a restore writes them first, in order.
 */
class VeloSinkRetryQueueTest {

    private static final Map<String, List<String>> WRITES = new ConcurrentHashMap<>();
    private static final Set<String> FAILED = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final AtomicInteger ATTEMPTS_OF_NEVER = new AtomicInteger();
    private static final long BACKOFF = 30_000;

    /** Writes into {@link #WRITES}; the first write of "flaky" fails with a retriable error. */
    static final class FlakySink implements Sink<String> {
        final String id;

        FlakySink(String id) {
            this.id = id;
            WRITES.put(id, new CopyOnWriteArrayList<>());
        }

        @Override
        public SinkWriter<String> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(String element, Context context) throws IOException {
                    if (element.equals("flaky") && FAILED.add(id)) {
                        throw new IOException("transient");
                    }
                    if (element.equals("never")) {
                        ATTEMPTS_OF_NEVER.incrementAndGet();
                        throw new IOException("still down");
                    }
                    WRITES.get(id).add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    private static Sink<String> sink(String id) {
        FailureConfig retry =
                FailureConfig.builder()
                        .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                        .maxRetries(3)
                        .retryBackoff(Duration.ofMillis(BACKOFF))
                        .retryBackoffMax(Duration.ofMillis(BACKOFF))
                        .retryJitter(0)
                        .build();
        return VeloSink.wrap(
                new FlakySink(id),
                VeloSinkSettings.<String>builder()
                        .tableName("out")
                        .batchConfig(
                                BatchConfig.builder()
                                        .strategy(new BatchStrategy.FixedSize(2))
                                        .batchTimeout(Duration.ofMillis(1000))
                                        .build())
                        .failureConfig(retry)
                        .build());
    }

    private static OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> harness(
            Sink<String> sink) throws Exception {
        OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                new OneInputStreamOperatorTestHarness<>(
                        new SinkWriterOperatorFactory<>(sink), StringSerializer.INSTANCE);
        h.setProcessingTime(0);
        return h;
    }

    @Test
    void aFailedWriteWaitsForItsRetryOnATimerAndLaterRecordsQueueBehindIt() throws Exception {
        String id = "r" + IDS.incrementAndGet();
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(sink(id))) {
            h.open();
            h.processElement("a", 1);
            h.processElement("flaky", 2);
            // returned at once: the batch waits for its retry (written again whole: a and flaky)
            assertThat(WRITES.get(id)).containsExactly("a");
            h.processElement("b", 3);
            h.processElement("c", 4);
            assertThat(WRITES.get(id)).as("nothing overtakes the retry").containsExactly("a");
            // the barrier does not wait for the retry
            h.prepareSnapshotPreBarrier(1);
            h.snapshot(1, 1);
            h.setProcessingTime(BACKOFF - 1);
            assertThat(WRITES.get(id)).containsExactly("a");
            h.setProcessingTime(BACKOFF);
            assertThat(WRITES.get(id)).containsExactly("a", "a", "flaky", "b", "c");
        }
    }

    @Test
    void theRecordsWaitingAreTheWriterStateAndARestoreWritesThemFirst() throws Exception {
        String id = "r" + IDS.incrementAndGet();
        Sink<String> sink = sink(id);
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(sink)) {
            h.open();
            h.processElement("a", 1);
            h.processElement("flaky", 2);
            h.processElement("b", 3);
            h.processElement("c", 4);
            h.processElement("d", 5);
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
        }
        assertThat(WRITES.get(id)).containsExactly("a");
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(sink)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement("e", 6);
            h.processElement("f", 7);
            assertThat(WRITES.get(id)).as("restored records go first").containsExactly("a");
            h.setProcessingTime(1);
            h.prepareSnapshotPreBarrier(2);
            assertThat(WRITES.get(id)).containsExactly("a", "a", "flaky", "b", "c", "d", "e", "f");
        }
    }

    @Test
    void aStateOfTheDelegatesSerializerAndRetriesRoundTrip() throws Exception {
        String id = "r" + IDS.incrementAndGet();
        Sink<String> sink = sink(id);
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(sink)) {
            h.open();
            h.processElement("x", 1);
            h.processElement("y", 2);
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
        }
        // nothing waits: the restore writes nothing again
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(sink)) {
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(BACKOFF * 2);
            h.endInput();
        }
        assertThat(WRITES.get(id).stream().collect(Collectors.toList())).containsExactly("x", "y");
    }

    @Test
    void aSavepointOfTheSinkWithoutVeloRestoresAsTheDelegatesState() throws Exception {
        String id = "r" + IDS.incrementAndGet();
        OperatorSubtaskState snapshot;
        // the job before velo: the wrapped sink alone, its state written by its own serializer
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(new VeloSinkTest.TransactionalSink(id))) {
            h.open();
            h.processElement("a", 1);
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
        }
        Sink<String> velo =
                VeloSink.wrap(
                        new VeloSinkTest.TransactionalSink(id),
                        VeloSinkSettings.<String>builder().tableName("out").build());
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(velo)) {
            h.initializeState(snapshot);
            h.open();
        }
        assertThat(VeloSinkTest.EVENTS.get(id)).contains("restored:[state-1]");
    }

    @Test
    void withADlqThatCommitsTheRecordsWaitingAreStateNextToTheDlqsAndRestoreFirst()
            throws Exception {
        String id = "r" + IDS.incrementAndGet();
        Sink<String> sink =
                VeloSink.wrap(
                        new FlakySink(id),
                        VeloSinkSettings.<String>builder()
                                .tableName("out")
                                .batchConfig(
                                        BatchConfig.builder()
                                                .strategy(new BatchStrategy.FixedSize(2))
                                                .batchTimeout(Duration.ofMillis(1000))
                                                .build())
                                .failureConfig(
                                        FailureConfig.builder()
                                                .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                                                .maxRetries(3)
                                                .retryBackoff(Duration.ofMillis(BACKOFF))
                                                .retryBackoffMax(Duration.ofMillis(BACKOFF))
                                                .retryJitter(0)
                                                .build())
                                .deadLetterWriterFactory(new DlqCommittingSinkTest.TxDlqFactory(id))
                                .build());
        assertThat(sink).isInstanceOf(DlqCommittingSink.class);
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(sink)) {
            h.open();
            h.processElement("flaky", 1);
            h.processElement("b", 2);
            h.processElement("c", 3);
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
        }
        assertThat(WRITES.get(id)).isEmpty();
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(sink)) {
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(1);
        }
        assertThat(DlqCommittingSinkTest.DLQ_EVENTS.get(id))
                .anyMatch(e -> e.startsWith("restore:[dlq-state-1]"));
        assertThat(WRITES.get(id)).containsExactly("flaky", "b", "c");
    }

    @Test
    void exhaustedRetriesGoToRetryExhaustedAndTheRecordsBehindGoOn() throws Exception {
        String id = "r" + IDS.incrementAndGet();
        ATTEMPTS_OF_NEVER.set(0);
        Sink<String> sink =
                VeloSink.wrap(
                        new FlakySink(id),
                        VeloSinkSettings.<String>builder()
                                .tableName("out")
                                .batchConfig(BatchConfig.disabled())
                                .maxUnconfirmedWrites(1)
                                .failureConfig(
                                        FailureConfig.builder()
                                                .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                                                .retryExhaustedStrategy(
                                                        FailureStrategy.LOG_AND_CONTINUE)
                                                .maxRetries(2)
                                                .retryBackoff(Duration.ofMillis(BACKOFF))
                                                .retryBackoffMax(Duration.ofMillis(BACKOFF))
                                                .retryJitter(0)
                                                .build())
                                .build());
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(sink)) {
            h.open();
            h.processElement("a", 1);
            h.processElement("never", 2);
            h.processElement("b", 3);
            assertThat(ATTEMPTS_OF_NEVER.get()).isEqualTo(1);
            h.setProcessingTime(BACKOFF);
            assertThat(ATTEMPTS_OF_NEVER.get()).as("retry 1").isEqualTo(2);
            assertThat(WRITES.get(id)).as("b waits behind the retry").containsExactly("a");
            h.setProcessingTime(2 * BACKOFF);
            assertThat(ATTEMPTS_OF_NEVER.get()).as("retry 2, the last").isEqualTo(3);
            assertThat(WRITES.get(id)).as("never dropped, b written").containsExactly("a", "b");
            h.processElement("c", 4);
            h.setProcessingTime(10 * BACKOFF);
            assertThat(ATTEMPTS_OF_NEVER.get()).isEqualTo(3);
            assertThat(WRITES.get(id)).containsExactly("a", "b", "c");
        }
    }
}
