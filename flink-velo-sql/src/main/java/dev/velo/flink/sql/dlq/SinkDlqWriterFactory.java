package dev.velo.flink.sql.dlq;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.TaskInfo;
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
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Preconditions;

/**
 * Writes dead letters with the Sink (V2) writer of the DLQ connector, as rows of the dead-letter
 * schema: the writer is the connector's own (relocated client, security options, format and
 * delivery guarantee included), opened here with a {@link DetachedWriterContext}. {@code flush()}
 * is the writer's {@code flush(false)}, which for Kafka returns once every dead letter is
 * acknowledged; errors the writer reports asynchronously are rethrown by the next write or flush.
 * An exactly-once DLQ is a {@link Committing} factory instead.
 */
@Internal
class SinkDlqWriterFactory extends DlqWriterFactory {
    private static final long serialVersionUID = 1L;

    final Sink<RowData> sink;
    final String description;

    SinkDlqWriterFactory(Sink<RowData> sink, String description) {
        this.sink = sink;
        this.description = description;
    }

    @Override
    public DeadLetterWriter open(TaskInfo taskInfo, MetricGroup callerGroup) throws IOException {
        ClassLoader loader = sink.getClass().getClassLoader();
        DetachedWriterContext context = new DetachedWriterContext(taskInfo, callerGroup, loader);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // Clients resolve plugin classes through the context class loader; a source fetcher
        // thread's is not necessarily the one that loaded the connector.
        thread.setContextClassLoader(loader);
        try {
            return new Writer(sink.createWriter(context), context, description, false);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public String describe() {
        return description;
    }

    /**
     * A DLQ written exactly once: its writer is created by the velo sink's writer with the sink
     * subtask's context and the DLQ state of the last checkpoint, its transactions travel with the
     * sink's committables and are committed by the DLQ connector's own committer. Only a velo sink
     * (Sink V2) can do that: a source's decoder or a legacy sink function that opens it gets a
     * clear error.
     */
    static final class Committing extends SinkDlqWriterFactory
            implements DeadLetterWriterFactory.Committing<Object, Object> {
        private static final long serialVersionUID = 1L;

        private final String tableName;
        @Nullable private final String transactionalIdPrefix;

        Committing(
                Sink<RowData> sink,
                String description,
                String tableName,
                @Nullable String transactionalIdPrefix) {
            super(sink, description);
            Preconditions.checkArgument(
                    sink instanceof SupportsCommitter, "an exactly-once DLQ sink commits");
            this.tableName = tableName;
            this.transactionalIdPrefix = transactionalIdPrefix;
        }

        @Override
        public DeadLetterWriter open(TaskInfo taskInfo, MetricGroup callerGroup)
                throws IOException {
            throw new IOException(
                    String.format(
                            "Table '%s': '%s' = 'exactly-once' commits dead letters with the"
                                    + " checkpoint of the velo sink that writes them, so it"
                                    + " applies to the dead letters of a velo sink writing"
                                    + " through a Sink V2 writer (e.g. kafka, print, blackhole)."
                                    + " The dead letters here come from a velo source's decoder or"
                                    + " a legacy sink function, which cannot commit a DLQ"
                                    + " transaction: set it to 'at-least-once' for this table.",
                            tableName, DlqOptions.DLQ_DELIVERY_GUARANTEE.key()));
        }

        @Override
        @SuppressWarnings("unchecked")
        public DeadLetterWriter.Committing<Object, Object> restore(
                WriterInitContext subtask, Collection<Object> recoveredState) throws IOException {
            ClassLoader loader = sink.getClass().getClassLoader();
            DetachedWriterContext context = new DetachedWriterContext(subtask, loader);
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(loader);
            try {
                SinkWriter<RowData> writer;
                if (sink instanceof SupportsWriterState) {
                    // a Kafka writer aborts the transactions a failed attempt left open here
                    writer =
                            ((SupportsWriterState<RowData, Object>) sink)
                                    .restoreWriter(context, recoveredState);
                } else {
                    writer = sink.createWriter(context);
                }
                return new Writer(writer, context, description, true);
            } finally {
                thread.setContextClassLoader(previous);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public Committer<Object> createCommitter(CommitterInitContext context) throws IOException {
            return ((SupportsCommitter<Object>) sink).createCommitter(context);
        }

        @Override
        @SuppressWarnings("unchecked")
        public SimpleVersionedSerializer<Object> getCommittableSerializer() {
            return ((SupportsCommitter<Object>) sink).getCommittableSerializer();
        }

        @Override
        @SuppressWarnings("unchecked")
        public SimpleVersionedSerializer<Object> getWriterStateSerializer() {
            if (sink instanceof SupportsWriterState) {
                return ((SupportsWriterState<RowData, Object>) sink).getWriterStateSerializer();
            }
            return NoState.INSTANCE;
        }

        @Override
        @Nullable
        public String colocationKey() {
            return transactionalIdPrefix;
        }
    }

    /** The state serializer of a DLQ writer that keeps none (never called with a value). */
    private enum NoState implements SimpleVersionedSerializer<Object> {
        INSTANCE;

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Object obj) throws IOException {
            throw new IOException("The DLQ writer keeps no state, yet one was snapshotted.");
        }

        @Override
        public Object deserialize(int version, byte[] serialized) throws IOException {
            throw new IOException("The DLQ writer keeps no state, yet one was restored.");
        }
    }

    private static final class Writer implements DeadLetterWriter.Committing<Object, Object> {
        private final SinkWriter<RowData> writer;
        private final DetachedWriterContext context;
        private final String description;
        private final boolean committing;
        private final DeadLetterContext letterContext = new DeadLetterContext();

        /**
         * @param committing whether the velo sink commits this writer's transactions; otherwise a
         *     writer that has some fails its flush
         */
        Writer(
                SinkWriter<RowData> writer,
                DetachedWriterContext context,
                String description,
                boolean committing) {
            this.writer = writer;
            this.context = context;
            this.description = description;
            this.committing = committing;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Collection<Object> prepareCommit() throws IOException, InterruptedException {
            try {
                context.runPending();
                return writer instanceof CommittingSinkWriter
                        ? ((CommittingSinkWriter<RowData, Object>) writer).prepareCommit()
                        : List.of();
            } catch (IOException | RuntimeException e) {
                throw failed("prepare the commit of dead letters to", e);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<Object> snapshotState(long checkpointId) throws IOException {
            try {
                return writer instanceof StatefulSinkWriter
                        ? ((StatefulSinkWriter<RowData, Object>) writer).snapshotState(checkpointId)
                        : List.of();
            } catch (IOException | RuntimeException e) {
                throw failed("snapshot the writer state of", e);
            }
        }

        @Override
        public void write(DeadLetter deadLetter) throws IOException {
            context.runPending();
            letterContext.timestamp = deadLetter.getFailedAtMillis();
            try {
                writer.write(DeadLetterSchema.toRow(deadLetter), letterContext);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while writing a dead letter", e);
            } catch (IOException | RuntimeException e) {
                throw failed("write a dead letter to", e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                writer.flush(false);
                context.runPending();
                if (!committing && writer instanceof CommittingSinkWriter) {
                    Collection<?> committables =
                            ((CommittingSinkWriter<?, ?>) writer).prepareCommit();
                    if (!committables.isEmpty()) {
                        // Only an exactly-once writer has them, and nothing would commit them.
                        throw new IOException(
                                "The DLQ writer has transactions to commit, which a DLQ cannot"
                                        + " do: use an at-least-once delivery guarantee.");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while flushing dead letters", e);
            } catch (IOException | RuntimeException e) {
                throw failed("flush dead letters to", e);
            }
        }

        private IOException failed(String what, Exception e) {
            return new IOException("Could not " + what + " the DLQ (" + description + ")", e);
        }

        @Override
        public void close() throws Exception {
            writer.close();
        }
    }

    /** The sink-writer context of a dead letter: its record timestamp is when it failed. */
    private static final class DeadLetterContext implements SinkWriter.Context {
        long timestamp;

        @Override
        public long currentWatermark() {
            return Long.MIN_VALUE;
        }

        @Override
        public Long timestamp() {
            return timestamp;
        }
    }
}
