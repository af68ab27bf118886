package dev.velo.flink.batching.internal.metrics;

import java.util.Arrays;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;

/** A histogram over the last N values, kept in a ring; enough for batch sizes. */
@Internal
public final class SimpleHistogram implements Histogram {

    private final long[] window;
    private long count;

    public SimpleHistogram(int windowSize) {
        this.window = new long[windowSize];
    }

    @Override
    public synchronized void update(long value) {
        window[(int) (count % window.length)] = value;
        count++;
    }

    @Override
    public synchronized long getCount() {
        return count;
    }

    @Override
    public synchronized HistogramStatistics getStatistics() {
        int n = (int) Math.min(count, window.length);
        long[] sorted = Arrays.copyOf(window, n);
        Arrays.sort(sorted);
        return new Stats(sorted);
    }

    /** Statistics of one snapshot of the ring. */
    private static final class Stats extends HistogramStatistics {
        private final long[] sorted;

        Stats(long[] sorted) {
            this.sorted = sorted;
        }

        @Override
        public double getQuantile(double quantile) {
            if (sorted.length == 0) {
                return 0;
            }
            int idx = (int) Math.ceil(quantile * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
        }

        @Override
        public long[] getValues() {
            return sorted.clone();
        }

        @Override
        public int size() {
            return sorted.length;
        }

        @Override
        public double getMean() {
            return sorted.length == 0 ? 0 : (double) Arrays.stream(sorted).sum() / sorted.length;
        }

        @Override
        public double getStdDev() {
            if (sorted.length == 0) {
                return 0;
            }
            double mean = getMean();
            double var = 0;
            for (long v : sorted) {
                var += (v - mean) * (v - mean);
            }
            return Math.sqrt(var / sorted.length);
        }

        @Override
        public long getMax() {
            return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
        }

        @Override
        public long getMin() {
            return sorted.length == 0 ? 0 : sorted[0];
        }
    }
}
