package dev.velo.flink.e2e.bench;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import java.util.ArrayList;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The anchor of the DataStream cases: the buffer-and-emit stage a user would write by hand instead
 * of flink-velo. It keeps the values in a list, emits them when {@code size} are buffered, before
 * every checkpoint barrier and at end of input, and copies each value when object reuse is on (as a
 * correct hand-written stage must). It has no timeout, no metrics, no failure handling, and it
 * drops timestamps and holds no watermark back: what flink-velo adds on top is what the velo stage
 * is measured against.
 */
public final class NaiveBatchingOperator<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<T, T>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final int size;
    private transient ArrayList<T> buffer;
    private transient StreamRecord<T> out;
    private transient TypeSerializer<T> copier;

    public NaiveBatchingOperator(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        this.size = size;
    }

    /** {@code in} through a naive stage of the batch size velo's {@code config} flushes at. */
    public static <T> DataStream<T> apply(DataStream<T> in, BatchConfig config) {
        return in.transform("naive", in.getType(), new NaiveBatchingOperator<T>(batchSize(config)))
                .setParallelism(in.getParallelism());
    }

    /**
     * The number of records per batch of {@code config} at a high, steady rate: the size of
     * fixed_size, mega_batch and low_latency; otherwise {@code batch.max_size} (time_window,
     * memory_based with small records and adaptive_size under its target latency all reach it).
     */
    public static int batchSize(BatchConfig config) {
        int max = config.maxBatchSize();
        BatchStrategy s = config.strategy();
        if (s instanceof BatchStrategy.FixedSize f) {
            return Math.min(f.size(), max);
        } else if (s instanceof BatchStrategy.MegaBatch m) {
            return Math.min(m.batchSize(), max);
        } else if (s instanceof BatchStrategy.LowLatency l) {
            return Math.min(l.maxSize(), max);
        }
        return max;
    }

    @Override
    public void open() throws Exception {
        super.open();
        buffer = new ArrayList<>(Math.min(size, 65_536));
        out = new StreamRecord<>(null);
        if (getExecutionConfig().isObjectReuseEnabled()) {
            copier = config.getTypeSerializerIn(0, getUserCodeClassloader());
        }
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        T v = element.getValue();
        buffer.add(copier == null ? v : copier.copy(v));
        if (buffer.size() >= size) {
            emit();
        }
    }

    private void emit() {
        ArrayList<T> b = buffer;
        for (int i = 0, n = b.size(); i < n; i++) {
            output.collect(out.replace(b.get(i)));
        }
        b.clear();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        emit();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() {
        emit();
    }
}
