package dev.velo.flink.batching.internal.operator;

import dev.velo.flink.batching.internal.failure.BatchProcessor;
import dev.velo.flink.batching.operator.BatchFunction;
import dev.velo.flink.batching.operator.RecordFunction;
import java.io.Serializable;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.functions.util.FunctionUtils;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Preconditions;

/**
 * The user function of a {@link BatchingOperator}: a {@link BatchFunction}, a {@link
 * RecordFunction} or none (pass-through), and its lifecycle (runtime context, open, close,
 * checkpoint notifications for a function that implements {@link CheckpointListener}).
 */
@Internal
final class UserFunction<IN, OUT> implements Serializable {

    private static final long serialVersionUID = 1L;

    @Nullable private final BatchFunction<IN, OUT> batchFunction;
    @Nullable private final RecordFunction<IN, OUT> recordFunction;

    UserFunction(
            @Nullable BatchFunction<IN, OUT> batchFunction,
            @Nullable RecordFunction<IN, OUT> recordFunction) {
        Preconditions.checkArgument(
                batchFunction == null || recordFunction == null,
                "give a batch function or a record function, not both");
        this.batchFunction = batchFunction;
        this.recordFunction = recordFunction;
    }

    /** Whether there is a function (false: pass-through). */
    boolean isPresent() {
        return function() != null;
    }

    @Nullable
    private Function function() {
        return batchFunction != null ? batchFunction : recordFunction;
    }

    /** Sets the function's runtime context and opens it (nothing without a function). */
    void open(RuntimeContext context) throws Exception {
        Function fn = function();
        if (fn != null) {
            FunctionUtils.setFunctionRuntimeContext(fn, context);
            FunctionUtils.openFunction(fn, DefaultOpenContext.INSTANCE);
        }
    }

    /**
     * The processor calling the function for the failure handler, emitting to {@code output} (see
     * {@link FunctionProcessors}); null without a function.
     */
    @Nullable
    BatchProcessor<StreamRecord<IN>> processor(
            @Nullable TypeSerializer<OUT> outCopySerializer,
            Output<StreamRecord<OUT>> output,
            Counter numRecordsOut) {
        if (!isPresent()) {
            return null;
        }
        return FunctionProcessors.create(
                batchFunction, recordFunction, outCopySerializer, output, numRecordsOut);
    }

    void notifyCheckpointComplete(long checkpointId) throws Exception {
        if (function() instanceof CheckpointListener listener) {
            listener.notifyCheckpointComplete(checkpointId);
        }
    }

    void notifyCheckpointAborted(long checkpointId) throws Exception {
        if (function() instanceof CheckpointListener listener) {
            listener.notifyCheckpointAborted(checkpointId);
        }
    }

    void close() throws Exception {
        Function fn = function();
        if (fn != null) {
            FunctionUtils.closeFunction(fn);
        }
    }
}
