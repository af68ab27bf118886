package dev.velo.flink.batching.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.failure.VeloFailureRatioExceededException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The error-rate guard on a real MiniCluster with a restart strategy: bad records at the very start
 * of the input must not fail the job (a restart would re-read them first and fail again, forever),
 * and input that stays bad fails the job in bounded time with the guard's message.
 */
class VeloFailureRatioGuardITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(ItSupport.cluster(REPORTER));

    private static final int N = 500;
    private static final int RESTARTS = 3;

    /** How often each value reached the user function, over all attempts. */
    private static final ConcurrentHashMap<Long, AtomicInteger> SEEN = new ConcurrentHashMap<>();

    /** Runs the job; collects its results unless it is expected to restart. */
    private static ItSupport.Run<Long, DeadLetter> run(Set<Long> bad, boolean collect)
            throws Exception {
        SEEN.clear();
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, RESTARTS);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(20));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        // one subtask: value 1 is the first record the guard sees, on every attempt
        env.setParallelism(1);
        FailureConfig failure =
                FailureConfig.builder()
                        .strategy(FailureStrategy.SEND_TO_DLQ)
                        .maxFailureRatio(0.05)
                        .build();
        BatchConfig batch =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.FixedSize(10))
                        .batchTimeout(Duration.ofMillis(200))
                        .build();
        VeloStream<Long> s =
                VeloBatching.of(env.fromSequence(1, N), batch)
                        .withFailureConfig(failure)
                        .named("guarded")
                        .map(
                                (Long x, org.apache.flink.util.Collector<Long> out) -> {
                                    SEEN.computeIfAbsent(x, k -> new AtomicInteger())
                                            .incrementAndGet();
                                    if (bad.contains(x)) {
                                        throw new IllegalArgumentException("bad " + x);
                                    }
                                    out.collect(x);
                                },
                                Types.LONG);
        if (collect) {
            return ItSupport.run(env, s.output().collectAsync(), s.deadLetters().collectAsync());
        }
        // a collect sink cannot follow a restart without checkpoints ("Job restarted")
        s.output().sinkTo(new DiscardingSink<>());
        s.deadLetters().sinkTo(new DiscardingSink<>());
        env.execute("velo-guard-it");
        return null;
    }

    @Test
    void threeBadRecordsFirstAmong500DoNotTripFivePercent() throws Exception {
        ItSupport.Run<Long, DeadLetter> r = run(Set.of(1L, 2L, 3L), true);
        assertThat(r.first).hasSize(N - 3);
        assertThat(r.second).hasSize(3);
        assertThat(SEEN.get(1L).get()).as("the job ran once: no restart").isEqualTo(1);
        assertThat(ItSupport.counter(REPORTER, r.jobId, "numRecordsDeadLettered")).isEqualTo(3);
    }

    @Test
    void inputThatStaysBadFailsInBoundedTimeWithTheGuardsMessage() {
        Set<Long> everyTenth = new java.util.HashSet<>();
        for (long x = 1; x <= N; x += 10) {
            everyTenth.add(x);
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> run(everyTenth, false))
                .satisfies(
                        e ->
                                assertThat(
                                                ExceptionUtils.findThrowable(
                                                        e, VeloFailureRatioExceededException.class))
                                        .isPresent()
                                        .get()
                                        .extracting(Throwable::getMessage)
                                        .asString()
                                        .contains("Table 'guarded'")
                                        .contains("max_failure_ratio 5.00%"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
        // every attempt tripped once its window held 100 records; none got further
        assertThat(SEEN.get(1L).get()).isEqualTo(1 + RESTARTS);
        assertThat(SEEN.get(101L)).isNull();
    }
}
