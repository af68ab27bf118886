package dev.velo.flink.batching.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import dev.velo.flink.batching.sink.VeloSinkTest.LoggingSink;
import dev.velo.flink.batching.sink.VeloSinkTest.StringSerializer;
import dev.velo.flink.batching.sink.VeloSinkTest.TransactionalSink;
import dev.velo.flink.batching.sink.VeloSinkTest.TxWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A velo sink whose DLQ commits with the checkpoint, inside Flink's real sink-writer operator: the
 * committables and writer state carry the delegate's and the DLQ's side by side, a restore gives
 * each writer its own state, and the DLQ writer sees the real task and restored checkpoint.
 */
class DlqCommittingSinkTest {

    /** Per DLQ id: what happened to its transactions and what its writers were created with. */
    static final Map<String, List<String>> DLQ_EVENTS = new ConcurrentHashMap<>();

    private static final AtomicInteger IDS = new AtomicInteger();

    /**
     * A DLQ with transactions: dead letters of one checkpoint form one committable ("t<n>:a,b"),
     * its state names the next transaction.
     */
    static final class TxDlqFactory implements DeadLetterWriterFactory.Committing<String, String> {
        final String id;

        TxDlqFactory(String id) {
            this.id = id;
            DLQ_EVENTS.put(id, new CopyOnWriteArrayList<>());
        }

        @Override
        public DeadLetterWriter create(WriterInitContext context) {
            throw new AssertionError("a committing DLQ is restored, not created");
        }

        @Override
        public DeadLetterWriter.Committing<String, String> restore(
                WriterInitContext context, Collection<String> recoveredState) {
            OptionalLong restored = context.getRestoredCheckpointId();
            DLQ_EVENTS
                    .get(id)
                    .add(
                            "restore:"
                                    + recoveredState
                                    + " subtask="
                                    + context.getTaskInfo().getIndexOfThisSubtask()
                                    + " checkpoint="
                                    + (restored.isPresent() ? restored.getAsLong() : "none"));
            List<String> events = DLQ_EVENTS.get(id);
            return new DeadLetterWriter.Committing<>() {
                final List<String> open = new ArrayList<>();

                @Override
                public void write(DeadLetter dl) {
                    open.add(new String(dl.getPayload(), StandardCharsets.UTF_8));
                }

                @Override
                public void flush() {
                    events.add("flush:" + open);
                }

                @Override
                public Collection<String> prepareCommit() {
                    if (open.isEmpty()) {
                        return List.of();
                    }
                    String c = "dl:" + String.join(",", open);
                    open.clear();
                    return List.of(c);
                }

                @Override
                public List<String> snapshotState(long checkpointId) {
                    return List.of("dlq-state-" + checkpointId);
                }

                @Override
                public void close() {
                    events.add("close");
                }
            };
        }

        @Override
        public Committer<String> createCommitter(CommitterInitContext context) {
            throw new UnsupportedOperationException("committer tests use DlqCommittingCommitter");
        }

        @Override
        public SimpleVersionedSerializer<String> getCommittableSerializer() {
            return new StringSerializer();
        }

        @Override
        public SimpleVersionedSerializer<String> getWriterStateSerializer() {
            return new StringSerializer();
        }

        @Override
        public String colocationKey() {
            return "dlq-" + id;
        }
    }

    /** A stateful, committing delegate without a post-commit topology. */
    static final class TxSink extends LoggingSink
            implements SupportsWriterState<String, String>, SupportsCommitter<String> {
        TxSink(String id) {
            super(id);
        }

        @Override
        public SinkWriter<String> createWriter(WriterInitContext context) {
            return new TxWriter(id, List.of());
        }

        @Override
        public StatefulSinkWriter<String, String> restoreWriter(
                WriterInitContext context, Collection<String> recoveredState) {
            return new TxWriter(id, new ArrayList<>(recoveredState));
        }

        @Override
        public SimpleVersionedSerializer<String> getWriterStateSerializer() {
            return new StringSerializer();
        }

        @Override
        public Committer<String> createCommitter(CommitterInitContext context) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SimpleVersionedSerializer<String> getCommittableSerializer() {
            return new StringSerializer();
        }
    }

    private static VeloSinkSettings<String> settings(String id) {
        return VeloSinkSettings.<String>builder()
                .tableName("out")
                .batchConfig(
                        BatchConfig.builder()
                                .strategy(new BatchStrategy.FixedSize(100))
                                .batchTimeout(Duration.ofMillis(1000))
                                .build())
                .failureConfig(FailureConfig.of(FailureStrategy.SEND_TO_DLQ))
                .deadLetterWriterFactory(new TxDlqFactory(id))
                .build();
    }

