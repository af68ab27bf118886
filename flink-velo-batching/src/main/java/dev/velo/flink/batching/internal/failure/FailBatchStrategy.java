package dev.velo.flink.batching.internal.failure;

import dev.velo.flink.batching.failure.VeloBatchFailedException;
import java.util.List;
import org.apache.flink.annotation.Internal;

/** FailBatch: the task fails with an error naming the table, the batch and the record. */
@Internal
final class FailBatchStrategy<T> implements RecordFailureStrategy<T> {

    private final String tableName;

    FailBatchStrategy(String tableName) {
        this.tableName = tableName;
    }

    @Override
    public void failRecord(long batchId, int index, T record, Exception error, int attempts)
            throws VeloBatchFailedException {
        throw new VeloBatchFailedException(tableName, batchId, index, attempts, error);
    }

    @Override
    public int failBatch(long batchId, List<T> batch, boolean[] done, Exception error, int attempts)
            throws VeloBatchFailedException {
        throw new VeloBatchFailedException(tableName, batchId, -1, attempts, error);
    }
}
