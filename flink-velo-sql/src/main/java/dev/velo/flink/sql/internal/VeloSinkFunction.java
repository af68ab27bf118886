package dev.velo.flink.sql.internal;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.failure.BatchProcessor;
import dev.velo.flink.batching.failure.FailureHandler;
import dev.velo.flink.batching.failure.Sleeper;
import dev.velo.flink.batching.metrics.VeloMetrics;
import dev.velo.flink.sql.dlq.DlqWriterFactory;
import java.util.Collections;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFunction;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.sink.legacy.RichSinkFunction;
import org.apache.flink.streaming.api.functions.sink.legacy.SinkFunction;
import org.apache.flink.table.data.RowData;

/**
 * Puts the sink failure strategy around a connector's legacy {@link SinkFunction} (Flink 2.3's
 * {@code print}): each record is written through the failure handler; dead letters go to the DLQ
 * writer, which is flushed before every checkpoint. Batching happens in the stage before it.
 */
@Internal
public final class VeloSinkFunction extends RichSinkFunction<RowData>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final SinkFunction<RowData> delegate;
    private final String tableName;
    private final FailureConfig failureConfig;
    private final DeadLetterEncoder<RowData> encoder;
    @Nullable private final DlqWriterFactory dlqFactory;

    private transient FailureHandler<RowData> failureHandler;
    private transient DeadLetterWriter dlqWriter;
    private transient VeloMetrics metrics;
    private transient SinkFunction.Context context;
    private transient BatchProcessor<RowData> processor;
    private transient long recordIndex;

    public VeloSinkFunction(
            SinkFunction<RowData> delegate,
            String tableName,
            FailureConfig failureConfig,
            DeadLetterEncoder<RowData> encoder,
            @Nullable DlqWriterFactory dlqFactory) {
        this.delegate = delegate;
        this.tableName = tableName;
        this.failureConfig = failureConfig;
        this.encoder = encoder;
        this.dlqFactory = dlqFactory;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        if (delegate instanceof RichFunction) {
            ((RichFunction) delegate).setRuntimeContext(getRuntimeContext());
            ((RichFunction) delegate).open(openContext);
        }
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        dlqWriter = dlqFactory == null ? null : dlqFactory.open(subtask, attempt);
        metrics = VeloMetrics.register(getRuntimeContext().getMetricGroup());
        processor =
                new BatchProcessor<>() {
                    @Override
                    public void processRecord(RowData record) throws Exception {
                        delegate.invoke(record, context);
                    }

                    @Override
                    public void finishBatch() {}
                };
        failureHandler =
                new FailureHandler<>(
                        failureConfig,
                        tableName,
                        "sink",
                        encoder,
                        dlqWriter == null ? null : dlqWriter::write,
                        metrics,
                        Sleeper.system(),
                        System::currentTimeMillis);
    }

    @Override
    public void invoke(RowData value, Context context) throws Exception {
        this.context = context;
        metrics.numRecordsIn().inc();
        metrics.numRecordsOut()
                .inc(
                        failureHandler.process(
                                recordIndex++, Collections.singletonList(value), processor));
    }

    @Override
    public void snapshotState(FunctionSnapshotContext ctx) throws Exception {
        // A dead letter must be durable before the checkpoint that skips its record completes.
        if (dlqWriter != null) {
            dlqWriter.flush();
        }
        if (delegate instanceof CheckpointedFunction) {
            ((CheckpointedFunction) delegate).snapshotState(ctx);
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext ctx) throws Exception {
        if (delegate instanceof CheckpointedFunction) {
            ((CheckpointedFunction) delegate).initializeState(ctx);
        }
    }

    @Override
    public void finish() throws Exception {
        delegate.finish();
        if (dlqWriter != null) {
            dlqWriter.flush();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (delegate instanceof RichFunction) {
                ((RichFunction) delegate).close();
            }
        } finally {
            if (dlqWriter != null) {
                dlqWriter.close();
            }
        }
    }
}