    private static OneInputStreamOperatorTestHarness<
                    String, CommittableMessage<SinkOrDlq<String, String>>>
            harness(Sink<String> sink) throws Exception {
        OneInputStreamOperatorTestHarness<String, CommittableMessage<SinkOrDlq<String, String>>> h =
                new OneInputStreamOperatorTestHarness<>(new SinkWriterOperatorFactory<>(sink));
        h.setProcessingTime(0);
        return h;
    }

    private static List<String> committables(
            OneInputStreamOperatorTestHarness<String, CommittableMessage<SinkOrDlq<String, String>>>
                    h) {
        return h.extractOutputValues().stream()
                .filter(m -> m instanceof CommittableWithLineage)
                .map(m -> ((CommittableWithLineage<SinkOrDlq<String, String>>) m).getCommittable())
                .map(SinkOrDlq::toString)
                .collect(Collectors.toList());
    }

    @Test
    void committablesAndStateOfDelegateAndDlqTravelTogetherAndRestoreApart() throws Exception {
        String id = "q" + IDS.incrementAndGet();
        Sink<String> sink = VeloSink.wrap(new TxSink(id), settings(id));
        assertThat(sink)
                .isInstanceOf(DlqCommittingSink.class)
                .isInstanceOf(SupportsWriterState.class)
                .isInstanceOf(SupportsCommitter.class)
                .isInstanceOf(SupportsPostCommitTopology.class);
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<
                        String, CommittableMessage<SinkOrDlq<String, String>>>
                h = harness(sink)) {
            h.open();
            h.processElement("a", 1);
            h.processElement("bad-b", 2);
            h.processElement("c", 3);
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
            assertThat(committables(h)).containsExactly("sink(a,c)", "dlq(dl:bad-b)");
        }
        assertThat(DLQ_EVENTS.get(id))
                .containsSubsequence("restore:[] subtask=0 checkpoint=none", "flush:[bad-b]");

        VeloSinkTest.EVENTS.get(id).clear();
        try (OneInputStreamOperatorTestHarness<
                        String, CommittableMessage<SinkOrDlq<String, String>>>
                h = harness(sink)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement("bad-d", 4);
            h.prepareSnapshotPreBarrier(2);
            assertThat(committables(h)).containsExactly("sink()", "dlq(dl:bad-d)");
        }
        assertThat(VeloSinkTest.EVENTS.get(id)).contains("restored:[state-1]");
        // the operator's own restored checkpoint id reaches the DLQ writer (the harness restores
        // any snapshot as checkpoint 0); a detached context would say "none"
        assertThat(DLQ_EVENTS.get(id)).contains("restore:[dlq-state-1] subtask=0 checkpoint=0");
        assertThat(DLQ_EVENTS.get(id)).contains("close");
    }

    @Test
    void aDelegateWithoutStateOrCommitterStillCommitsTheDlq() throws Exception {
        String id = "q" + IDS.incrementAndGet();
        Sink<String> sink = VeloSink.wrap(new LoggingSink(id), settings(id));
        assertThat(sink).isInstanceOf(DlqCommittingSink.class);
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<
                        String, CommittableMessage<SinkOrDlq<String, String>>>
                h = harness(sink)) {
            h.open();
            h.processElement("a", 1);
            h.processElement("bad-b", 2);
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
            assertThat(committables(h)).containsExactly("dlq(dl:bad-b)");
        }
        assertThat(VeloSinkTest.EVENTS.get(id)).contains("write:a@1");
        try (OneInputStreamOperatorTestHarness<
                        String, CommittableMessage<SinkOrDlq<String, String>>>
                h = harness(sink)) {
            h.initializeState(snapshot);
            h.open();
        }
        assertThat(DLQ_EVENTS.get(id)).contains("restore:[dlq-state-1] subtask=0 checkpoint=0");
        // the delegate has no committer: its side of the combined serializer refuses values
        assertThatThrownBy(
                        () ->
                                ((SupportsCommitter<SinkOrDlq<String, String>>) sink)
                                        .getCommittableSerializer()
                                        .serialize(SinkOrDlq.ofSink("x")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no serializer");
    }

    @Test
    void aDelegatePostCommitTopologyThatReadsCommittablesIsRejected() {
        String id = "q" + IDS.incrementAndGet();
        assertThatThrownBy(() -> VeloSink.wrap(new TransactionalSink(id), settings(id)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Table 'out'")
                .hasMessageContaining(TransactionalSink.class.getName())
                .hasMessageContaining("post-commit topology")
                .hasMessageContaining("at-least-once DLQ");
    }

    @Test
    void onlyKafkasSinkIsKnownToMerelyColocate() {
        assertThat(DlqCommittingSink.postCommitOnlyColocates(new TransactionalSink("x"))).isFalse();
        assertThat(DlqCommittingSink.COLOCATING_POST_COMMIT)
                .containsExactly("org.apache.flink.connector.kafka.sink.KafkaSink");
    }
}
