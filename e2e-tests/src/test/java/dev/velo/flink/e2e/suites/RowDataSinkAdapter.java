package dev.velo.flink.e2e.suites;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.functions.MapFunction;
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
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;

/**
 * Lets the sink suite, which needs comparable records, drive a table's {@code Sink<RowData>}: each
 * {@code String} becomes a row before it reaches the table's writer. Everything else (writer state,
 * committer, post-commit topology) is the table sink's own, so it is only for sinks that have all
 * three, as the velo-wrapped Kafka sink does.
 */
final class RowDataSinkAdapter<S, C>
        implements Sink<String>,
                SupportsWriterState<String, S>,
                SupportsCommitter<C>,
                SupportsPostCommitTopology<C> {

    private static final long serialVersionUID = 1L;

    private final Sink<RowData> table;
    private final MapFunction<String, RowData> toRow;

    RowDataSinkAdapter(Sink<RowData> table, MapFunction<String, RowData> toRow) {
        if (!(table instanceof SupportsWriterState
                && table instanceof SupportsCommitter
                && table instanceof SupportsPostCommitTopology)) {
            throw new IllegalArgumentException(
                    "Not a stateful, committing sink with a post-commit topology: " + table);
        }
        this.table = table;
        this.toRow = toRow;
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) throws IOException {
        return new Writer(table.createWriter(context));
    }

    @Override
    @SuppressWarnings("unchecked")
    public StatefulSinkWriter<String, S> restoreWriter(
            WriterInitContext context, Collection<S> recoveredState) throws IOException {
        return new Writer(
                ((SupportsWriterState<RowData, S>) table).restoreWriter(context, recoveredState));
    }

    @Override
    @SuppressWarnings("unchecked")
    public SimpleVersionedSerializer<S> getWriterStateSerializer() {
        return ((SupportsWriterState<RowData, S>) table).getWriterStateSerializer();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Committer<C> createCommitter(CommitterInitContext context) throws IOException {
        return ((SupportsCommitter<C>) table).createCommitter(context);
    }

    @Override
    @SuppressWarnings("unchecked")
    public SimpleVersionedSerializer<C> getCommittableSerializer() {
        return ((SupportsCommitter<C>) table).getCommittableSerializer();
    }

    @Override
    @SuppressWarnings("unchecked")
    public void addPostCommitTopology(DataStream<CommittableMessage<C>> committables) {
        ((SupportsPostCommitTopology<C>) table).addPostCommitTopology(committables);
    }

    private final class Writer
            implements StatefulSinkWriter<String, S>, CommittingSinkWriter<String, C> {
        private final SinkWriter<RowData> writer;

        Writer(SinkWriter<RowData> writer) {
            this.writer = writer;
        }

        @Override
        public void write(String element, Context context)
                throws IOException, InterruptedException {
            RowData row;
            try {
                row = toRow.map(element);
            } catch (Exception e) {
                throw new IOException("Cannot convert " + element, e);
            }
            writer.write(row, context);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
        }

        @Override
        public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
            writer.writeWatermark(watermark);
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<S> snapshotState(long checkpointId) throws IOException {
            return ((StatefulSinkWriter<RowData, S>) writer).snapshotState(checkpointId);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Collection<C> prepareCommit() throws IOException, InterruptedException {
            return ((CommittingSinkWriter<RowData, C>) writer).prepareCommit();
        }

        @Override
        public void close() throws Exception {
            writer.close();
        }
    }
}
