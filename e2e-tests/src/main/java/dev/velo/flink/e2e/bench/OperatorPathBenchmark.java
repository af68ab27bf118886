package dev.velo.flink.e2e.bench;

import dev.velo.flink.batching.batcher.RecordSizeEstimators;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.internal.batcher.ArrivalClock;
import dev.velo.flink.batching.internal.batcher.Batcher;
import dev.velo.flink.batching.internal.batcher.Batchers;
import dev.velo.flink.batching.internal.metrics.FlushReason;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
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
 * ns and bytes per record of a pass-through batching stage's per-record path without the Flink
 * runtime, velo's against the hand-written stage's ({@link NaiveBatchingOperator}). {@code velo}
 * does what {@code BatchingOperator.processElement} and its flush do: the arrival clock, the value
 * into the strategy's real batcher and the timestamp into a primitive column, the counters and the
 * batch-size histogram per batch, the latency clock read per batch, and the batch leaving in one
 * reused StreamRecord. {@code naive} buffers values in a list and emits them at the strategy's
 * batch size. Both hand every record to a blackhole in place of the downstream operator.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OperatorPathBenchmark {

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
    private VeloMetrics metrics;
    private StreamRecord<Object>[] input;
    private ArrivalClock clock;
    private long batchStart;
    private long[] timestamps;
    private boolean[] present;
    private final StreamRecord<Object> out = new StreamRecord<>(null);
    private ArrayList<Object> naiveBuffer;
    private int naiveSize;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() {
        BatchConfig config = BenchStrategies.config(strategy, false);
        batcher = Batchers.create(config, RecordSizeEstimators.constant(64));
        metrics = VeloMetrics.inMemory();
        clock = new ArrivalClock(System::currentTimeMillis, 4096);
        timestamps = new long[config.maxBatchSize() + 1];
        present = new boolean[config.maxBatchSize() + 1];
        naiveSize = NaiveBatchingOperator.batchSize(config);
        naiveBuffer = new ArrayList<>(Math.min(naiveSize, 65_536));
        input = new StreamRecord[1024];
        for (int i = 0; i < input.length; i++) {
            // a source without a timestamp assigner sets Long.MIN_VALUE as the timestamp
            input[i] = new StreamRecord<>(Long.valueOf(i), Long.MIN_VALUE);
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void velo(Blackhole bh) {
        for (int i = 0; i < RECORDS; i++) {
            StreamRecord<Object> element = input[i & 1023];
            int buffered = batcher.size();
            boolean startsBatch = buffered == 0;
            long now = clock.arrival(startsBatch);
            boolean has = element.hasTimestamp();
            present[buffered] = has;
            if (has) {
                timestamps[buffered] = element.getTimestamp();
            }
            if (startsBatch) {
                batchStart = now;
            }
            if (batcher.add(element.getValue(), now)) {
                flush(bh);
            }
        }
        if (!batcher.isEmpty()) {
            flush(bh);
        }
    }

    private void flush(Blackhole bh) {
        List<Object> batch = batcher.drain();
        int n = batch.size();
        metrics.numRecordsIn().inc(n);
        metrics.batchFlushed(FlushReason.SIZE, n);
        StreamRecord<Object> r = out;
        for (int i = 0; i < n; i++) {
            if (present[i]) {
                r.replace(batch.get(i), timestamps[i]);
            } else {
                r.replace(batch.get(i));
                r.eraseTimestamp();
            }
            bh.consume(r);
        }
        metrics.numRecordsOut().inc(n);
        long latency = Math.max(0, System.currentTimeMillis() - batchStart);
        metrics.batchLatency(latency);
        batcher.onBatchProcessed(n, latency);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void naive(Blackhole bh) {
        ArrayList<Object> b = naiveBuffer;
        for (int i = 0; i < RECORDS; i++) {
            b.add(input[i & 1023].getValue());
            if (b.size() >= naiveSize) {
                emitNaive(b, bh);
            }
        }
        emitNaive(b, bh);
    }

    private void emitNaive(ArrayList<Object> b, Blackhole bh) {
        for (int i = 0, n = b.size(); i < n; i++) {
            bh.consume(out.replace(b.get(i)));
        }
        b.clear();
    }
}
