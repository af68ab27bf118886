package dev.velo.flink.sql.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.sink.legacy.RichSinkFunction;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/**
 * velo's legacy-sink operator gives the wrapped function the lifecycle Flink's sink operator does.
 */
class VeloSinkFunctionTest {

    /**
     * A delegate that, like a real stateful legacy sink, reads its runtime context in
     * initializeState and acts on checkpoint notifications. Static lists: the runtime copies it.
     */
    static final class RecordingDelegate extends RichSinkFunction<RowData>
            implements CheckpointedFunction, CheckpointListener {
        static final List<String> EVENTS = new ArrayList<>();

        @Override
        public void initializeState(FunctionInitializationContext context) {
            EVENTS.add(
                    "initializeState subtask "
                            + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            EVENTS.add("snapshot " + context.getCheckpointId());
        }

        @Override
        public void invoke(RowData value, Context context) {
            EVENTS.add("invoke " + value.getString(0));
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            EVENTS.add("complete " + checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) {
            EVENTS.add("aborted " + checkpointId);
        }
    }

    @Test
    void theDelegateHasItsRuntimeContextInInitializeStateAndHearsCheckpointNotifications()
            throws Exception {
        RecordingDelegate.EVENTS.clear();
        VeloSinkFunctionOperator operator =
                new VeloSinkFunctionOperator(
                        new RecordingDelegate(),
                        "t",
                        FailureConfig.defaults(),
                        DeadLetterEncoder.toStringUtf8(),
                        null,
                        100);
        try (OneInputStreamOperatorTestHarness<RowData, Object> h =
                new OneInputStreamOperatorTestHarness<>(operator)) {
            h.open();
            h.processElement(GenericRowData.of(StringData.fromString("a")), 1L);
            h.snapshot(1L, 2L);
            h.notifyOfCompletedCheckpoint(1L);
            h.getOneInputOperator().notifyCheckpointAborted(2L);
        }
        assertThat(RecordingDelegate.EVENTS)
                .containsExactly(
                        "initializeState subtask 0",
                        "invoke a",
                        "snapshot 1",
                        "complete 1",
                        "aborted 2");
    }

    /**
     * Fails the first invoke of row "a" with a retriable error; notes every successful invoke and
     * watermark. Static lists: the runtime copies it.
     */
    static final class FlakyDelegate extends RichSinkFunction<RowData> {
        static final List<String> EVENTS = new ArrayList<>();
        static boolean failedOnce;

        @Override
        public void invoke(RowData value, Context context) throws IOException {
            String key = value.getString(0).toString();
            if (key.equals("a") && !failedOnce) {
                failedOnce = true;
                throw new IOException("transient");
            }
            EVENTS.add(key + "@" + context.timestamp());
        }

        @Override
        public void writeWatermark(org.apache.flink.api.common.eventtime.Watermark watermark) {
            EVENTS.add("watermark " + watermark.getTimestamp());
        }
    }

    private static VeloSinkFunctionOperator retrying(int maxQueued) {
        return retrying(maxQueued, Duration.ofSeconds(10));
    }

    private static VeloSinkFunctionOperator retrying(int maxQueued, Duration backoff) {
        return new VeloSinkFunctionOperator(
                new FlakyDelegate(),
                "t",
                FailureConfig.builder()
                        .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                        .maxRetries(3)
                        .retryBackoff(backoff)
                        .retryBackoffMax(backoff)
                        .retryJitter(0)
                        .build(),
                DeadLetterEncoder.toStringUtf8(),
                null,
                maxQueued);
    }

    private static OneInputStreamOperatorTestHarness<RowData, Object> harness(
            VeloSinkFunctionOperator operator) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                operator, new RowDataSerializer(new VarCharType(VarCharType.MAX_LENGTH)));
    }

    private static RowData row(String s) {
        return GenericRowData.of(StringData.fromString(s));
    }

    @Test
    void aRetryWaitsInTheCheckpointWithTheRecordsBehindItAndARestoreWritesThemFirstInOrder()
            throws Exception {
        FlakyDelegate.EVENTS.clear();
        FlakyDelegate.failedOnce = false;
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<RowData, Object> h = harness(retrying(100))) {
            h.open();
            h.processElement(row("a"), 1L);
            h.processElement(row("b"), 2L);
            h.processWatermark(2L);
            h.processElement(row("c"), 3L);
            VeloSinkFunctionOperator op = (VeloSinkFunctionOperator) h.getOneInputOperator();
            // "a" waits for its retry (10 s away), "b" and "c" behind it; the call returned
            assertThat(op.recordsAwaitingRetry()).isEqualTo(3);
            assertThat(FlakyDelegate.EVENTS).isEmpty();
            snapshot = h.snapshot(1L, 1L);
            // this run goes on past the checkpoint (its retry runs at the deadline) and ends; the
            // restore below replays from the checkpoint
            h.setProcessingTime(10_000L);
            assertThat(op.recordsAwaitingRetry()).isZero();
        }

        FlakyDelegate.EVENTS.clear();
        try (OneInputStreamOperatorTestHarness<RowData, Object> h = harness(retrying(100))) {
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(1L);
            h.processElement(row("d"), 4L);
            assertThat(FlakyDelegate.EVENTS).containsExactly("a@1", "b@2", "c@3", "d@4");
            VeloSinkFunctionOperator op = (VeloSinkFunctionOperator) h.getOneInputOperator();
            assertThat(op.recordsAwaitingRetry()).isZero();
            assertThat(op.metrics().numRecordsIn().getCount()).isEqualTo(4);
            assertThat(op.metrics().numRecordsOut().getCount()).isEqualTo(4);
            assertThat(op.metrics().numRetries().getCount()).isEqualTo(1);
        }
    }

    @Test
    void theWatermarkWaitsForTheRetryAndTheRecordsBehindIt() throws Exception {
        FlakyDelegate.EVENTS.clear();
        FlakyDelegate.failedOnce = false;
        try (OneInputStreamOperatorTestHarness<RowData, Object> h = harness(retrying(100))) {
            h.open();
            h.processElement(row("a"), 1L);
            h.processElement(row("b"), 2L);
            h.processWatermark(2L);
            assertThat(FlakyDelegate.EVENTS).isEmpty();
            // the backoff's deadline: the retry timer writes "a", then "b", then the watermark
            h.setProcessingTime(10_000L);
            assertThat(FlakyDelegate.EVENTS).containsExactly("a@1", "b@2", "watermark 2");
        }
    }

    @Test
    void aFullQueueBehindTheRetryStopsTheInputUntilTheRetryIsDone() throws Exception {
        FlakyDelegate.EVENTS.clear();
        FlakyDelegate.failedOnce = false;
        try (OneInputStreamOperatorTestHarness<RowData, Object> h =
                harness(retrying(2, Duration.ofMillis(200)))) {
            h.open();
            h.processElement(row("a"), 1L);
            h.processElement(row("b"), 2L);
            VeloSinkFunctionOperator op = (VeloSinkFunctionOperator) h.getOneInputOperator();
            assertThat(op.recordsAwaitingRetry()).isEqualTo(2);
            // the second record behind the retry fills the queue: the call returns only after
            // the backoff, with the retry and the records behind it written
            long start = System.nanoTime();
            h.processElement(row("c"), 3L);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(150_000_000L);
            assertThat(FlakyDelegate.EVENTS).containsExactly("a@1", "b@2", "c@3");
            assertThat(op.recordsAwaitingRetry()).isZero();
        }
    }
}
