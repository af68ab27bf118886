package dev.velo.flink.batching.internal.operator;

import dev.velo.flink.batching.batcher.RecordSizeEstimator;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.operator.BatchFunction;
import dev.velo.flink.batching.operator.RecordFunction;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.Preconditions;

/**
 * Builds a {@link BatchingOperator} (see {@link BatchingOperator#builder}); every part but the two
 * configs is optional.
 */
@Internal
public final class BatchingOperatorBuilder<IN, OUT> {
    final BatchConfig batchConfig;
    final FailureConfig failureConfig;
    @Nullable String tableName;
    @Nullable BatchFunction<IN, OUT> batchFunction;
    @Nullable RecordFunction<IN, OUT> recordFunction;
    @Nullable DeadLetterEncoder<IN> encoder;
    @Nullable RecordSizeEstimator<IN> estimator;
    String side = DeadLetter.SIDE_PROCESS;

    BatchingOperatorBuilder(BatchConfig batchConfig, FailureConfig failureConfig) {
        this.batchConfig = Preconditions.checkNotNull(batchConfig, "batchConfig");
        this.failureConfig = Preconditions.checkNotNull(failureConfig, "failureConfig");
    }

    /** The name in logs, metrics and dead letters ("velo" by default). */
    public BatchingOperatorBuilder<IN, OUT> tableName(@Nullable String tableName) {
        this.tableName = tableName;
        return this;
    }

    /** Runs {@code fn} on every batch (not together with a record function). */
    public BatchingOperatorBuilder<IN, OUT> batchFunction(BatchFunction<IN, OUT> fn) {
        this.batchFunction = Preconditions.checkNotNull(fn, "batchFunction");
        return this;
    }

    /** Runs {@code fn} on every record (not together with a batch function). */
    public BatchingOperatorBuilder<IN, OUT> recordFunction(RecordFunction<IN, OUT> fn) {
        this.recordFunction = Preconditions.checkNotNull(fn, "recordFunction");
        return this;
    }

    /** How failed records become dead-letter payloads (default: toString in UTF-8). */
    public BatchingOperatorBuilder<IN, OUT> encoder(@Nullable DeadLetterEncoder<IN> encoder) {
        this.encoder = encoder;
        return this;
    }

    /** Record sizes for memory_based (default: a generic estimate). */
    public BatchingOperatorBuilder<IN, OUT> estimator(@Nullable RecordSizeEstimator<IN> estimator) {
        this.estimator = estimator;
        return this;
    }

    /** The {@code side} written into dead letters ("process" by default, or "source"). */
    public BatchingOperatorBuilder<IN, OUT> side(String side) {
        this.side = Preconditions.checkNotNull(side, "side");
        return this;
    }

    public BatchingOperator<IN, OUT> build() {
        return new BatchingOperator<>(this);
    }
}
