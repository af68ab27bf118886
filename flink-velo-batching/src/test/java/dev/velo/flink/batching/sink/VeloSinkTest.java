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
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreWriteTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** {@link VeloSink} inside Flink's real sink-writer operator, with fake delegate and DLQ. */
class VeloSinkTest {

    /** Events per test sink id; static because the harness may copy the sink. */
    static final Map<String, List<String>> EVENTS = new ConcurrentHashMap<>();

    static final Map<String, List<DeadLetter>> DLQ = new ConcurrentHashMap<>();

    private static final AtomicInteger IDS = new AtomicInteger();

    /** A sink whose writer logs writes and flushes and fails on chosen values. */
    static class LoggingSink implements Sink<String> {
        final String id;

        LoggingSink(String id) {
            this.id = id;
            EVENTS.put(id, new CopyOnWriteArrayList<>());
        }

        @Override
        public SinkWriter<String> createWriter(WriterInitContext context) {
            return new LoggingWriter(id);
        }
    }

    static class LoggingWriter implements SinkWriter<String> {
        final String id;

        LoggingWriter(String id) {
            this.id = id;
        }

        @Override
        public void write(String element, Context context) throws IOException {
            if (element.startsWith("bad")) {
                throw new IllegalArgumentException("cannot write " + element);
            }
            EVENTS.get(id).add("write:" + element + "@" + context.timestamp());
        }

        @Override
        public void flush(boolean endOfInput) {
            EVENTS.get(id).add("flush:" + endOfInput);
        }

        @Override
        public void writeWatermark(org.apache.flink.api.common.eventtime.Watermark watermark) {
            EVENTS.get(id).add("wm:" + watermark.getTimestamp());
        }

        @Override
        public void close() {
            EVENTS.get(id).add("close");
        }
    }

