package dev.velo.flink.batching.internal.failure;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.failure.RetriableErrors;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.flink.annotation.Internal;

/**
 * SendToDLQ: a failed record becomes a dead letter (its payload, the error, the attempts, the
 * table, side, configured strategy and batch) handed to the DLQ and counted in {@code
 * numRecordsDeadLettered}.
 */
@Internal
final class SendToDlqStrategy<T> implements RecordFailureStrategy<T> {

    private final String tableName;
    private final String side;
    private final String configuredStrategy;
    private final FailureConfig config;
    private final DeadLetterEncoder<T> encoder;
    private final DeadLetterSink deadLetters;
    private final VeloMetrics metrics;
    private final LongSupplier clock;

    /**
     * @param configuredStrategy the strategy named in dead letters: the configured one
     *     (RetryWithBackoff when this strategy is its retry_exhausted)
     */
    SendToDlqStrategy(
            String tableName,
            String side,
            String configuredStrategy,
            FailureConfig config,
            DeadLetterEncoder<T> encoder,
            DeadLetterSink deadLetters,
            VeloMetrics metrics,
            LongSupplier clock) {
        this.tableName = tableName;
        this.side = side;
        this.configuredStrategy = configuredStrategy;
        this.config = config;
        this.encoder = encoder;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void failRecord(long batchId, int index, T record, Exception e, int attempts)
            throws Exception {
        byte[] payload;
        try {
            payload = encoder.payload(record);
        } catch (RuntimeException encodeError) {
            payload = null;
            e.addSuppressed(encodeError);
        }
        DeadLetter dl =
                DeadLetter.of(
                        payload,
                        e,
                        attempts,
                        clock.getAsLong(),
                        tableName,
                        side,
                        configuredStrategy,
                        batchId);
        dl.setRetryDecision(RetriableErrors.classify(e, config).toString());
        deadLetters.accept(dl);
        metrics.numRecordsDeadLettered().inc();
    }

    @Override
    public int failBatch(long batchId, List<T> batch, boolean[] done, Exception e, int attempts)
            throws Exception {
        int count = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (!done[i]) {
                done[i] = true;
                count++;
                failRecord(batchId, i, batch.get(i), e, attempts);
            }
        }
        return count;
    }
}
