package dev.velo.flink.sql.internal;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.internal.failure.BatchProcessor;
import dev.velo.flink.sql.dlq.DlqWriterFactory;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFunction;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.CheckpointListener;
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
 *
 * <p>The delegate sees the lifecycle it would see unwrapped: its runtime context is set as soon as
 * this function's is (before {@code initializeState}, which may use it), and checkpoint
 * notifications reach a delegate that is a {@link CheckpointListener} (a sink that commits on
 * checkpoint completion).
 */
@Internal
public final class VeloSinkFunction extends RichSinkFunction<RowData>
        implements CheckpointedFunction, CheckpointListener {
    private static final long serialVersionUID = 1L;

    private final SinkFunction<RowData> delegate;
    private final String tableName;
    private final FailureConfig failureConfig;
    private final DeadLetterEncoder<RowData> encoder;
    @Nullable private final DlqWriterFactory dlqFactory;

    private transient RecordFailureStage<RowData> stage;
    private transient SinkFunction.Context context;
    private transient BatchProcessor<RowData> processor;

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
    public void setRuntimeContext(RuntimeContext context) {
        super.setRuntimeContext(context);
        // the runtime calls initializeState before open: the delegate's context must be set here
        if (delegate instanceof RichFunction) {
            ((RichFunction) delegate).setRuntimeContext(context);
        }
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        if (delegate instanceof RichFunction) {
            ((RichFunction) delegate).open(openContext);
        }
        processor =
                new BatchProcessor<>() {
                    @Override
                    public void processRecord(RowData record) throws Exception {
                        delegate.invoke(record, context);
                    }

                    @Override
                    public void finishBatch() {}
                };
        stage =
                new RecordFailureStage<>(
                        failureConfig,
                        tableName,
                        DeadLetter.SIDE_SINK,
                        encoder,
                        dlqFactory,
                        getRuntimeContext().getTaskInfo(),
                        getRuntimeContext().getMetricGroup());
    }

    @Override
    public void invoke(RowData value, Context context) throws Exception {
        this.context = context;
        stage.process(value, processor);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext ctx) throws Exception {
        // A dead letter must be durable before the checkpoint that skips its record completes.
        stage.flushDeadLetters();
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
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        if (delegate instanceof CheckpointListener) {
            ((CheckpointListener) delegate).notifyCheckpointComplete(checkpointId);
        }
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        if (delegate instanceof CheckpointListener) {
            ((CheckpointListener) delegate).notifyCheckpointAborted(checkpointId);
        }
    }

    @Override
    public void finish() throws Exception {
        delegate.finish();
        if (stage != null) {
            stage.flushDeadLetters();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (delegate instanceof RichFunction) {
                ((RichFunction) delegate).close();
            }
        } finally {
            if (stage != null) {
                stage.close();
            }
        }
    }
}
