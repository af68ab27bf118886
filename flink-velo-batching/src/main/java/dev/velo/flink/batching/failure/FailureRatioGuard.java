package dev.velo.flink.batching.failure;

import dev.velo.flink.batching.config.FailureConfig;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.Preconditions;

/**
 * The error-rate guard: counts processed and failed records in a sliding window made of {@value
 * #BUCKETS} buckets and trips when the failed share exceeds {@code max_failure_ratio}. The share is
 * strict: one failure among the first records of a window can trip a low ratio.
 */
@Internal
public final class FailureRatioGuard {

    static final int BUCKETS = 10;

    private final double maxRatio;
    private final long windowMillis;
    private final long bucketMillis;
    private final long[] epochs = new long[BUCKETS];
    private final long[] totals = new long[BUCKETS];
    private final long[] failures = new long[BUCKETS];

    public FailureRatioGuard(double maxRatio, long windowMillis) {
        Preconditions.checkArgument(maxRatio >= 0, "maxRatio must be >= 0");
        Preconditions.checkArgument(windowMillis > 0, "window must be positive");
        this.maxRatio = maxRatio;
        this.windowMillis = windowMillis;
        this.bucketMillis = Math.max(1, windowMillis / BUCKETS);
        java.util.Arrays.fill(epochs, Long.MIN_VALUE);
    }

    /** The guard of {@code config}, or null when it is off. */
    public static FailureRatioGuard of(FailureConfig config) {
        return config.isFailureRatioGuardEnabled()
                ? new FailureRatioGuard(
                        config.maxFailureRatio(), config.failureRatioWindow().toMillis())
                : null;
    }

    /** Adds a batch's counts; returns the failed share of the window if it exceeds the limit. */
    public double record(long total, long failed, long nowMillis) {
        long epoch = Math.floorDiv(nowMillis, bucketMillis);
        int i = (int) Math.floorMod(epoch, (long) BUCKETS);
        if (epochs[i] != epoch) {
            epochs[i] = epoch;
            totals[i] = 0;
            failures[i] = 0;
        }
        totals[i] += total;
        failures[i] += failed;
        long sumTotal = 0;
        long sumFailed = 0;
        for (int b = 0; b < BUCKETS; b++) {
            if (epochs[b] != Long.MIN_VALUE && epoch - epochs[b] < BUCKETS) {
                sumTotal += totals[b];
                sumFailed += failures[b];
            }
        }
        double ratio = sumTotal == 0 ? 0 : (double) sumFailed / sumTotal;
        return ratio > maxRatio ? ratio : -1;
    }

    /** Throws when the failed share exceeds the limit. */
    public void check(String tableName, long total, long failed, long nowMillis)
            throws VeloFailureRatioExceededException {
        double ratio = record(total, failed, nowMillis);
        if (ratio >= 0) {
            throw new VeloFailureRatioExceededException(
                    String.format(
                            java.util.Locale.ROOT,
                            "Table '%s': %.2f%% of the records failed within the last %d ms,"
                                    + " more than max_failure_ratio %.2f%%; failing so that a"
                                    + " broken upstream does not quietly fill the DLQ.",
                            tableName,
                            ratio * 100,
                            windowMillis,
                            maxRatio * 100));
        }
    }
}
