package dev.velo.flink.batching.internal.operator;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The StreamRecord holders a {@link BatchingOperator} hands a flushed batch to its function in (the
 * failure handler and the function processors work on StreamRecords): the operator buffers the
 * values and their timestamps ({@link BatchTimestamps}), and wraps them here only when a batch with
 * a function is flushed; a pass-through stage needs no holder at all. A batch is processed
 * synchronously when it is flushed and nothing keeps its holders afterwards (functions get the
 * values, dead letters are encoded at once, records kept for a retry are copied into fresh
 * holders), so the holder at position i is free again when the next batch reaches position i, and a
 * steady stream allocates nothing per record.
 */
@Internal
final class RecordHolderPool<IN> {

    /** Most holders pooled for strategies other than mega_batch with reuse_buffer. */
    static final int MAX_POOLED = 4096;

    @Nullable private final StreamRecord<IN>[] pool;

    @SuppressWarnings("unchecked")
    RecordHolderPool(BatchConfig config) {
        int size = size(config);
        this.pool = size > 0 ? new StreamRecord[size] : null;
    }

    /**
     * Size of the pool: one batch's records, for every strategy. mega_batch with reuse_buffer gets
     * its whole batch; the other strategies up to {@value #MAX_POOLED} holders (records beyond get
     * a fresh holder), so a large batch.max_size costs no memory it is not using.
     */
    static int size(BatchConfig cfg) {
        if (!cfg.isEnabled()) {
            return 1;
        }
        if (cfg.strategy() instanceof BatchStrategy.MegaBatch mb && mb.reuseBuffer()) {
            return Math.min(mb.batchSize(), cfg.maxBatchSize());
        }
        return Math.min(cfg.maxBatchSize(), MAX_POOLED);
    }

    /**
     * The flushed {@code values} as StreamRecords (with the timestamps of {@code timestamps}), in a
     * new list of pooled holders: the holder at position i is reused by the next batch's position
     * i.
     */
    List<StreamRecord<IN>> wrap(List<IN> values, BatchTimestamps timestamps) {
        int n = values.size();
        List<StreamRecord<IN>> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            StreamRecord<IN> holder;
            if (pool == null || i >= pool.length) {
                holder = new StreamRecord<>(null);
            } else {
                holder = pool[i];
                if (holder == null) {
                    holder = new StreamRecord<>(null);
                    pool[i] = holder;
                }
            }
            records.add(timestamps.fill(holder, values.get(i), i));
        }
        return records;
    }
}
