package dev.velo.flink.e2e.bench;

import dev.velo.flink.batching.batcher.RecordSizeEstimators;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.internal.batcher.ArrivalClock;
import dev.velo.flink.batching.internal.batcher.Batcher;
import dev.velo.flink.batching.internal.batcher.Batchers;
import dev.velo.flink.batching.internal.batcher.FixedSizeBatcher;
import dev.velo.flink.batching.internal.batcher.MegaBatchBatcher;
import dev.velo.flink.batching.internal.metrics.FlushReason;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.util.ArrayList;
import java.util.Arrays;
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
 * does what {@code BatchingOperator.processElement} and its flush do: the buffered count, the
 * arrival clock read per batch and every 4096 records (the records in between skip the deadline
 * check: {@code addAtSameTime}), the value into the strategy's real batcher and the timestamp into
 * a primitive column, the counters and the batch-size histogram per batch, the latency clock read
 * per batch, and the batch leaving in one reused StreamRecord. {@code naive} buffers values in a
 * list and emits them at the strategy's batch size. Both hand every record to a blackhole in place
 * of the downstream operator.
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
    private int buffered;
    private long[] timestamps;
    private boolean[] present;
    private boolean uniform = true;
    private boolean sharedHas;
    private long sharedTs;
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
            int buffered = this.buffered;
            Object value = element.getValue();
            // BatchTimestamps: one shared state while the batch's records agree, columns after
            boolean has = element.hasTimestamp();
            long ts = element.getTimestamp();
            if (buffered == 0) {
                uniform = true;
                sharedHas = has;
                sharedTs = ts;
            } else if (!uniform || has != sharedHas || ts != sharedTs) {
                if (uniform) {
                    Arrays.fill(present, 0, buffered, sharedHas);
                    Arrays.fill(timestamps, 0, buffered, sharedTs);
                    uniform = false;
                }
                present[buffered] = has;
                timestamps[buffered] = ts;
            }
            this.buffered = buffered + 1;
            if (!clock.due(buffered)) {
                if (addAtSameTime(value)) {
                    flush(bh);
                }
                continue;
            }
            long now = clock.read();
            if (buffered == 0) {
                batchStart = now;
            }
            if (batcher.add(value, now)) {
                flush(bh);
            }
        }
        if (!batcher.isEmpty()) {
            flush(bh);
        }
    }

    private boolean addAtSameTime(Object value) {
        Batcher<Object> b = batcher;
        if (b instanceof FixedSizeBatcher<Object> fixed) {
            return fixed.addAtSameTime(value);
        } else if (b instanceof MegaBatchBatcher<Object> mega) {
            return mega.addAtSameTime(value);
        }
        return b.add(value, clock.last());
    }

    private void flush(Blackhole bh) {
        List<Object> batch = batcher.drain();
        int n = batch.size();
        buffered = batcher.size();
        metrics.numRecordsIn().inc(n);
        metrics.batchFlushed(FlushReason.SIZE, n);
        StreamRecord<Object> r = out;
        if (uniform && sharedHas) {
            for (int i = 0; i < n; i++) {
                bh.consume(r.replace(batch.get(i), sharedTs));
            }
        } else {
            flushColumns(batch, n, bh);
        }
        metrics.numRecordsOut().inc(n);
        long latency = Math.max(0, System.currentTimeMillis() - batchStart);
        metrics.batchLatency(latency);
        batcher.onBatchProcessed(n, latency);
    }

    private void flushColumns(List<Object> batch, int n, Blackhole bh) {
        StreamRecord<Object> r = out;
        for (int i = 0; i < n; i++) {
            if (uniform ? sharedHas : present[i]) {
                r.replace(batch.get(i), timestamps[i]);
            } else {
                r.replace(batch.get(i));
                r.eraseTimestamp();
            }
            bh.consume(r);
        }
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
