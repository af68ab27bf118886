package dev.velo.flink.batching.internal.failure;

import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LogAndContinue: a failed record is logged (metadata only, never the record) and counted in {@code
 * numRecordsDropped}.
 */
@Internal
final class LogAndContinueStrategy<T> implements RecordFailureStrategy<T> {

    private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

    private final String tableName;
    private final String side;
    private final VeloMetrics metrics;

    LogAndContinueStrategy(String tableName, String side, VeloMetrics metrics) {
        this.tableName = tableName;
        this.side = side;
        this.metrics = metrics;
    }

    @Override
    public void failRecord(long batchId, int index, T record, Exception e, int attempts) {
        LOG.warn(
                "Table '{}' ({}): dropped record {} of batch {} after {} attempt(s): {}: {}",
                tableName,
                side,
                index,
                batchId,
                attempts,
                e.getClass().getName(),
                e.getMessage());
        metrics.numRecordsDropped().inc();
    }

    @Override
    public int failBatch(long batchId, List<T> batch, boolean[] done, Exception e, int attempts) {
        int count = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (!done[i]) {
                done[i] = true;
                count++;
            }
        }
        metrics.numRecordsDropped().inc(count);
        LOG.warn(
                "Table '{}' ({}): dropped {} record(s) of batch {} whose flush failed after {}"
                        + " attempt(s): {}: {}",
                tableName,
                side,
                count,
                batchId,
                attempts,
                e.getClass().getName(),
                e.getMessage());
        return count;
    }
}
