package dev.velo.flink.sql.format;

import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;

/**
 * A pass-through stage chained right after a source whose connector decodes on the task thread
 * (Kafka): it gives the guarded decoders of that source a checkpoint hook. A {@code
 * DeserializationSchema} has none, so without this stage every source dead letter is flushed to the
 * DLQ before its {@code deserialize} returns (a DLQ round trip per dead letter). With it, the
 * decoders of the same task leave their dead letters unflushed and this stage flushes them in
 * {@link #prepareSnapshotPreBarrier}, which runs on the task thread after every record the
 * checkpoint covers was decoded and before the source's position is snapshotted, and at the end of
 * input. A decoder on another thread (not chained, a fetcher thread) keeps flushing per dead
 * letter.
 */
@Internal
public final class DeadLetterFlushOperator extends AbstractStreamOperator<RowData>
        implements OneInputStreamOperator<RowData, RowData>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final List<String> guardIds;
    private transient DecodeGuard.FlushStage stage;

    public DeadLetterFlushOperator(List<String> guardIds) {
        this.guardIds = List.copyOf(guardIds);
    }

    @Override
    public void open() throws Exception {
        super.open();
        // opened before the source of the chain (Flink opens a chain from its tail), so the
        // source's decoders find this stage when the connector opens them
        stage =
                DecodeGuard.registerFlushStage(
                        guardIds,
                        getRuntimeContext().getJobInfo().getJobId().toString(),
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    }

    @Override
    public void processElement(StreamRecord<RowData> element) {
        output.collect(element);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        stage.flush();
    }

    @Override
    public void endInput() throws Exception {
        stage.flush();
    }

    @Override
    public void close() throws Exception {
        try {
            if (stage != null) {
                stage.flush();
            }
        } finally {
            if (stage != null) {
                DecodeGuard.unregisterFlushStage(stage);
            }
            super.close();
        }
    }
}
