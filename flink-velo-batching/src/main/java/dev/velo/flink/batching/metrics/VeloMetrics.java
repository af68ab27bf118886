package dev.velo.flink.batching.metrics;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;

/**
 * The "nothing lost" metrics of one batching stage (per table and subtask), registered under {@code
 * <group>.velo}: in = out + dead-lettered + dropped.
 */
@PublicEvolving
public final class VeloMetrics {

    /** Name of the metric group all velo metrics live in. */
    public static final String GROUP = "velo";

    private final Counter numRecordsIn;
    private final Counter numRecordsOut;
    private final Counter numRecordsDeadLettered;
    private final Counter numRecordsDropped;
    private final Counter numRetries;
    private final Counter numBatches;
    private final Histogram batchSize;
    private final Counter[] flushes = new Counter[FlushReason.values().length];
    private volatile long lastBatchLatencyMs;

    private VeloMetrics(MetricGroup group) {
        numRecordsIn = counter(group, "numRecordsIn");
        numRecordsOut = counter(group, "numRecordsOut");
        numRecordsDeadLettered = counter(group, "numRecordsDeadLettered");
        numRecordsDropped = counter(group, "numRecordsDropped");
        numRetries = counter(group, "numRetries");
        numBatches = counter(group, "numBatches");
        flushes[FlushReason.SIZE.ordinal()] = counter(group, "numFlushesBySize");
        flushes[FlushReason.TIMER.ordinal()] = counter(group, "numFlushesByTimer");
        flushes[FlushReason.CHECKPOINT.ordinal()] = counter(group, "numFlushesByCheckpoint");
        flushes[FlushReason.END_OF_INPUT.ordinal()] = counter(group, "numFlushesByEndOfInput");
        SimpleHistogram h = new SimpleHistogram(1024);
        batchSize = group == null ? h : group.histogram("batchSize", h);
        if (group != null) {
            group.gauge("batchLatencyMs", (Gauge<Long>) () -> lastBatchLatencyMs);
        }
    }

    private static Counter counter(MetricGroup group, String name) {
        return group == null ? new SimpleCounter() : group.counter(name, new SimpleCounter());
    }

    /** Registers the metrics on {@code parent.addGroup("velo")}. */
    public static VeloMetrics register(MetricGroup parent) {
        return new VeloMetrics(parent.addGroup(GROUP));
    }

    /** Unregistered, in-memory metrics; the getters expose the counts (for tests). */
    public static VeloMetrics inMemory() {
        return new VeloMetrics(null);
    }

    /** Same as {@link #inMemory()}: for callers that do not read the counts. */
    public static VeloMetrics noop() {
        return inMemory();
    }

    /** Counts one flushed batch of {@code size} records. */
    public void batchFlushed(FlushReason reason, int size) {
        numBatches.inc();
        batchSize.update(size);
        flushes[reason.ordinal()].inc();
    }

    public void batchLatency(long millis) {
        lastBatchLatencyMs = millis;
    }

    public Counter numRecordsIn() {
        return numRecordsIn;
    }

    public Counter numRecordsOut() {
        return numRecordsOut;
    }

    public Counter numRecordsDeadLettered() {
        return numRecordsDeadLettered;
    }

    public Counter numRecordsDropped() {
        return numRecordsDropped;
    }

    public Counter numRetries() {
        return numRetries;
    }

    public Counter numBatches() {
        return numBatches;
    }

    public Histogram batchSize() {
        return batchSize;
    }

    public long batchLatencyMs() {
        return lastBatchLatencyMs;
    }

    public long numFlushes(FlushReason reason) {
        return flushes[reason.ordinal()].getCount();
    }
}
