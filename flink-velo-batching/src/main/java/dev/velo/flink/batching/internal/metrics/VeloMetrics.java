package dev.velo.flink.batching.internal.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;

/**
 * The "nothing lost" metrics of one batching stage (per table and subtask), registered under {@code
 * <group>.velo}: in = out + dead-lettered + dropped. Registered on a sink writer's or source
 * reader's metric group, a dropped or dead-lettered record also counts in Flink's standard
 * (FLIP-33) {@code numRecordsOutErrors} or {@code numRecordsInErrors} of that group, so dashboards
 * built on Flink's connector metrics see velo's failures.
 */
@Internal
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
    // written by the task thread once per batch, read by a metric reporter: an opaque access is
    // atomic and becomes visible without the store-load fence a volatile write costs per batch
    private long lastBatchLatencyMs;

    private static final VarHandle LAST_BATCH_LATENCY;

    static {
        try {
            LAST_BATCH_LATENCY =
                    MethodHandles.lookup()
                            .findVarHandle(VeloMetrics.class, "lastBatchLatencyMs", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private VeloMetrics(MetricGroup group, @Nullable Counter standardErrors) {
        numRecordsIn = counter(group, "numRecordsIn");
        numRecordsOut = counter(group, "numRecordsOut");
        numRecordsDeadLettered =
                alsoCounting(counter(group, "numRecordsDeadLettered"), standardErrors);
        numRecordsDropped = alsoCounting(counter(group, "numRecordsDropped"), standardErrors);
        numRetries = counter(group, "numRetries");
        numBatches = counter(group, "numBatches");
        flushes[FlushReason.SIZE.ordinal()] = counter(group, "numFlushesBySize");
        flushes[FlushReason.TIMER.ordinal()] = counter(group, "numFlushesByTimer");
        flushes[FlushReason.CHECKPOINT.ordinal()] = counter(group, "numFlushesByCheckpoint");
        flushes[FlushReason.END_OF_INPUT.ordinal()] = counter(group, "numFlushesByEndOfInput");
        Histogram h = new BatchSizeHistogram(1024);
        batchSize = group == null ? h : group.histogram("batchSize", h);
        if (group != null) {
            group.gauge("batchLatencyMs", (Gauge<Long>) this::batchLatencyMs);
        }
    }

    private static Counter counter(MetricGroup group, String name) {
        return group == null ? new SimpleCounter() : group.counter(name, new SimpleCounter());
    }

    /**
     * Registers the metrics on {@code parent.addGroup("velo")}; failed records also count in the
     * FLIP-33 error counter of {@code parent} when it is a {@link SinkWriterMetricGroup} ({@code
     * numRecordsOutErrors}) or a {@link SourceReaderMetricGroup} ({@code numRecordsInErrors}).
     */
    public static VeloMetrics register(MetricGroup parent) {
        return register(parent, parent);
    }

    /**
     * Registers the metrics on {@code parent.addGroup("velo")}; failed records also count in the
     * FLIP-33 error counter of {@code flinkGroup} (a sink writer's or source reader's group, of
     * which {@code parent} may be a subgroup).
     */
    public static VeloMetrics register(MetricGroup parent, MetricGroup flinkGroup) {
        Counter standardErrors = null;
        if (flinkGroup instanceof SinkWriterMetricGroup) {
            standardErrors = ((SinkWriterMetricGroup) flinkGroup).getNumRecordsOutErrorsCounter();
        } else if (flinkGroup instanceof SourceReaderMetricGroup) {
            standardErrors = ((SourceReaderMetricGroup) flinkGroup).getNumRecordsInErrorsCounter();
        }
        return new VeloMetrics(parent.addGroup(GROUP), standardErrors);
    }

    /** Unregistered, in-memory metrics; the getters expose the counts (for tests). */
    public static VeloMetrics inMemory() {
        return new VeloMetrics(null, null);
    }

    private static Counter alsoCounting(Counter own, @Nullable Counter standard) {
        return standard == null ? own : new TwoCounters(own, standard);
    }

    /**
     * Velo's counter that also counts in a standard one; reads return velo's own count (the
     * standard counter may count other errors too, e.g. a Kafka writer's failed sends).
     */
    private static final class TwoCounters implements Counter {
        private final Counter own;
        private final Counter standard;

        TwoCounters(Counter own, Counter standard) {
            this.own = own;
            this.standard = standard;
        }

        @Override
        public void inc() {
            own.inc();
            standard.inc();
        }

        @Override
        public void inc(long n) {
            own.inc(n);
            standard.inc(n);
        }

        @Override
        public void dec() {
            own.dec();
            standard.dec();
        }

        @Override
        public void dec(long n) {
            own.dec(n);
            standard.dec(n);
        }

        @Override
        public long getCount() {
            return own.getCount();
        }
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
        LAST_BATCH_LATENCY.setOpaque(this, millis);
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
        return (long) LAST_BATCH_LATENCY.getOpaque(this);
    }

    public long numFlushes(FlushReason reason) {
        return flushes[reason.ordinal()].getCount();
    }
}
