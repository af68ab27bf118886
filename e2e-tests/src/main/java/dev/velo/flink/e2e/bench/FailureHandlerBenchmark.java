package dev.velo.flink.e2e.bench;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.internal.failure.BatchProcessor;
import dev.velo.flink.batching.internal.failure.FailureHandler;
import dev.velo.flink.batching.internal.failure.Sleeper;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.util.ArrayList;
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
 * ns and bytes per record of {@link FailureHandler#process} on a batch of {@value #BATCH} records:
 * a clean batch under FailBatch, and batches with 1 % failing records under LogAndContinue and
 * SendToDLQ (dead letters to a counting sink).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FailureHandlerBenchmark {

    static final int BATCH = 1000;

    @Param({"FailBatch_clean", "SendToDLQ_1pct", "LogAndContinue_1pct"})
    public String scenario;

    private FailureHandler<Long> handler;
    private List<Long> batch;
    private Processor processor;
    private long batchId;
    private long deadLetters;

    @Setup(Level.Trial)
    public void setUp() {
        FailureStrategy s;
        switch (scenario) {
            case "FailBatch_clean":
                s = FailureStrategy.FAIL_BATCH;
                break;
            case "SendToDLQ_1pct":
                s = FailureStrategy.SEND_TO_DLQ;
                break;
            case "LogAndContinue_1pct":
                s = FailureStrategy.LOG_AND_CONTINUE;
                break;
            default:
                throw new IllegalArgumentException(scenario);
        }
        handler =
                new FailureHandler<>(
                        FailureConfig.of(s),
                        "bench",
                        "process",
                        null,
                        dl -> deadLetters++,
                        VeloMetrics.inMemory(),
                        Sleeper.system(),
                        System::currentTimeMillis);
        batch = new ArrayList<>(BATCH);
        for (long i = 0; i < BATCH; i++) {
            batch.add(i);
        }
        processor = new Processor(!scenario.endsWith("_clean"));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int process(Blackhole bh) throws Exception {
        processor.bh = bh;
        return handler.process(++batchId, batch, processor);
    }

    /** Fails every 100th record when asked to. */
    static final class Processor implements BatchProcessor<Long> {
        private final boolean failing;
        private final IllegalArgumentException error = new IllegalArgumentException("malformed");
        Blackhole bh;

        Processor(boolean failing) {
            this.failing = failing;
        }

        @Override
        public void processRecord(Long record) {
            if (failing && record % 100 == 0) {
                throw error;
            }
            bh.consume(record);
        }

        @Override
        public void finishBatch() {}
    }
}
