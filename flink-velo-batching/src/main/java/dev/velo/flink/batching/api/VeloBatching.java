package dev.velo.flink.batching.api;

import dev.velo.flink.batching.batcher.RecordSizeEstimator;
import dev.velo.flink.batching.batcher.RecordSizeEstimators;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import dev.velo.flink.batching.internal.operator.BatchingOperator;
import dev.velo.flink.batching.operator.BatchFunction;
import dev.velo.flink.batching.operator.RecordFunction;
import dev.velo.flink.batching.sink.VeloSink;
import dev.velo.flink.batching.sink.VeloSinkSettings;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Preconditions;

/**
 * Velostream batching and failure handling for DataStream jobs.
 *
 * <pre>{@code
 * VeloStream<Out> s = VeloBatching.of(events, BatchConfig.defaults())
 *         .withFailureConfig(FailureConfig.of(FailureStrategy.SEND_TO_DLQ))
 *         .named("enrich")
 *         .process((batch, out) -> ..., Types.POJO(Out.class));
 * s.output().sinkTo(...);
 * s.deadLetters().sinkTo(...);
 * }</pre>
 *
 * <p>mega_batch with {@code parallel = true} rebalances before the stage so that batching and what
 * follows run at the job's parallelism; otherwise the stage runs at the input's parallelism,
 * connected forward, keeping the order and a single writer per upstream subtask.
 */
@PublicEvolving
public final class VeloBatching {

    private VeloBatching() {}

    public static <T> Builder<T> of(DataStream<T> in, BatchConfig batchConfig) {
        return new Builder<>(in, batchConfig);
    }

    /** Configures and then attaches the batching stage. */
    @PublicEvolving
    public static final class Builder<T> {
        private final DataStream<T> in;
        private final BatchConfig batchConfig;
        private FailureConfig failureConfig = FailureConfig.defaults();
        private String name = "velo";
        private boolean named;
        @Nullable private String uid;
        private DeadLetterEncoder<T> encoder;
        private RecordSizeEstimator<T> sizeEstimator;
        private boolean keyedByPrimaryKey;

        private Builder(DataStream<T> in, BatchConfig batchConfig) {
            this.in = Preconditions.checkNotNull(in, "in");
            this.batchConfig = Preconditions.checkNotNull(batchConfig, "batchConfig");
        }

        public Builder<T> withFailureConfig(FailureConfig failureConfig) {
            this.failureConfig = Preconditions.checkNotNull(failureConfig);
            return this;
        }

        /**
         * Operator name, table name in dead letters and logs. Also gives the stage a uid unless
         * {@link #uid} sets one: {@code velo-batch[<name>]} for {@code process}, {@code map} and
         * {@code batch}, {@code velo-sink[<name>]} for {@code sinkTo}.
         */
        public Builder<T> named(String name) {
            this.name = Preconditions.checkNotNull(name);
            this.named = true;
            return this;
        }

        /**
         * The stage's operator uid, which maps its state in a savepoint to the operator (for {@code
         * sinkTo}, the wrapped writer's state). Default: derived from {@link #named}; a stage
         * without a name and without a uid gets the uid Flink generates from the topology, which
         * changes when the job graph changes. Uids must be unique within a job.
         */
        public Builder<T> uid(String uid) {
            Preconditions.checkArgument(
                    uid != null && !uid.isBlank(), "uid must not be null or blank, got '%s'", uid);
            this.uid = uid;
            return this;
        }

        /** How failed records become dead-letter payloads (default: toString in UTF-8). */
        public Builder<T> withEncoder(DeadLetterEncoder<T> encoder) {
            this.encoder = encoder;
            return this;
        }

        /** Record sizes for memory_based (default: the input type's serializer). */
        public Builder<T> withSizeEstimator(RecordSizeEstimator<T> sizeEstimator) {
            this.sizeEstimator = sizeEstimator;
            return this;
        }

        /**
         * For {@code sinkTo} into a sink that writes by a key (an upsert sink): the order of each
         * key's records must be kept, so a restore at another parallelism (except 1) while records
         * wait for a retry fails with a clear error instead of writing them out of order (see
         * {@link VeloSinkSettings#keyedByPrimaryKey()}). Off by default; the other stages ignore
         * it.
         */
        public Builder<T> keyedByPrimaryKey(boolean keyedByPrimaryKey) {
            this.keyedByPrimaryKey = keyedByPrimaryKey;
            return this;
        }