    /** A stateful, two-phase-committing sink with a post-commit topology, like KafkaSink. */
    static final class TransactionalSink extends LoggingSink
            implements SupportsWriterState<String, String>,
                    SupportsCommitter<String>,
                    SupportsPostCommitTopology<String> {
        TransactionalSink(String id) {
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

        @Override
        public void addPostCommitTopology(DataStream<CommittableMessage<String>> committables) {}
    }

    static final class TxWriter extends LoggingWriter
            implements StatefulSinkWriter<String, String>, CommittingSinkWriter<String, String> {
        final List<String> restored;
        final List<String> txn = new ArrayList<>();

        TxWriter(String id, List<String> restored) {
            super(id);
            this.restored = restored;
            EVENTS.get(id).add("restored:" + restored);
        }

        @Override
        public void write(String element, Context context) throws IOException {
            super.write(element, context);
            txn.add(element);
        }

        @Override
        public List<String> snapshotState(long checkpointId) {
            return List.of("state-" + checkpointId);
        }

        @Override
        public Collection<String> prepareCommit() {
            EVENTS.get(id).add("prepareCommit:" + txn);
            List<String> c = List.of(String.join(",", txn));
            txn.clear();
            return c;
        }
    }

    static final class StringSerializer implements SimpleVersionedSerializer<String> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(String obj) {
            return obj.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String deserialize(int version, byte[] serialized) {
            return new String(serialized, StandardCharsets.UTF_8);
        }
    }

    /** Collects dead letters in {@link #DLQ}; flush is logged in the events. */
    static final class ListDlqFactory implements DeadLetterWriterFactory {
        final String id;

        ListDlqFactory(String id) {
            this.id = id;
            DLQ.put(id, new CopyOnWriteArrayList<>());
        }

        @Override
        public DeadLetterWriter create(WriterInitContext context) {
            return new DeadLetterWriter() {
                @Override
                public void write(DeadLetter dl) {
                    DLQ.get(id).add(dl);
                    EVENTS.get(id)
                            .add("dlq:" + new String(dl.getPayload(), StandardCharsets.UTF_8));
                }

                @Override
                public void flush() {
                    EVENTS.get(id).add("dlqFlush");
                }

                @Override
                public void close() {}
            };
        }
    }

    private static VeloSinkSettings<String> settings(
            String id, BatchConfig batch, FailureStrategy strategy) {
        return VeloSinkSettings.<String>builder()
                .tableName("out")
                .batchConfig(batch)
                .failureConfig(FailureConfig.of(strategy))
                .deadLetterWriterFactory(new ListDlqFactory(id))
                .build();
    }

    private static BatchConfig fixed(int size) {
        return BatchConfig.builder()
                .strategy(new BatchStrategy.FixedSize(size))
                .batchTimeout(Duration.ofMillis(1000))
                .build();
    }

    private static <C> OneInputStreamOperatorTestHarness<String, CommittableMessage<C>> harness(
            Sink<String> sink) throws Exception {
        OneInputStreamOperatorTestHarness<String, CommittableMessage<C>> h =
                new OneInputStreamOperatorTestHarness<>(new SinkWriterOperatorFactory<>(sink));
        h.setProcessingTime(0);
        return h;
    }

    @Test
    void batchesWritesAndDeadLettersBeforeTheCheckpoint() throws Exception {
        String id = "s" + IDS.incrementAndGet();
        Sink<String> sink =
                VeloSink.wrap(
                        new LoggingSink(id), settings(id, fixed(3), FailureStrategy.SEND_TO_DLQ));
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(sink)) {
            h.open();
            h.processElement("a", 1);
            h.processElement("bad-b", 2);
            assertThat(EVENTS.get(id)).isEmpty();
            h.processElement("c", 3);
            // bad-b's write threw with a unconfirmed: the writer is flushed (confirming a), bad-b
            // written alone throws the same error (its own), and the writer is flushed again
            assertThat(EVENTS.get(id))
                    .containsExactly(
                            "write:a@1", "flush:false", "flush:false", "dlq:bad-b", "write:c@3");
            EVENTS.get(id).clear();
            h.processElement("d", 4);
            h.prepareSnapshotPreBarrier(1);
            assertThat(EVENTS.get(id)).containsExactly("write:d@4", "flush:false", "dlqFlush");
            EVENTS.get(id).clear();
            h.processElement("e", 5);
            h.setProcessingTime(1000);
            assertThat(EVENTS.get(id)).containsExactly("write:e@5", "flush:false");
            EVENTS.get(id).clear();
            h.processElement("f", 6);
            h.endInput();
            assertThat(EVENTS.get(id)).containsExactly("write:f@6", "flush:true", "dlqFlush");
        }
        assertThat(DLQ.get(id)).hasSize(1);
        assertThat(DLQ.get(id).get(0).getSide()).isEqualTo("sink");
        assertThat(DLQ.get(id).get(0).getTableName()).isEqualTo("out");
    }

