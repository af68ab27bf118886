package dev.velo.flink.e2e.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A discarding sink that counts records and times the run from the first writer's creation (the
 * source starts right after, in the same chained task) to the last writer's end of input. The
 * figures live in static fields: the benchmark runs the job on a MiniCluster in its own JVM.
 */
public final class TimingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private static final LongAccumulator START = new LongAccumulator(Math::min, Long.MAX_VALUE);
    private static final LongAccumulator END = new LongAccumulator(Math::max, Long.MIN_VALUE);
    private static final LongAdder COUNT = new LongAdder();
    private static final AtomicLong SINK = new AtomicLong();
    private static final LongAdder CPU_NANOS = new LongAdder();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Clears the figures before a run. */
    public static void reset() {
        START.reset();
        END.reset();
        COUNT.reset();
        CPU_NANOS.reset();
    }

    /**
     * Records per second of CPU time of the sink's task threads in the last run (each writer's
     * thread from its creation to its end of input). With the whole pipeline chained into one task
     * (source, stage, sink), this is the pipeline's cost per record, and unlike the wall-clock rate
     * it does not count the time the thread waited for a core on a loaded machine. NaN when the JVM
     * cannot measure thread CPU time.
     */
    public static double recordsPerCpuSecond() {
        long nanos = CPU_NANOS.sum();
        return nanos <= 0 ? Double.NaN : COUNT.sum() * 1e9 / nanos;
    }

    private static long threadCpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    public static long count() {
        return COUNT.sum();
    }

    /** Records per second of the last run. */
    public static double recordsPerSecond() {
        long nanos = END.get() - START.get();
        return nanos <= 0 ? 0 : COUNT.sum() * 1e9 / nanos;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        START.accumulate(System.nanoTime());
        return new Writer<>();
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private long count;
        private long hash;
        private final long cpuStart = threadCpuNanos();

        @Override
        public void write(T element, Context context) {
            count++;
            // reads each record, so the JIT cannot elide them. Not System.identityHashCode: it
            // installs a hash in each object's header, which took a quarter of the velo task's CPU
            // time in a profile and made the discarding sink the bottleneck.
            hash += element.hashCode();
        }

        @Override
        public void flush(boolean endOfInput) {
            if (endOfInput) {
                publish();
            }
        }

        private void publish() {
            if (count > 0) {
                END.accumulate(System.nanoTime());
                long cpu = threadCpuNanos();
                if (cpuStart >= 0 && cpu >= cpuStart) {
                    CPU_NANOS.add(cpu - cpuStart);
                }
                COUNT.add(count);
                SINK.addAndGet(hash);
                count = 0;
            }
        }

        @Override
        public void close() {
            publish();
        }
    }
}
