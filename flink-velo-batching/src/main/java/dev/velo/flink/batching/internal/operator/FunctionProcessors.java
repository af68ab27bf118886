package dev.velo.flink.batching.internal.operator;

import dev.velo.flink.batching.internal.failure.BatchProcessor;
import dev.velo.flink.batching.internal.failure.NotARecordFailureException;
import dev.velo.flink.batching.operator.BatchFunction;
import dev.velo.flink.batching.operator.RecordFunction;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;

/**
 * The calls of a {@link BatchingOperator}'s user function, as the {@link BatchProcessor} its
 * failure handler runs: one call of a {@link RecordFunction} per record, or one call of a {@link
 * BatchFunction} per batch. Outputs are collected into a list, so that a failed call emits nothing,
 * and emitted after the call returns.
 */
@Internal
final class FunctionProcessors {

    private FunctionProcessors() {}

    /**
     * The processor of the given function (exactly one of the two is non-null), emitting to {@code
     * output}. {@code outCopySerializer} copies each output when the type is mutable (null when it
     * is not), because the function may reuse the instance for its next output.
     */
    static <IN, OUT> BatchProcessor<StreamRecord<IN>> create(
            @Nullable BatchFunction<IN, OUT> batchFunction,
            @Nullable RecordFunction<IN, OUT> recordFunction,
            @Nullable TypeSerializer<OUT> outCopySerializer,
            Output<StreamRecord<OUT>> output,
            Counter numRecordsOut) {
        Emitter<OUT> emitter = new Emitter<>(output, numRecordsOut);
        if (batchFunction != null) {
            return new BatchFunctionProcessor<>(batchFunction, outCopySerializer, emitter);
        }
        return new RecordFunctionProcessor<>(
                java.util.Objects.requireNonNull(recordFunction, "recordFunction"),
                outCopySerializer,
                emitter);
    }

    /**
     * Emits the outputs of a call that returned. Runs inside the failure handler, but an exception
     * from {@code output.collect} is a downstream operator's, never the function's: it is wrapped
     * in a {@link NotARecordFailureException}, leaves the handler unhandled and the operator
     * rethrows it as it was.
     */
    static final class Emitter<OUT> {
        private final Output<StreamRecord<OUT>> output;
        private final Counter numRecordsOut;
        private final StreamRecord<OUT> outRecord = new StreamRecord<>(null);

        Emitter(Output<StreamRecord<OUT>> output, Counter numRecordsOut) {
            this.output = output;
            this.numRecordsOut = numRecordsOut;
        }

        void emit(List<OUT> values, boolean hasTimestamp, long timestamp) {
            StreamRecord<OUT> r = outRecord;
            try {
                for (int i = 0; i < values.size(); i++) {
                    if (hasTimestamp) {
                        r.replace(values.get(i), timestamp);
                    } else {
                        r.replace(values.get(i));
                        r.eraseTimestamp();
                    }
                    output.collect(r);
                }
            } catch (RuntimeException downstream) {
                throw new NotARecordFailureException(downstream);
            }
            numRecordsOut.inc(values.size());
        }
    }

    /**
     * Collects into a list so that a failed call emits nothing; copies each value (when the type is
     * mutable) because the function may reuse the instance for its next output.
     */
    static final class ListCollector<OUT> implements Collector<OUT> {
        final List<OUT> values = new ArrayList<>();
        @Nullable private final TypeSerializer<OUT> copySerializer;

        ListCollector(@Nullable TypeSerializer<OUT> copySerializer) {
            this.copySerializer = copySerializer;
        }

        @Override
        public void collect(OUT record) {
            TypeSerializer<OUT> s = copySerializer;
            values.add(s == null ? record : s.copy(record));
        }

        @Override
        public void close() {}
    }

    /** One call of the record function per record. */
    static final class RecordFunctionProcessor<IN, OUT>
            implements BatchProcessor<StreamRecord<IN>> {
        private final RecordFunction<IN, OUT> fn;
        private final ListCollector<OUT> collector;
        private final Emitter<OUT> emitter;

        RecordFunctionProcessor(
                RecordFunction<IN, OUT> fn,
                @Nullable TypeSerializer<OUT> outCopySerializer,
                Emitter<OUT> emitter) {
            this.fn = fn;
            this.collector = new ListCollector<>(outCopySerializer);
            this.emitter = emitter;
        }

        @Override
        public void processRecord(StreamRecord<IN> record) throws Exception {
            collector.values.clear();
            try {
                fn.flatMap(record.getValue(), collector);
                emitter.emit(collector.values, record.hasTimestamp(), record.getTimestamp());
            } finally {
                collector.values.clear();
            }
        }

        @Override
        public void finishBatch() {}
    }

    /** Gathers the live records, then one call of the batch function. */
    static final class BatchFunctionProcessor<IN, OUT> implements BatchProcessor<StreamRecord<IN>> {
        private final BatchFunction<IN, OUT> fn;
        private final List<IN> values = new ArrayList<>();
        private final ListCollector<OUT> collector;
        private final Emitter<OUT> emitter;
        private boolean hasTimestamp;
        private long maxTimestamp = Long.MIN_VALUE;

        BatchFunctionProcessor(
                BatchFunction<IN, OUT> fn,
                @Nullable TypeSerializer<OUT> outCopySerializer,
                Emitter<OUT> emitter) {
            this.fn = fn;
            this.collector = new ListCollector<>(outCopySerializer);
            this.emitter = emitter;
        }

        @Override
        public void processRecord(StreamRecord<IN> record) {
            values.add(record.getValue());
            if (record.hasTimestamp()) {
                hasTimestamp = true;
                maxTimestamp = Math.max(maxTimestamp, record.getTimestamp());
            }
        }

        @Override
        public void finishBatch() throws Exception {
            try {
                if (!values.isEmpty()) {
                    fn.processBatch(values, collector);
                    emitter.emit(collector.values, hasTimestamp, maxTimestamp);
                }
            } finally {
                values.clear();
                collector.values.clear();
                hasTimestamp = false;
                maxTimestamp = Long.MIN_VALUE;
            }
        }
    }
}
