package dev.velo.flink.sql.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.sink.legacy.RichSinkFunction;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
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
}
