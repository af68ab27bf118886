package dev.velo.flink.batching.sink;

import dev.velo.flink.batching.dlq.DeadLetterWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;

/**
 * The writer of a {@link DlqCommittingSink}: the velo writer (batching and failure handling around
 * the wrapped sink's writer, dead letters into {@code dlq}) plus the DLQ's transaction. Before a
 * barrier the runtime calls {@code flush(false)} (the velo writer drains its buffer and flushes
 * both writers), then {@link #prepareCommit()} (the wrapped writer's committables, then the DLQ's,
 * so a dead letter of the last drained batch is in this checkpoint's DLQ transaction), then {@link
 * #snapshotState} (the velo writer's state, {@link VeloSinkState}, and the DLQ writer's). Closing
 * the velo writer closes the DLQ writer.
 */
@Internal
final class DlqCommittingWriter<T, DC, QS, QC>
        implements StatefulSinkWriter<T, SinkOrDlq<VeloSinkState<Object>, QS>>,
                CommittingSinkWriter<T, SinkOrDlq<DC, QC>> {

    private final SinkWriter<T> velo;
    private final DeadLetterWriter.Committing<QC, QS> dlq;

    DlqCommittingWriter(SinkWriter<T> velo, DeadLetterWriter.Committing<QC, QS> dlq) {
        this.velo = velo;
        this.dlq = dlq;
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        velo.write(element, context);
    }

    @Override
    public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
        velo.writeWatermark(watermark);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        velo.flush(endOfInput);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Collection<SinkOrDlq<DC, QC>> prepareCommit() throws IOException, InterruptedException {
        List<SinkOrDlq<DC, QC>> out = new ArrayList<>();
        if (velo instanceof CommittingSinkWriter) {
            for (DC c : ((CommittingSinkWriter<T, DC>) velo).prepareCommit()) {
                out.add(SinkOrDlq.ofSink(c));
            }
        }
        for (QC c : dlq.prepareCommit()) {
            out.add(SinkOrDlq.ofDlq(c));
        }
        return out;
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<SinkOrDlq<VeloSinkState<Object>, QS>> snapshotState(long checkpointId)
            throws IOException {
        List<SinkOrDlq<VeloSinkState<Object>, QS>> out = new ArrayList<>();
        // the velo writer's: the wrapped writer's states and the records waiting for a retry
        for (VeloSinkState<Object> s :
                ((StatefulSinkWriter<T, VeloSinkState<Object>>) velo).snapshotState(checkpointId)) {
            out.add(SinkOrDlq.ofSink(s));
        }
        for (QS s : dlq.snapshotState(checkpointId)) {
            out.add(SinkOrDlq.ofDlq(s));
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        velo.close();
    }
}
