package dev.velo.flink.e2e.suites;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import java.time.Duration;

/** One velo configuration the suites run with: a batching strategy and a failure strategy. */
enum VeloVariant {
    FIXED_SIZE_FAIL_BATCH("fixed_size", FailureStrategy.FAIL_BATCH),
    FIXED_SIZE_SEND_TO_DLQ("fixed_size", FailureStrategy.SEND_TO_DLQ),
    MEGA_BATCH_FAIL_BATCH("mega_batch", FailureStrategy.FAIL_BATCH),
    MEGA_BATCH_SEND_TO_DLQ("mega_batch", FailureStrategy.SEND_TO_DLQ);

    final String batchStrategy;
    final FailureStrategy failureStrategy;

    VeloVariant(String batchStrategy, FailureStrategy failureStrategy) {
        this.batchStrategy = batchStrategy;
        this.failureStrategy = failureStrategy;
    }

    /**
     * fixed_size: batches of 50 (the suites write a few hundred records, so several batches per job
     * and a partial one at every checkpoint); mega_batch: parallel with reused buffers, larger than
     * a whole test run, so only checkpoints, the timeout and end of input flush it.
     */
    BatchConfig batchConfig() {
        BatchConfig.Builder b = BatchConfig.builder().batchTimeout(Duration.ofMillis(100));
        if (batchStrategy.equals("fixed_size")) {
            return b.strategy(new BatchStrategy.FixedSize(50)).build();
        }
        return b.strategy(new BatchStrategy.MegaBatch(5_000, true, true))
                .maxBatchSize(5_000)
                .enabled(true)
                .build();
    }

    FailureConfig failureConfig() {
        return FailureConfig.of(failureStrategy);
    }

    @Override
    public String toString() {
        return batchStrategy + "/" + failureStrategy.displayName();
    }
}
