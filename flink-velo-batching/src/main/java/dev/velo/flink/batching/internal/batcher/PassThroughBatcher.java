package dev.velo.flink.batching.internal.batcher;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;

/** {@code batch.enable = false}: every record is a batch of one, flushed at once. */
@Internal
public final class PassThroughBatcher<T> implements Batcher<T> {

    private final List<T> one = new ArrayList<>(1);

    @Override
    public boolean add(T record, long nowMillis) {
        one.add(record);
        return true;
    }

    @Override
    public long flushDeadline() {
        return one.isEmpty() ? Long.MAX_VALUE : Long.MIN_VALUE;
    }

    @Override
    public int size() {
        return one.size();
    }

    @Override
    public List<T> drain() {
        List<T> out = new ArrayList<>(one);
        one.clear();
        return out;
    }
}
