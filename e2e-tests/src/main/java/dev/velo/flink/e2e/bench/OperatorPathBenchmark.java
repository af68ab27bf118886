package dev.velo.flink.e2e.bench;

import dev.velo.flink.batching.batcher.RecordSizeEstimators;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.internal.batcher.ArrivalClock;
import dev.velo.flink.batching.internal.batcher.Batcher;
import dev.velo.flink.batching.internal.batcher.Batchers;
import dev.velo.flink.batching.internal.failure.BatchProcessor;
import dev.velo.flink.batching.internal.failure.FailureHandler;
import dev.velo.flink.batching.internal.failure.Sleeper;
import dev.velo.flink.batching.internal.metrics.FlushReason;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
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
 * ns and bytes per record of the batching operator's per-record path without the Flink runtime:
 * what {@code BatchingOperator.processElement} and its flush do (metrics, the record copy into a
 * StreamRecord holder (pooled with mega_batch reuse_buffer), batcher add, drain, {@link
 * FailureHandler#process} with the pass-through processor), per strategy. {@code copyRecord=false}
 * shows the cost of that StreamRecord copy.
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

    @Param({"true"})
    public boolean copyRecord;

    private Batcher<StreamRecord<Object>> batcher;
    private FailureHandler<StreamRecord<Object>> handler;
    private VeloMetrics metrics;
    private PassThrough processor;
    private StreamRecord<Object>[] input;
    private StreamRecord<Object>[] pool;
    private long now;
    private ArrivalClock clock;
    private long batchId;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() {
        batcher =
                Batchers.create(
                        BenchStrategies.config(strategy, false), RecordSizeEstimators.constant(64));
        metrics = VeloMetrics.inMemory();
        handler =
                new FailureHandler<>(
                        FailureConfig.of(FailureStrategy.FAIL_BATCH),
                        "bench",
                        "process",
                        null,
                        null,
                        metrics,
                        Sleeper.system(),
                        () -> now);
        processor = new PassThrough(metrics);
        clock = new ArrivalClock(System::currentTimeMillis);
        if (strategy.equals("mega_batch")) {
            pool = new StreamRecord[50_000];
        }
        input = new StreamRecord[1024];
        for (int i = 0; i < input.length; i++) {
            input[i] = new StreamRecord<>(Long.valueOf(i), i);
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void processElementAndFlush(Blackhole bh) throws Exception {
        processor.bh = bh;
        for (int i = 0; i < RECORDS; i++) {
            // as the operator: the real clock, read for a batch's first record and every
            // ArrivalClock.STRIDE records
            now = clock.arrival(batcher.isEmpty());
            StreamRecord<Object> element = input[i & 1023];
            metrics.numRecordsIn().inc();
            StreamRecord<Object> rec = copyRecord ? holderFor(element) : element;
            if (batcher.add(rec, now)) {
                flush();
            }
        }
        if (!batcher.isEmpty()) {
            flush();
        }
    }

    /** As the operator: a fresh holder, or with mega_batch reuse_buffer one from a batch pool. */
    private StreamRecord<Object> holderFor(StreamRecord<Object> element) {
        int i = batcher.size();
        if (pool == null || i >= pool.length) {
            return new StreamRecord<>(element.getValue(), element.getTimestamp());
        }
        StreamRecord<Object> h = pool[i];
        if (h == null) {
            h = new StreamRecord<>(null);
            pool[i] = h;
        }
        return h.replace(element.getValue(), element.getTimestamp());
    }

    private void flush() throws Exception {
        List<StreamRecord<Object>> batch = batcher.drain();
        int n = batch.size();
        metrics.batchFlushed(FlushReason.SIZE, n);
        handler.process(++batchId, batch, processor);
        metrics.batchLatency(1);
        batcher.onBatchProcessed(n, 1);
    }

    /** Hands every record to the blackhole, as the pass-through operator hands it downstream. */
    static final class PassThrough implements BatchProcessor<StreamRecord<Object>> {
        private final VeloMetrics metrics;
        Blackhole bh;

        PassThrough(VeloMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void processRecord(StreamRecord<Object> record) {
            bh.consume(record);
            metrics.numRecordsOut().inc();
        }

        @Override
        public void finishBatch() {}
    }
}
