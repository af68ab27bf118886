package dev.velo.flink.batching.internal.failure;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.util.Random;
import java.util.function.LongSupplier;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Makes the {@link RecordFailureStrategy} a {@link FailureConfig} names: a terminal one (FailBatch,
 * SendToDLQ, LogAndContinue), or RetryWithBackoff around the one of {@code retry_exhausted}.
 */
@Internal
final class RecordFailureStrategies {

    private RecordFailureStrategies() {}

    static <T> RecordFailureStrategy<T> of(
            FailureConfig config,
            String tableName,
            String side,
            @Nullable DeadLetterEncoder<T> encoder,
            @Nullable DeadLetterSink deadLetters,
            VeloMetrics metrics,
            @Nullable Sleeper sleeper,
            LongSupplier clock,
            Random random) {
        if (config.mayDeadLetter() && deadLetters == null) {
            throw new IllegalStateException(
                    "Table '"
                            + tableName
                            + "': failure strategy "
                            + config
                            + " sends records to a DLQ, but no DLQ is configured.");
        }
        boolean retrying = config.strategy() == FailureStrategy.RETRY_WITH_BACKOFF;
        RecordFailureStrategy<T> terminal;
        switch (retrying ? config.retryExhaustedStrategy() : config.strategy()) {
            case FAIL_BATCH:
                terminal = new FailBatchStrategy<>(tableName);
                break;
            case SEND_TO_DLQ:
                terminal =
                        new SendToDlqStrategy<>(
                                tableName,
                                side,
                                config.strategy().displayName(),
                                config,
                                encoder != null ? encoder : DeadLetterEncoder.toStringUtf8(),
                                deadLetters,
                                metrics,
                                clock);
                break;
            case LOG_AND_CONTINUE:
                terminal = new LogAndContinueStrategy<>(tableName, side, metrics);
                break;
            default:
                throw new IllegalStateException("not a terminal strategy: " + config);
        }
        return retrying
                ? new RetryWithBackoffStrategy<>(
                        terminal,
                        config,
                        random,
                        sleeper != null ? sleeper : Sleeper.system(),
                        metrics)
                : terminal;
    }
}
