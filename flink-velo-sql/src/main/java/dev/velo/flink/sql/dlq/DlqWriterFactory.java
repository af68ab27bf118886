package dev.velo.flink.sql.dlq;

import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A dead letter writer factory usable both inside a sink writer and inside a plain operator (the
 * source side), which has no {@link WriterInitContext}.
 */
@Internal
public abstract class DlqWriterFactory implements DeadLetterWriterFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public final DeadLetterWriter create(WriterInitContext ctx) throws IOException {
        return open(
                ctx.getTaskInfo().getIndexOfThisSubtask(), ctx.getTaskInfo().getAttemptNumber());
    }

    /** Opens a writer for the given subtask and attempt. */
    public abstract DeadLetterWriter open(int subtaskIndex, int attemptNumber) throws IOException;

    /** Short description for logs, without secrets. */
    public abstract String describe();
}
