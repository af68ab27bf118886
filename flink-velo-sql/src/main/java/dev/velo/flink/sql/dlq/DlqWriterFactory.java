package dev.velo.flink.sql.dlq;

import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * A dead letter writer factory usable both inside a sink writer and outside any writer (the source
 * side, possibly on a source fetcher thread), which has no {@link WriterInitContext}. Every writer
 * it opens makes its dead letters durable on {@link DeadLetterWriter#flush()}.
 */
@Internal
public abstract class DlqWriterFactory implements DeadLetterWriterFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public final DeadLetterWriter create(WriterInitContext ctx) throws IOException {
        return open(ctx.getTaskInfo(), ctx.metricGroup());
    }

    /** Opens a writer for the given subtask and attempt, with unregistered metrics. */
    public final DeadLetterWriter open(int subtaskIndex, int attemptNumber) throws IOException {
        return open(
                DetachedWriterContext.taskInfo("velo-dlq", subtaskIndex, attemptNumber),
                new UnregisteredMetricsGroup());
    }

    /**
     * Opens a writer for a subtask; the DLQ connector's own metrics go to {@code callerGroup.dlq}.
     */
    public abstract DeadLetterWriter open(TaskInfo taskInfo, MetricGroup callerGroup)
            throws IOException;

    /** Short description for logs, without secrets. */
    public abstract String describe();
}
