package dev.velo.flink.batching.internal.failure;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.batching.failure.VeloFailureRatioExceededException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.Preconditions;

/**
 * The error-rate guard: counts processed and failed records in a sliding window of {@code
 * failure_ratio_window} made of {@value #BUCKETS} buckets, and trips when the window holds at least
 * {@code failure_ratio_min_records} records and more than {@code max_failure_ratio} of them failed.
 *
 * <p>The minimum sample keeps a few bad records from failing the job on their own: without it the
 * first record failing is a 100 % share, and since the guard's counts are not checkpointed, a
 * restarted job would re-read that record first and trip again, forever. With it, a restart starts
 * an empty window that needs the minimum again before it can trip; a source whose failed share
 * stays above the limit still trips on every attempt, and the job's restart strategy decides when
 * to give up.
 */
@Internal
public final class FailureRatioGuard {

    static final int BUCKETS = 10;

    private final double maxRatio;
    private final long windowMillis;
    private final long minRecords;
    private final long bucketMillis;
    private final long[] epochs = new long[BUCKETS];
    private final long[] totals = new long[BUCKETS];
    private final long[] failures = new long[BUCKETS];

    /** A guard that judges the ratio from the first record on (a minimum sample of 1). */
    public FailureRatioGuard(double maxRatio, long windowMillis) {
        this(maxRatio, windowMillis, 1);
    }

    /**
     * @param minRecords records the window must hold before the ratio can trip the guard
     */
    public FailureRatioGuard(double maxRatio, long windowMillis, long minRecords) {
        Preconditions.checkArgument(maxRatio >= 0, "maxRatio must be >= 0");
        Preconditions.checkArgument(windowMillis > 0, "window must be positive");
        Preconditions.checkArgument(minRecords >= 1, "minRecords must be >= 1");
        this.maxRatio = maxRatio;
        this.windowMillis = windowMillis;
        this.minRecords = minRecords;
        this.bucketMillis = Math.max(1, windowMillis / BUCKETS);
        java.util.Arrays.fill(epochs, Long.MIN_VALUE);
    }

    /** The guard of {@code config}, or null when it is off. */
    public static FailureRatioGuard of(FailureConfig config) {
        return config.isFailureRatioGuardEnabled()
                ? new FailureRatioGuard(
                        config.maxFailureRatio(),
                        config.failureRatioWindow().toMillis(),
                        config.failureRatioMinRecords())
                : null;
    }

    /**
     * Adds a batch's counts; returns the failed share of the window if the window holds at least
     * the minimum sample and the share exceeds the limit, else -1.
     */
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
        if (sumTotal < minRecords) {
            return -1;
        }
        double ratio = (double) sumFailed / sumTotal;
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
                            "Table '%s': %.2f%% of the records failed within the last %d ms"
                                    + " (window of at least %d records), more than"
                                    + " %s %.2f%%; failing so that a broken"
                                    + " upstream does not quietly fill the DLQ. A restart"
                                    + " re-reads the same input: fix the input or raise"
                                    + " %s, or the job trips again on every"
                                    + " attempt its restart strategy allows.",
                            tableName,
                            ratio * 100,
                            windowMillis,
                            minRecords,
                            FailureOptions.MAX_FAILURE_RATIO.key(),
                            maxRatio * 100,
                            FailureOptions.MAX_FAILURE_RATIO.key()));
        }
    }
}
