package dev.velo.flink.e2e.bench;

import dev.velo.flink.batching.batcher.RecordSizeEstimators;
import dev.velo.flink.batching.internal.batcher.Batcher;
import dev.velo.flink.batching.internal.batcher.Batchers;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * ns per record of a batcher's add + drain loop, per strategy at its seed defaults. One invocation
 * adds {@value #RECORDS} preallocated records (the clock advances 1 ms every 1024 records) and
 * consumes every drained batch, so {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes per
 * record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BatcherBenchmark {

    static final int RECORDS = 100_000;

    @Param({
        "fixed_size",
        "time_window",
        "memory_based",
        "adaptive_size",
        "low_latency",
        "mega_batch",
        "mega_batch_no_reuse"
    })
    public String strategy;

    private Batcher<Object> batcher;
    private Object[] records;
    private long now;

    @Setup(Level.Trial)
    public void setUp() {
        batcher =
                Batchers.create(
                        BenchStrategies.config(strategy, false), RecordSizeEstimators.constant(64));
        records = new Object[1024];
        for (int i = 0; i < records.length; i++) {
            records[i] = Long.valueOf(i);
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void addAndFlush(Blackhole bh) {
        Batcher<Object> b = batcher;
        Object[] recs = records;
        for (int i = 0; i < RECORDS; i++) {
            if ((i & 1023) == 0) {
                now++;
            }
            if (b.add(recs[i & 1023], now)) {
                consume(b, bh);
            }
        }
        if (!b.isEmpty()) {
            consume(b, bh);
        }
    }

    private static void consume(Batcher<Object> b, Blackhole bh) {
        List<Object> batch = b.drain();
        int n = batch.size();
        for (int i = 0; i < n; i++) {
            bh.consume(batch.get(i));
        }
        b.onBatchProcessed(n, 1);
    }
}
