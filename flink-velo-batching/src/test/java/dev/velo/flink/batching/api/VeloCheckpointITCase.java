package dev.velo.flink.batching.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.operator.RecordFunction;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Checkpoints, a task failure and a restore through the batching stage: no record is lost. */
class VeloCheckpointITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(ItSupport.cluster(REPORTER));

    private static final int N = 3000;

    private static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    /** Passes records on; fails the task once, after the first completed checkpoint. */
    static final class FailOnceAfterCheckpoint
            implements RecordFunction<Long, Long>, CheckpointListener {
        @Override
        public void flatMap(Long x, Collector<Long> out) {
            if (CHECKPOINTED.get() && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at " + x);
            }
            out.collect(x);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED.set(true);
        }
    }

    @Test
    void failureAndRestoreLoseNothing() throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(50));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(50);
        DataStream<Long> in =
                env.fromSource(
                        new DataGeneratorSource<>(
                                i -> i, N, RateLimiterStrategy.perSecond(1000), Types.LONG),
                        WatermarkStrategy.noWatermarks(),
                        "generator");
        BatchConfig batch =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.FixedSize(100))
                        .batchTimeout(Duration.ofMillis(50))
                        .build();
        DataStream<Long> out =
                VeloBatching.of(in, batch)
                        .withFailureConfig(FailureConfig.defaults())
                        .named("restore-it")
                        .map(new FailOnceAfterCheckpoint(), Types.LONG)
                        .output();
        ItSupport.Run<Long, Object> run = ItSupport.run(env, out.collectAsync(), null);

        assertThat(FAILED).as("the failure was injected").isTrue();
        Set<Long> seen = new HashSet<>(run.first);
        List<Long> expected = LongStream.range(0, N).boxed().collect(Collectors.toList());
        assertThat(seen).as("at-least-once: output ⊇ input").containsAll(expected);
        assertThat(ItSupport.counter(REPORTER, run.jobId, "numFlushesByCheckpoint"))
                .as("flushed before barriers")
                .isPositive();
    }
}
