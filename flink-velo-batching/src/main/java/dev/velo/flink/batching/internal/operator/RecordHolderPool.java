package dev.velo.flink.batching.internal.operator;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The StreamRecord holders a {@link BatchingOperator} keeps its buffered records in: the runtime
 * may reuse the element it hands over, so it cannot be kept. A batch is processed synchronously
 * when it is flushed and nothing keeps its holders afterwards (functions get the values, dead
 * letters are encoded at once, records kept for a retry are copied into fresh holders), so the
 * holder at position i is free again when the next batch reaches position i, and a steady stream
 * allocates nothing per record.
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
     * The holder that carries {@code value}, with the timestamp of {@code element}, at position
     * {@code i} of the batch.
     */
    StreamRecord<IN> holderFor(IN value, StreamRecord<IN> element, int i) {
        if (pool == null || i >= pool.length) {
            return element.hasTimestamp()
                    ? new StreamRecord<>(value, element.getTimestamp())
                    : new StreamRecord<>(value);
        }
        StreamRecord<IN> holder = pool[i];
        if (holder == null) {
            holder = new StreamRecord<>(value);
            pool[i] = holder;
        }
        if (element.hasTimestamp()) {
            holder.replace(value, element.getTimestamp());
        } else {
            holder.replace(value);
            holder.eraseTimestamp();
        }
        return holder;
    }
}