        /** Runs {@code fn} on every batch; a throw fails the whole batch. */
        public <R> VeloStream<R> process(BatchFunction<T, R> fn, TypeInformation<R> outType) {
            Preconditions.checkNotNull(fn, "fn");
            return attach(
                    BatchingOperator.<T, R>builder(batchConfig, failureConfig)
                            .tableName(name)
                            .batchFunction(fn)
                            .encoder(encoder)
                            .estimator(estimator())
                            .build(),
                    outType);
        }

        /** Runs {@code fn} on every record of every batch; a throw fails that record only. */
        public <R> VeloStream<R> map(RecordFunction<T, R> fn, TypeInformation<R> outType) {
            Preconditions.checkNotNull(fn, "fn");
            return attach(
                    BatchingOperator.<T, R>builder(batchConfig, failureConfig)
                            .tableName(name)
                            .recordFunction(fn)
                            .encoder(encoder)
                            .estimator(estimator())
                            .build(),
                    outType);
        }

        /** Batches only: the records leave unchanged, batch by batch, in arrival order. */
        public VeloStream<T> batch() {
            return attach(
                    BatchingOperator.<T, T>builder(batchConfig, failureConfig)
                            .tableName(name)
                            .encoder(encoder)
                            .estimator(estimator())
                            .build(),
                    in.getType());
        }

        /**
         * Writes into {@code sink} through {@link VeloSink}: batching in front of its writer,
         * failures of write/flush handled by the failure strategy, dead letters to the writers of
         * {@code deadLetters}.
         */
        public DataStreamSink<T> sinkTo(
                Sink<T> sink, @Nullable DeadLetterWriterFactory deadLetters) {
            VeloSinkSettings<T> settings =
                    VeloSinkSettings.<T>builder()
                            .tableName(name)
                            .batchConfig(batchConfig)
                            .failureConfig(failureConfig)
                            .deadLetterWriterFactory(deadLetters)
                            .encoder(encoder)
                            .sizeEstimator(estimator())
                            .keyedByPrimaryKey(keyedByPrimaryKey)
                            .build();
            DataStreamSink<T> out = input().sinkTo(VeloSink.wrap(sink, settings)).name(name);
            String stageUid = uidFor("velo-sink");
            if (stageUid != null) {
                out.uid(stageUid);
            }
            if (!parallel() && in.getParallelism() > 0) {
                out.setParallelism(in.getParallelism());
            }
            return out;
        }

        private <R> VeloStream<R> attach(
                BatchingOperator<T, R> operator, TypeInformation<R> outType) {
            Preconditions.checkNotNull(outType, "outType");
            SingleOutputStreamOperator<R> out = input().transform(name, outType, operator);
            String stageUid = uidFor("velo-batch");
            if (stageUid != null) {
                out.uid(stageUid);
            }
            if (!parallel() && in.getParallelism() > 0) {
                out.setParallelism(in.getParallelism());
            }
            return new VeloStream<>(out, out.getSideOutput(BatchingOperator.DEAD_LETTERS));
        }

        /** The uid given, else {@code <kind>[<name>]} for a named stage, else none. */
        @Nullable
        private String uidFor(String kind) {
            if (uid != null) {
                return uid;
            }
            return named ? kind + "[" + name + "]" : null;
        }

        private boolean parallel() {
            return batchConfig.isEnabled()
                    && batchConfig.strategy() instanceof BatchStrategy.MegaBatch mb
                    && mb.parallel();
        }

        private DataStream<T> input() {
            return parallel() ? in.rebalance() : in;
        }

        private RecordSizeEstimator<T> estimator() {
            if (sizeEstimator != null) {
                return sizeEstimator;
            }
            if (batchConfig.strategy() instanceof BatchStrategy.MemoryBased) {
                return RecordSizeEstimators.forSerializer(
                        in.getType()
                                .createSerializer(in.getExecutionConfig().getSerializerConfig()));
            }
            return null;
        }
    }
}
