package dev.velo.flink.sql.dlq;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import java.io.IOException;
import java.util.Collection;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.data.RowData;

/**
 * Writes dead letters with the Sink (V2) writer of the DLQ connector, as rows of the dead-letter
 * schema: the writer is the connector's own (relocated client, security options, format and
 * delivery guarantee included), opened here with a {@link DetachedWriterContext}. {@code flush()}
 * is the writer's {@code flush(false)}, which for Kafka returns once every dead letter is
 * acknowledged; errors the writer reports asynchronously are rethrown by the next write or flush.
 */
@Internal
final class SinkDlqWriterFactory extends DlqWriterFactory {
    private static final long serialVersionUID = 1L;

    private final Sink<RowData> sink;
    private final String description;

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
            return new Writer(sink.createWriter(context), context, description);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public String describe() {
        return description;
    }

    private static final class Writer implements DeadLetterWriter {
        private final SinkWriter<RowData> writer;
        private final DetachedWriterContext context;
        private final String description;
        private final DeadLetterContext letterContext = new DeadLetterContext();

        Writer(SinkWriter<RowData> writer, DetachedWriterContext context, String description) {
            this.writer = writer;
            this.context = context;
            this.description = description;
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
                if (writer instanceof CommittingSinkWriter) {
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
