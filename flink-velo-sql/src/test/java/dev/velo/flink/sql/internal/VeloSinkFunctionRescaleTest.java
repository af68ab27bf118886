package dev.velo.flink.sql.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.streaming.api.functions.sink.legacy.RichSinkFunction;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sink operator of a velo table over a legacy sink function, restored at another parallelism
 * while rows wait for a retry: the union state {@value VeloSinkFunctionOperator#ORIGIN_STATE_NAME}
 * tells every new subtask the old parallelism and how many rows waited. Two subtasks at parallelism
 * 2 each hold 3 refused rows (the first refused, two queued behind its retry) in a checkpoint; the
 * state is then shared out as Flink does for 3 subtasks (or kept at 2).
 */
class VeloSinkFunctionRescaleTest {

    private static final int MAX_PARALLELISM = 128;
    private static final OperatorID OPERATOR = new OperatorID(1L, 1L);

    /**
     * A checkpoint of the same two subtasks written by the operator before it kept {@value
     * VeloSinkFunctionOperator#ORIGIN_STATE_NAME} (flink-velo at commit 5938688, with {@link
     * OperatorSnapshotUtil#writeStateHandle}): rows "0-0" .. "0-2" and "1-0" .. "1-2" wait.
     */
    private static final String BEFORE_ORIGIN =
            "state/legacy-sink-retry-queue-p2-before-origin.snapshot";

    /** Refuses every row retriably while {@code refuse}; notes the rows it wrote. */
    static final class Refusing extends RichSinkFunction<RowData> {
        static volatile boolean refuse;
        static final List<String> WRITTEN = new CopyOnWriteArrayList<>();

        @Override
        public void invoke(RowData value, Context context) throws IOException {
            if (refuse) {
                throw new IOException("refused");
            }
            WRITTEN.add(value.getString(0).toString());
        }
    }

    @BeforeEach
    void reset() {
        Refusing.refuse = false;
        Refusing.WRITTEN.clear();
    }

    private static VeloSinkFunctionOperator operator(boolean keyed) {
        Duration backoff = Duration.ofSeconds(10);
        return new VeloSinkFunctionOperator(
                new Refusing(),
                "orders",
                FailureConfig.builder()
                        .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                        .maxRetries(3)
                        .retryBackoff(backoff)
                        .retryBackoffMax(backoff)
                        .retryJitter(0)
                        .build(),
                DeadLetterEncoder.toStringUtf8(),
                null,
                100,
                keyed);
    }

    private static OneInputStreamOperatorTestHarness<RowData, Object> harness(
            VeloSinkFunctionOperator operator, int parallelism, int subtask) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                operator,
                MAX_PARALLELISM,
                parallelism,
                subtask,
                new RowDataSerializer(new VarCharType(VarCharType.MAX_LENGTH)),
                OPERATOR);
    }

    /** The checkpoint of two subtasks, each with 3 rows waiting for a retry. */
    private static OperatorSubtaskState checkpointAtTwo(boolean keyed) throws Exception {
        OperatorSubtaskState[] states = new OperatorSubtaskState[2];
        for (int subtask = 0; subtask < 2; subtask++) {
            Refusing.refuse = true;
            try (OneInputStreamOperatorTestHarness<RowData, Object> h =
                    harness(operator(keyed), 2, subtask)) {
                h.open();
                for (int i = 0; i < 3; i++) {
                    h.processElement(row(subtask + "-" + i), i);
                }
                VeloSinkFunctionOperator op = (VeloSinkFunctionOperator) h.getOneInputOperator();
                assertThat(op.recordsAwaitingRetry()).isEqualTo(3);
                states[subtask] = h.snapshot(1L, 1L);
                // this run goes on past the checkpoint and ends: its retry writes the rows
                Refusing.refuse = false;
                h.setProcessingTime(20_000L);
                assertThat(op.recordsAwaitingRetry()).isZero();
            }
        }
        Refusing.WRITTEN.clear();
        return AbstractStreamOperatorTestHarness.repackageState(states);
    }

    /**
     * Restores {@code checkpoint} (taken at 2) into every subtask of {@code parallelism}, writes
     * what they restored and returns the rows written.
     */
    private static List<String> restoreAt(
            OperatorSubtaskState checkpoint, int parallelism, boolean keyed) throws Exception {
        long restored = 0;
        for (int subtask = 0; subtask < parallelism; subtask++) {
            try (OneInputStreamOperatorTestHarness<RowData, Object> h =
                    harness(operator(keyed), parallelism, subtask)) {
                h.initializeState(
                        AbstractStreamOperatorTestHarness.repartitionOperatorState(
                                checkpoint, MAX_PARALLELISM, 2, parallelism, subtask));
                h.open();
                h.setProcessingTime(1L);
                VeloSinkFunctionOperator op = (VeloSinkFunctionOperator) h.getOneInputOperator();
                assertThat(op.recordsAwaitingRetry()).isZero();
                restored += op.metrics().numRecordsIn().getCount();
            }
        }
        assertThat(restored).as("rows restored over all subtasks").isEqualTo(6);
        return Refusing.WRITTEN;
    }

    private static RowData row(String s) {
        return GenericRowData.of(StringData.fromString(s));
    }

    private static final List<String> ROWS = List.of("0-0", "0-1", "0-2", "1-0", "1-1", "1-2");

    @Test
    void withAPrimaryKeyEveryNewSubtaskRefusesTheRestoreAtAnotherParallelism() throws Exception {
        OperatorSubtaskState checkpoint = checkpointAtTwo(true);
        for (int parallelism : new int[] {3, 4}) {
            for (int subtask = 0; subtask < parallelism; subtask++) {
                OneInputStreamOperatorTestHarness<RowData, Object> h =
                        harness(operator(true), parallelism, subtask);
                OperatorSubtaskState share =
                        AbstractStreamOperatorTestHarness.repartitionOperatorState(
                                checkpoint, MAX_PARALLELISM, 2, parallelism, subtask);
                assertThatThrownBy(() -> h.initializeState(share))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining(
                                "Table 'orders' cannot be restored at parallelism " + parallelism)
                        .hasMessageContaining("taken at parallelism 2")
                        // every subtask knows all of them, not only its share
                        .hasMessageContaining("6 records were waiting for a retry")
                        .hasMessageContaining("order per primary key cannot be kept")
                        .hasMessageContaining("flink stop --drain");
            }
        }
        assertThat(Refusing.WRITTEN).as("nothing written by a refused restore").isEmpty();
    }

    @Test
    void withAPrimaryKeyTheSameParallelismRestoresEveryRowOnce() throws Exception {
        assertThat(restoreAt(checkpointAtTwo(true), 2, true))
                .containsExactlyInAnyOrderElementsOf(ROWS);
    }

    @Test
    void withAPrimaryKeyOneSubtaskRestoresEveryRowOnceInTheOrderEachOldSubtaskStored()
            throws Exception {
        List<String> written = restoreAt(checkpointAtTwo(true), 1, true);
        assertThat(written).containsExactlyInAnyOrderElementsOf(ROWS);
        for (String old : List.of("0-", "1-")) {
            assertThat(written.stream().filter(r -> r.startsWith(old)))
                    .as("the rows of old subtask " + old)
                    .containsExactly(old + 0, old + 1, old + 2);
        }
    }

    @Test
    void withoutAPrimaryKeyAnotherParallelismRestoresEveryRowOnce() throws Exception {
        assertThat(restoreAt(checkpointAtTwo(false), 3, false))
                .containsExactlyInAnyOrderElementsOf(ROWS);
    }

    @Test
    void aCheckpointOfTheVersionBeforeTheOriginRestoresAsBeforeEvenWithAPrimaryKey()
            throws Exception {
        URL resource =
                VeloSinkFunctionRescaleTest.class.getClassLoader().getResource(BEFORE_ORIGIN);
        assertThat(resource).isNotNull();
        OperatorSubtaskState old =
                OperatorSnapshotUtil.readStateHandle(Path.of(resource.toURI()).toString());
        assertThat(restoreAt(old, 3, true)).containsExactlyInAnyOrderElementsOf(ROWS);
    }

    @Test
    void theOriginEntryLayoutIsPinned() {
        assertThat(HexFormat.of().formatHex(VeloSinkFunctionOperator.originEntry(2, 1, 6)))
                // version 1; parallelism 2; subtask 1; 6 records waiting
                .isEqualTo("01" + "00000002" + "00000001" + "0000000000000006");
    }
}
