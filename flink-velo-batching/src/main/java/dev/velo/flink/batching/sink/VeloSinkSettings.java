package dev.velo.flink.batching.sink;

import dev.velo.flink.batching.batcher.RecordSizeEstimator;
import dev.velo.flink.batching.batcher.RecordSizeEstimators;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import java.io.Serializable;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.util.Preconditions;

/** What {@link VeloSink} needs besides the delegate: batching, failure handling, the DLQ. */
@PublicEvolving
public final class VeloSinkSettings<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String tableName;
    private final BatchConfig batchConfig;
    private final FailureConfig failureConfig;
    @Nullable private final DeadLetterWriterFactory deadLetterWriterFactory;
    private final DeadLetterEncoder<T> encoder;
    private final RecordSizeEstimator<T> sizeEstimator;
    @Nullable private final Boolean writesInTransaction;
    @Nullable private final Integer maxUnconfirmedWrites;
    private final boolean keyedByPrimaryKey;

    /**
     * The least number of unconfirmed writes after which the sink writer flushes the delegate to
     * learn their outcome (see {@link #unconfirmedWritesBound()}).
     */
    public static final int MIN_UNCONFIRMED_WRITES_BOUND = 10_000;

    private VeloSinkSettings(Builder<T> b) {
        this.tableName = b.tableName;
        this.batchConfig = Preconditions.checkNotNull(b.batchConfig, "batchConfig");
        this.failureConfig = Preconditions.checkNotNull(b.failureConfig, "failureConfig");
        this.deadLetterWriterFactory = b.deadLetterWriterFactory;
        this.encoder = b.encoder != null ? b.encoder : DeadLetterEncoder.toStringUtf8();
        this.sizeEstimator =
                b.sizeEstimator != null ? b.sizeEstimator : RecordSizeEstimators.generic();
        this.writesInTransaction = b.writesInTransaction;
        this.maxUnconfirmedWrites = b.maxUnconfirmedWrites;
        this.keyedByPrimaryKey = b.keyedByPrimaryKey;
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    public String tableName() {
        return tableName;
    }

    public BatchConfig batchConfig() {
        return batchConfig;
    }

    public FailureConfig failureConfig() {
        return failureConfig;
    }

    /** Null when there is no DLQ; then SendToDLQ is not allowed. */
    @Nullable
    public DeadLetterWriterFactory deadLetterWriterFactory() {
        return deadLetterWriterFactory;
    }

    public DeadLetterEncoder<T> encoder() {
        return encoder;
    }

    public RecordSizeEstimator<T> sizeEstimator() {
        return sizeEstimator;
    }

    /**
     * Whether the delegate writes inside a transaction that a failed write aborts; then a write
     * error fails the task, whatever the strategy (no record can be dropped or dead-lettered and
     * the rest of the transaction kept), except an error that Kafka's writer provably threw before
     * the send (its record's serialization), which goes through the strategy for that record.
     * Empty: detected from the writer (Kafka's exactly-once writer).
     */
    public Optional<Boolean> writesInTransaction() {
        return Optional.ofNullable(writesInTransaction);
    }

    /**
     * Under a failure strategy that acts on single records (LogAndContinue, SendToDLQ,
     * RetryWithBackoff), the writer flushes the delegate once this many records have been written
     * to it since its last successful flush (and before every checkpoint, at the end of input and
     * after a batch flushed by its timeout). A failure reported in between is blamed on the record
     * that failed among these writes, so outcomes stay exact per record; the bound caps how many
     * records a failure search (and a retry of a transient error) sends again, and how many records
     * the writer keeps referenced. Default: the larger of {@code batch.max_size} and {@value
     * #MIN_UNCONFIRMED_WRITES_BOUND}, so that a Kafka flush (a broker round trip) is paid once per
     * ten thousand records or more instead of once per batch.
     */
    public int unconfirmedWritesBound() {
        return maxUnconfirmedWrites != null
                ? maxUnconfirmedWrites
                : Math.max(batchConfig.maxBatchSize(), MIN_UNCONFIRMED_WRITES_BOUND);
    }

    /**
     * Whether the sink writes by a primary key (an upsert sink: the last record of a key wins), so
     * that the records of one key must be written in their order. Under RetryWithBackoff the
     * records waiting for a retry at a checkpoint are in the writer state, which a restore at
     * another parallelism shares out among the new writers as list state, not by key: a restored
     * record could be written after a newer record of its key that another writer wrote. For such a
     * sink that restore fails instead, except into one writer (see {@link VeloSink}); without a
     * primary key (append-only) the waiting records are restored at any parallelism. False unless
     * set.
     */
    public boolean keyedByPrimaryKey() {
        return keyedByPrimaryKey;
    }

    /** Builder of {@link VeloSinkSettings}; defaults: table "velo", default batch and failure. */
    @PublicEvolving
    public static final class Builder<T> {
        private String tableName = "velo";
        private BatchConfig batchConfig = BatchConfig.defaults();
        private FailureConfig failureConfig = FailureConfig.defaults();
        private DeadLetterWriterFactory deadLetterWriterFactory;
        private DeadLetterEncoder<T> encoder;
        private RecordSizeEstimator<T> sizeEstimator;
        private Boolean writesInTransaction;
        private Integer maxUnconfirmedWrites;
        private boolean keyedByPrimaryKey;

        private Builder() {}

        public Builder<T> tableName(String tableName) {
            this.tableName = tableName;
            return this;
        }

        public Builder<T> batchConfig(BatchConfig batchConfig) {
            this.batchConfig = batchConfig;
            return this;
        }

        public Builder<T> failureConfig(FailureConfig failureConfig) {
            this.failureConfig = failureConfig;
            return this;
        }

        public Builder<T> deadLetterWriterFactory(@Nullable DeadLetterWriterFactory factory) {
            this.deadLetterWriterFactory = factory;
            return this;
        }

        public Builder<T> encoder(DeadLetterEncoder<T> encoder) {
            this.encoder = encoder;
            return this;
        }

        public Builder<T> sizeEstimator(RecordSizeEstimator<T> sizeEstimator) {
            this.sizeEstimator = sizeEstimator;
            return this;
        }

        /** See {@link VeloSinkSettings#writesInTransaction()}; detected when not set. */
        public Builder<T> writesInTransaction(boolean writesInTransaction) {
            this.writesInTransaction = writesInTransaction;
            return this;
        }

        /**
         * See {@link VeloSinkSettings#unconfirmedWritesBound()}; 1 flushes the delegate after every
         * batch (after every record without batching).
         */
        public Builder<T> maxUnconfirmedWrites(int maxUnconfirmedWrites) {
            Preconditions.checkArgument(
                    maxUnconfirmedWrites > 0,
                    "maxUnconfirmedWrites must be positive, was %s",
                    maxUnconfirmedWrites);
            this.maxUnconfirmedWrites = maxUnconfirmedWrites;
            return this;
        }

        /**
         * Opt-in: the sink writes by a primary key, so the order of each key's records must be
         * kept; a restore at another parallelism while records wait for a retry then fails with a
         * clear error instead of writing them out of order. See {@link
         * VeloSinkSettings#keyedByPrimaryKey()}.
         */
        public Builder<T> keyedByPrimaryKey(boolean keyedByPrimaryKey) {
            this.keyedByPrimaryKey = keyedByPrimaryKey;
            return this;
        }

        public VeloSinkSettings<T> build() {
            return new VeloSinkSettings<>(this);
        }
    }
}
