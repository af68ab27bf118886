package dev.velo.flink.batching.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A velo sink under RetryWithBackoff inside Flink's real sink-writer operator, restored at another
 * parallelism while records wait for a retry: two writers at parallelism 2 each hold 3 refused
 * records in their writer state, which is shared out as Flink does for 3 writers (or kept at 2).
 * Keyed by its primary key the sink refuses it; append-only it writes every record once. Both for
 * the plain velo sink and for one whose DLQ commits with the checkpoint ({@link DlqCommittingSink},
 * whose writer state wraps velo's).
 */
class VeloSinkRescaleTest {

    private static final int MAX_PARALLELISM = 128;
    private static final OperatorID OPERATOR = new OperatorID(2L, 2L);
    private static final List<String> RECORDS = List.of("0-0", "0-1", "0-2", "1-0", "1-1", "1-2");

    private static volatile boolean refuse;
    private static final List<String> WRITTEN = new CopyOnWriteArrayList<>();

    /** Refuses every write retriably while {@link #refuse}; notes the records it wrote. */
    static final class RefusingSink implements Sink<String> {
        @Override
        public SinkWriter<String> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(String element, Context context) throws IOException {
                    if (refuse) {
                        throw new IOException("refused");
                    }
                    WRITTEN.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    @BeforeEach
    void reset() {
        refuse = false;
        WRITTEN.clear();
    }

    private static Sink<String> sink(boolean keyed, boolean committingDlq) {
        Duration backoff = Duration.ofSeconds(30);
        VeloSinkSettings.Builder<String> settings =
                VeloSinkSettings.<String>builder()
                        .tableName("orders")
                        .batchConfig(BatchConfig.disabled())
                        .failureConfig(
                                FailureConfig.builder()
                                        .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                                        .maxRetries(3)
                                        .retryBackoff(backoff)
                                        .retryBackoffMax(backoff)
                                        .retryJitter(0)
                                        .build())
                        .keyedByPrimaryKey(keyed);
        if (committingDlq) {
            settings.deadLetterWriterFactory(
                    new DlqCommittingSinkTest.TxDlqFactory("rescale-" + keyed));
        }
        Sink<String> sink = VeloSink.wrap(new RefusingSink(), settings.build());
        assertThat(sink instanceof DlqCommittingSink).isEqualTo(committingDlq);
        return sink;
    }

    private static OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> harness(
            Sink<String> sink, int parallelism, int subtask) throws Exception {
        OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                new OneInputStreamOperatorTestHarness<>(
                        new SinkWriterOperatorFactory<>(sink),
                        MAX_PARALLELISM,
                        parallelism,
                        subtask,
                        OPERATOR);
        // the writer keeps waiting records with its input serializer
        h.getStreamConfig().setupNetworkInputs(StringSerializer.INSTANCE);
        h.getStreamConfig().serializeAllConfigs();
        h.setProcessingTime(0);
        return h;
    }

    /** Two writers at parallelism 2, each with 3 records waiting for a retry in its state. */
    private static OperatorSubtaskState checkpointAtTwo(boolean keyed, boolean committingDlq)
            throws Exception {
        OperatorSubtaskState[] states = new OperatorSubtaskState[2];
        for (int subtask = 0; subtask < 2; subtask++) {
            refuse = true;
            OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                    harness(sink(keyed, committingDlq), 2, subtask);
            h.open();
            for (int i = 0; i < 3; i++) {
                h.processElement(subtask + "-" + i, i);
            }
            h.prepareSnapshotPreBarrier(1);
            states[subtask] = h.snapshot(1, 1);
            // this run goes on past the checkpoint and ends: its retry writes the records
            refuse = false;
            h.setProcessingTime(60_000);
            h.close();
        }
        assertThat(WRITTEN).containsExactlyInAnyOrderElementsOf(RECORDS);
        WRITTEN.clear();
        return AbstractStreamOperatorTestHarness.repackageState(states);
    }

    private static void restoreAt(
            OperatorSubtaskState checkpoint, int parallelism, boolean keyed, boolean committingDlq)
            throws Exception {
        for (int subtask = 0; subtask < parallelism; subtask++) {
            try (OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                    harness(sink(keyed, committingDlq), parallelism, subtask)) {
                h.initializeState(
                        AbstractStreamOperatorTestHarness.repartitionOperatorState(
                                checkpoint, MAX_PARALLELISM, 2, parallelism, subtask));
                h.open();
                h.setProcessingTime(1);
                h.endInput();
            }
        }
    }

    @ParameterizedTest(name = "committing DLQ: {0}")
    @ValueSource(booleans = {false, true})
    void keyedByItsPrimaryKeyTheSinkRefusesARestoreAtAnotherParallelism(boolean committingDlq)
            throws Exception {
        OperatorSubtaskState checkpoint = checkpointAtTwo(true, committingDlq);
        int refused = 0;
        for (int subtask = 0; subtask < 3; subtask++) {
            OneInputStreamOperatorTestHarness<String, CommittableMessage<Object>> h =
                    harness(sink(true, committingDlq), 3, subtask);
            OperatorSubtaskState share =
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            checkpoint, MAX_PARALLELISM, 2, 3, subtask);
            try {
                h.initializeState(share);
                h.close();
            } catch (IllegalStateException e) {
                refused++;
                assertThat(e)
                        .hasMessageContaining("Table 'orders' cannot be restored at parallelism 3")
                        .hasMessageContaining("taken at parallelism 2")
                        // one old writer's state: its 3 records
                        .hasMessageContaining(
                                "3 records (the share of subtask " + subtask + " of 3) were")
                        .hasMessageContaining("flink stop --drain");
            }
        }
        // the two old writers' states go to two of the three new ones
        assertThat(refused).isEqualTo(2);
        assertThat(WRITTEN).isEmpty();

        restoreAt(checkpoint, 2, true, committingDlq);
        assertThat(WRITTEN).containsExactlyInAnyOrderElementsOf(RECORDS);
    }

    @ParameterizedTest(name = "committing DLQ: {0}")
    @ValueSource(booleans = {false, true})
    void appendOnlyTheSinkRestoresAtAnotherParallelism(boolean committingDlq) throws Exception {
        restoreAt(checkpointAtTwo(false, committingDlq), 3, false, committingDlq);
        assertThat(WRITTEN).containsExactlyInAnyOrderElementsOf(RECORDS);
    }

    @ParameterizedTest(name = "committing DLQ: {0}")
    @ValueSource(booleans = {false, true})
    void keyedByItsPrimaryKeyTheSinkRestoresIntoOneWriterInTheOrderEachOldWriterStored(
            boolean committingDlq) throws Exception {
        // one writer gets every record and retries them before any new one: no key can overtake
        restoreAt(checkpointAtTwo(true, committingDlq), 1, true, committingDlq);
        assertThat(WRITTEN).containsExactlyInAnyOrderElementsOf(RECORDS);
        for (String old : List.of("0-", "1-")) {
            assertThat(WRITTEN.stream().filter(r -> r.startsWith(old)))
                    .as("the records of old writer " + old)
                    .containsExactly(old + 0, old + 1, old + 2);
        }
    }
}
