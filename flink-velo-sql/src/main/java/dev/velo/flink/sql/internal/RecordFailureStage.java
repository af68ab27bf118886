package dev.velo.flink.sql.internal;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.internal.failure.BatchProcessor;
import dev.velo.flink.batching.internal.failure.FailureHandler;
import dev.velo.flink.batching.internal.failure.Sleeper;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import dev.velo.flink.sql.dlq.DlqWriterFactory;
import java.io.IOException;
import java.util.Collections;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.metrics.MetricGroup;

/**
 * The failure handling of a stage that takes one record at a time (the legacy-sink wrapper): a
 * failure handler, the DLQ writer of this subtask attempt it writes dead letters to, and the velo
 * metrics. The owner flushes the dead letters before every checkpoint barrier and at the end of
 * input, and closes the stage.
 */
@Internal
final class RecordFailureStage<T> implements AutoCloseable {

    private final FailureHandler<T> handler;
    @Nullable private final DeadLetterWriter dlqWriter;
    private final VeloMetrics metrics;
    private long recordIndex;

    RecordFailureStage(
            FailureConfig config,
            String tableName,
            String side,
            DeadLetterEncoder<T> encoder,
            @Nullable DlqWriterFactory dlqFactory,
            TaskInfo taskInfo,
            MetricGroup metricGroup)
            throws IOException {
        this.dlqWriter = dlqFactory == null ? null : dlqFactory.open(taskInfo, metricGroup);
        this.metrics = VeloMetrics.register(metricGroup);
        this.handler =
                new FailureHandler<>(
                        config,
                        tableName,
                        side,
                        encoder,
                        dlqWriter == null ? null : dlqWriter::write,
                        metrics,
                        // a legacy SinkFunction has no mailbox to yield to: an interruptible
                        // sleep, bounded by max_retries capped delays; a cancel interrupts it
                        Sleeper.system(),
                        System::currentTimeMillis);
    }

    /**
     * Processes one record under the failure strategy, counting it in and, unless it was dropped or
     * dead-lettered, out.
     */
    void process(T record, BatchProcessor<T> processor) throws Exception {
        metrics.numRecordsIn().inc();
        metrics.numRecordsOut()
                .inc(handler.process(recordIndex++, Collections.singletonList(record), processor));
    }

    /** Makes every dead letter written so far durable. */
    void flushDeadLetters() throws IOException {
        if (dlqWriter != null) {
            dlqWriter.flush();
        }
    }

    @Override
    public void close() throws Exception {
        if (dlqWriter != null) {
            dlqWriter.close();
        }
    }
}
