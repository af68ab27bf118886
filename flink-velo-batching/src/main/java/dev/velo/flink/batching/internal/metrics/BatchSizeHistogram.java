package dev.velo.flink.batching.internal.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogramStatistics;

/**
 * The sizes of a stage's last {@code window} batches, written by one thread (the task thread, once
 * per batch) and read by metric reporters. Flink's {@code DescriptiveStatisticsHistogram} takes a
 * lock on every update; an uncontended lock still costs an atomic compare-and-swap, once per batch
 * of every stage, which for small batches is a visible share of the per-record cost. Here an update
 * is two plain stores and a release store of the count; a reporter copies the window (an entry
 * being overwritten meanwhile shows the old or the new size, each a whole int) and computes the
 * statistics from the copy, as Flink's histogram does.
 */
@Internal
public final class BatchSizeHistogram implements Histogram {

    private static final VarHandle COUNT;

    static {
        try {
            COUNT =
                    MethodHandles.lookup()
                            .findVarHandle(BatchSizeHistogram.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int[] window;
    private final int mask;
    // updates so far; written by the one writer with a release store, read with an acquire load
    private long count;

    /**
     * @param window the number of latest sizes kept, a power of two
     */
    public BatchSizeHistogram(int window) {
        if (window <= 0 || Integer.bitCount(window) != 1) {
            throw new IllegalArgumentException("window must be a power of two, got " + window);
        }
        this.window = new int[window];
        this.mask = window - 1;
    }

    /** Called by the one writing thread. */
    @Override
    public void update(long value) {
        long c = count;
        window[(int) c & mask] = (int) Math.min(Math.max(value, 0), Integer.MAX_VALUE);
        COUNT.setRelease(this, c + 1);
    }

    @Override
    public long getCount() {
        return (long) COUNT.getAcquire(this);
    }

    @Override
    public HistogramStatistics getStatistics() {
        int n = (int) Math.min(getCount(), window.length);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = window[i];
        }
        return new DescriptiveStatisticsHistogramStatistics(values);
    }
}