    @Test
    void disabledBatchingWritesThroughWithPerRecordHandling() throws Exception {
        String id = "s" + IDS.incrementAndGet();
        Sink<String> sink =
                VeloSink.wrap(
                        new LoggingSink(id),
                        settings(id, BatchConfig.disabled(), FailureStrategy.LOG_AND_CONTINUE));
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(sink)) {
            h.open();
            h.processElement("a", 1);
            h.processElement("bad", 2);
            h.processElement("c", 3);
            // written through at once; bad's own error is told apart with two flushes
            assertThat(EVENTS.get(id))
                    .containsExactly("write:a@1", "flush:false", "flush:false", "write:c@3");
            h.endInput();
            assertThat(EVENTS.get(id)).endsWith("write:c@3", "flush:true", "dlqFlush");
        }
    }

    @Test
    void failBatchFailsTheWriter() throws Exception {
        String id = "s" + IDS.incrementAndGet();
        Sink<String> sink =
                VeloSink.wrap(
                        new LoggingSink(id), settings(id, fixed(2), FailureStrategy.FAIL_BATCH));
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(sink)) {
            h.open();
            h.processElement("a", 1);
            assertThatThrownBy(() -> h.processElement("bad", 2))
                    .hasMessageContaining("Table 'out'")
                    .hasMessageContaining("record index 1");
        }
    }

    @Test
    void sendToDlqWithoutDlqIsRejected() {
        assertThatThrownBy(
                        () ->
                                VeloSink.wrap(
                                        new LoggingSink("x" + IDS.incrementAndGet()),
                                        VeloSinkSettings.<String>builder()
                                                .tableName("out")
                                                .failureConfig(
                                                        FailureConfig.of(
                                                                FailureStrategy.SEND_TO_DLQ))
                                                .build()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'out'");
    }

    /** A sink with a pre-write topology (its records would pass a stage before its writer). */
    static final class PreWriteSink extends LoggingSink
            implements SupportsPreWriteTopology<String> {
        PreWriteSink(String id) {
            super(id);
        }

        @Override
        public DataStream<String> addPreWriteTopology(DataStream<String> input) {
            return input;
        }
    }

    /** A committing sink with a pre-commit topology. */
    static final class PreCommitSink extends LoggingSink
            implements SupportsCommitter<String>, SupportsPreCommitTopology<String, String> {
        PreCommitSink(String id) {
            super(id);
        }

        @Override
        public Committer<String> createCommitter(CommitterInitContext context) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SimpleVersionedSerializer<String> getCommittableSerializer() {
            return new StringSerializer();
        }

        @Override
        public DataStream<CommittableMessage<String>> addPreCommitTopology(
                DataStream<CommittableMessage<String>> committables) {
            return committables;
        }

        @Override
        public SimpleVersionedSerializer<String> getWriteResultSerializer() {
            return new StringSerializer();
        }
    }

    @Test
    void aDelegateWithAPreWriteOrPreCommitTopologyIsRejectedNamingTheSinkAndTheTopology() {
        String id = "s" + IDS.incrementAndGet();
        VeloSinkSettings<String> settings = settings(id, fixed(2), FailureStrategy.FAIL_BATCH);
        assertThatThrownBy(() -> VeloSink.wrap(new PreWriteSink(id), settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Table 'out'")
                .hasMessageContaining(PreWriteSink.class.getName())
                .hasMessageContaining("pre-write topology (SupportsPreWriteTopology)")
                .hasMessageNotContaining("pre-commit")
                .hasMessageContaining("does not support")
                .hasMessageContaining("without velo batching");
        assertThatThrownBy(() -> VeloSink.wrap(new PreCommitSink(id), settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Table 'out'")
                .hasMessageContaining(PreCommitSink.class.getName())
                .hasMessageContaining("pre-commit topology (SupportsPreCommitTopology)")
                .hasMessageNotContaining("pre-write")
                .hasMessageContaining("does not support")
                .hasMessageContaining("without velo batching");
    }

    @Test
    void keepsTheCapabilitiesOfTheDelegate() {
        String id = "s" + IDS.incrementAndGet();
        Sink<String> plain =
                VeloSink.wrap(
                        new LoggingSink(id), settings(id, fixed(2), FailureStrategy.FAIL_BATCH));
        // every velo sink keeps writer state: the records waiting for a retry
        assertThat(VeloSink.capabilities(plain)).containsExactly("SupportsWriterState");
        assertThat(((SupportsWriterState<?, ?>) plain).getWriterStateSerializer())
                .isInstanceOf(VeloSinkStateSerializer.class);
        Sink<String> tx =
                VeloSink.wrap(
                        new TransactionalSink(id),
                        settings(id, fixed(2), FailureStrategy.FAIL_BATCH));
        assertThat(VeloSink.capabilities(tx))
                .containsExactly(
                        "SupportsWriterState", "SupportsCommitter", "SupportsPostCommitTopology");
        assertThat(((SupportsCommitter<?>) tx).getCommittableSerializer())
                .isInstanceOf(StringSerializer.class);
    }

    @Test
    void transactionalDelegateCommitsAndRestoresThroughTheWrapper() throws Exception {
        String id = "s" + IDS.incrementAndGet();
        Sink<String> sink =
                VeloSink.wrap(
                        new TransactionalSink(id),
                        settings(id, fixed(100), FailureStrategy.SEND_TO_DLQ));
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<String>> h =
                harness(sink)) {
            h.open();
            h.processElement("a", 1);
            h.processElement("b", 2);
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
            assertThat(EVENTS.get(id))
                    .containsSubsequence(
                            "write:a@1",
                            "write:b@2",
                            "flush:false",
                            "dlqFlush",
                            "prepareCommit:[a, b]");
            assertThat(h.extractOutputValues()).isNotEmpty();
        }
        EVENTS.get(id).clear();
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<String>> h =
                harness(sink)) {
            h.initializeState(snapshot);
            h.open();
            assertThat(EVENTS.get(id)).contains("restored:[state-1]");
        }
        assertThat(Collections.unmodifiableList(EVENTS.get(id))).isNotEmpty();
    }

    @Test
    void holdsWatermarksBehindBufferedRecords() throws Exception {
        String id = "s" + IDS.incrementAndGet();
        Sink<String> sink =
                VeloSink.wrap(
                        new LoggingSink(id), settings(id, fixed(2), FailureStrategy.FAIL_BATCH));
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(sink)) {
            h.open();
            h.processWatermark(1);
            h.processElement("a", 2);
            h.processWatermark(3);
            assertThat(EVENTS.get(id)).containsExactly("wm:1");
            h.processElement("b", 3);
            assertThat(EVENTS.get(id)).containsExactly("wm:1", "write:a@2", "write:b@3", "wm:3");
        }
    }

    @Test
    void failBatchHandsBatchesOverWithoutFlushingAndFlushesBeforeTheBarrierAndAtTheEnd()
            throws Exception {
        String id = "s" + IDS.incrementAndGet();
        Sink<String> sink =
                VeloSink.wrap(
                        new LoggingSink(id), settings(id, fixed(2), FailureStrategy.FAIL_BATCH));
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(sink)) {
            h.open();
            h.processElement("a", 1);
            h.processElement("b", 2);
            h.processElement("c", 3);
            h.processElement("d", 4);
            // two size flushes: written, no delegate flush (a broker round trip for Kafka)
            assertThat(EVENTS.get(id))
                    .containsExactly("write:a@1", "write:b@2", "write:c@3", "write:d@4");
            EVENTS.get(id).clear();
            h.processElement("e", 5);
            h.setProcessingTime(1000);
            assertThat(EVENTS.get(id)).containsExactly("write:e@5");
            EVENTS.get(id).clear();
            h.prepareSnapshotPreBarrier(1);
            assertThat(EVENTS.get(id)).containsExactly("flush:false", "dlqFlush");
            EVENTS.get(id).clear();
            h.processElement("f", 6);
            h.prepareSnapshotPreBarrier(2);
            assertThat(EVENTS.get(id)).containsExactly("write:f@6", "flush:false", "dlqFlush");
            EVENTS.get(id).clear();
            h.processElement("g", 7);
            h.endInput();
            assertThat(EVENTS.get(id)).containsExactly("write:g@7", "flush:true", "dlqFlush");
        }
    }

    @Test
    void strategiesThatActOnARecordsOutcomeFlushTheDelegateOncePerWindowOfWrites()
            throws Exception {
        for (FailureStrategy s :
                List.of(
                        FailureStrategy.LOG_AND_CONTINUE,
                        FailureStrategy.SEND_TO_DLQ,
                        FailureStrategy.RETRY_WITH_BACKOFF)) {
            String id = "s" + IDS.incrementAndGet();
            VeloSinkSettings<String> settings =
                    VeloSinkSettings.<String>builder()
                            .tableName("out")
                            .batchConfig(fixed(2))
                            .failureConfig(FailureConfig.of(s))
                            .deadLetterWriterFactory(new ListDlqFactory(id))
                            .maxUnconfirmedWrites(5)
                            .build();
            Sink<String> sink = VeloSink.wrap(new LoggingSink(id), settings);
            try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                    harness(sink)) {
                h.open();
                for (String r : List.of("a", "b", "c", "d")) {
                    h.processElement(r, 1);
                }
                // two batches written, 4 writes unconfirmed: below the bound, no flush
                assertThat(EVENTS.get(id))
                        .as("%s", s)
                        .containsExactly("write:a@1", "write:b@1", "write:c@1", "write:d@1");
                EVENTS.get(id).clear();
                h.processElement("e", 1);
                h.processElement("f", 1);
                // 6 writes reach the bound of 5: flushed after the batch
                assertThat(EVENTS.get(id))
                        .as("%s", s)
                        .containsExactly("write:e@1", "write:f@1", "flush:false");
                EVENTS.get(id).clear();
                h.processElement("g", 1);
                h.processElement("h", 1);
                h.processElement("i", 1);
                assertThat(EVENTS.get(id)).as("%s", s).containsExactly("write:g@1", "write:h@1");
                EVENTS.get(id).clear();
                // a batch flushed by its timeout is confirmed at once (a slow stream)
                h.setProcessingTime(1000);
                assertThat(EVENTS.get(id)).as("%s", s).containsExactly("write:i@1", "flush:false");
                EVENTS.get(id).clear();
                h.processElement("j", 1);
                h.processElement("k", 1);
                // and every checkpoint confirms what is unconfirmed
                h.prepareSnapshotPreBarrier(1);
                assertThat(EVENTS.get(id))
                        .as("%s", s)
                        .containsExactly("write:j@1", "write:k@1", "flush:false", "dlqFlush");
            }
        }
    }

    @Test
    void theUnconfirmedWritesBoundIsAtLeastTenThousandAndAtLeastTheBatchCap() {
        VeloSinkSettings<String> small =
                VeloSinkSettings.<String>builder().batchConfig(fixed(1000)).build();
        assertThat(small.unconfirmedWritesBound()).isEqualTo(10_000);
        VeloSinkSettings<String> large =
                VeloSinkSettings.<String>builder()
                        .batchConfig(
                                BatchConfig.builder()
                                        .strategy(new BatchStrategy.FixedSize(20_000))
                                        .maxBatchSize(20_000)
                                        .build())
                        .build();
        assertThat(large.unconfirmedWritesBound()).isEqualTo(20_000);
        assertThatThrownBy(() -> VeloSinkSettings.<String>builder().maxUnconfirmedWrites(0))
                .hasMessageContaining("maxUnconfirmedWrites")
                .hasMessageContaining("0");
    }

    /** Records delivered by {@link AsyncSink} writers, per test sink id. */
    static final Map<String, List<String>> DELIVERED = new ConcurrentHashMap<>();

    /**
     * A Kafka-like sink: a send of a record starting with "lost" fails in the background, and the
     * writer reports it on the next write (or, with {@code reportOnFlush}, only on flush), keeping
     * only the first unreported error as Kafka's writer does.
     */
    static final class AsyncSink implements Sink<String> {
        final String id;
        final boolean reportOnFlush;

        AsyncSink(String id, boolean reportOnFlush) {
            this.id = id;
            this.reportOnFlush = reportOnFlush;
            DELIVERED.put(id, new CopyOnWriteArrayList<>());
            EVENTS.put(id, new CopyOnWriteArrayList<>());
        }

        @Override
        public SinkWriter<String> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                IOException unreported;

                @Override
                public void write(String element, Context context) throws IOException {
                    if (!reportOnFlush) {
                        report();
                    }
                    EVENTS.get(id).add("write:" + element);
                    if (element.startsWith("lost")) {
                        if (unreported == null) {
                            unreported = new IOException("send of " + element + " failed");
                        }
                    } else {
                        DELIVERED.get(id).add(element);
                    }
                }

                @Override
                public void flush(boolean endOfInput) throws IOException {
                    EVENTS.get(id).add("flush:" + endOfInput);
                    report();
                }

                private void report() throws IOException {
                    IOException e = unreported;
                    if (e != null) {
                        unreported = null;
                        throw e;
                    }
                }

                @Override
                public void close() {}
            };
        }
    }

    private static List<String> dlqPayloads(String id) {
        List<String> out = new ArrayList<>();
        for (DeadLetter d : DLQ.get(id)) {
            out.add(new String(d.getPayload(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void aFailedSendReportedLaterIsBlamedOnTheRecordThatFailed() throws Exception {
        List<String> input = List.of("r1", "r2", "lost3", "r4", "r5", "r6", "r7");
        // fixed(3): lost3 ends the first batch and its error surfaces in the second one's writes
        for (BatchConfig batch : List.of(fixed(5), fixed(3), BatchConfig.disabled())) {
            for (boolean reportOnFlush : List.of(false, true)) {
                String id = "s" + IDS.incrementAndGet();
                Sink<String> sink =
                        new Capturing(
                                id,
                                VeloSink.wrap(
                                        new AsyncSink(id, reportOnFlush),
                                        settings(id, batch, FailureStrategy.SEND_TO_DLQ)));
                try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                        harness(sink)) {
                    h.open();
                    long ts = 0;
                    for (String r : input) {
                        h.processElement(r, ++ts);
                    }
                    h.endInput();
                }
                VeloMetrics m = WRITERS.get(id).metrics();
                String what = batch.isEnabled() + "/" + reportOnFlush;
                assertThat(dlqPayloads(id)).as(what).containsExactly("lost3");
                assertThat(DELIVERED.get(id))
                        .as(what)
                        .containsOnly("r1", "r2", "r4", "r5", "r6", "r7")
                        .contains("r1", "r2", "r4", "r5", "r6", "r7");
                assertThat(m.numRecordsIn().getCount()).as(what).isEqualTo(7);
                assertThat(m.numRecordsOut().getCount()).as(what).isEqualTo(6);
                assertThat(m.numRecordsDeadLettered().getCount()).as(what).isEqualTo(1);
            }
        }
    }

    @Test
    void anExactlyOnceKafkaWriterIsRecognisedAndFailsTheTaskOnASendError() throws Exception {
        assertThat(
                        VeloSinkWriter.writesInTransaction(
                                new org.apache.flink.connector.kafka.sink.ExactlyOnceKafkaWriter<
                                        String>() {}))
                .isTrue();
        assertThat(VeloSinkWriter.writesInTransaction(new LoggingWriter("x"))).isFalse();

        String id = "s" + IDS.incrementAndGet();
        VeloSinkSettings<String> s =
                VeloSinkSettings.<String>builder()
                        .tableName("out")
                        .batchConfig(fixed(5))
                        .failureConfig(FailureConfig.of(FailureStrategy.SEND_TO_DLQ))
                        .deadLetterWriterFactory(new ListDlqFactory(id))
                        .writesInTransaction(true)
                        .build();
        Sink<String> sink = VeloSink.wrap(new AsyncSink(id, false), s);
        try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                harness(sink)) {
            h.open();
            for (String r : List.of("r1", "lost2", "r3", "r4")) {
                h.processElement(r, 1);
            }
            assertThatThrownBy(() -> h.processElement("r5", 1))
                    .hasMessageContaining("Table 'out'")
                    .hasMessageContaining("transaction");
        }
        assertThat(DLQ.get(id)).isEmpty();
        // no per-batch flush either: no strategy can act on a record's outcome
        assertThat(EVENTS.get(id)).doesNotContain("flush:false");
    }

    /** The velo writers created by {@link Capturing} sinks, per test sink id. */
    static final Map<String, VeloSinkWriter<String>> WRITERS = new ConcurrentHashMap<>();

    /** Keeps the velo writer the wrapped sink creates, to read its counters. */
    static final class Capturing implements Sink<String> {
        final String id;
        final Sink<String> velo;

        Capturing(String id, Sink<String> velo) {
            this.id = id;
            this.velo = velo;
        }

        @Override
        public SinkWriter<String> createWriter(WriterInitContext context) throws IOException {
            SinkWriter<String> w = velo.createWriter(context);
            WRITERS.put(id, (VeloSinkWriter<String>) w);
            return w;
        }
    }
}
