package dev.velo.flink.batching.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.failure.VeloBatchFailedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** "Nothing lost" for every failure strategy: in = out + dead-lettered + dropped. */
class VeloFailureStrategiesITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(ItSupport.cluster(REPORTER));

    private static final int N = 500;

    /** Failures left per value for the transient-failure test (shared across the JVM). */
    private static final Map<Long, Integer> FAILURES_LEFT = new ConcurrentHashMap<>();

    private static final BatchConfig BATCH =
            BatchConfig.builder()
                    .strategy(new BatchStrategy.FixedSize(50))
                    .batchTimeout(Duration.ofMillis(200))
                    .build();

    private static boolean chosen(long x) {
        return x % 7 == 0;
    }

    private static final long CHOSEN = LongStream.rangeClosed(1, N).filter(x -> x % 7 == 0).count();

    private ItSupport.Run<Long, DeadLetter> run(FailureConfig failure, boolean transientErrors)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        VeloStream<Long> s =
                VeloBatching.of(env.fromSequence(1, N), BATCH)
                        .withFailureConfig(failure)
                        .named("failing")
                        .map(
                                (Long x, org.apache.flink.util.Collector<Long> out) -> {
                                    if (chosen(x)) {
                                        if (!transientErrors) {
                                            throw new IllegalArgumentException("bad " + x);
                                        }
                                        if (FAILURES_LEFT.merge(x, -1, Integer::sum) >= 0) {
                                            throw new IOException("transient " + x);
                                        }
                                    }
                                    out.collect(x);
                                },
                                Types.LONG);
        return ItSupport.run(env, s.output().collectAsync(), s.deadLetters().collectAsync());
    }

    private static List<Long> payloads(List<DeadLetter> dls) {
        return dls.stream()
                .map(d -> Long.parseLong(new String(d.getPayload(), StandardCharsets.UTF_8)))
                .collect(Collectors.toList());
    }

    private static void assertNothingLost(ItSupport.Run<Long, DeadLetter> r) {
        long dropped = ItSupport.counter(REPORTER, r.jobId, "numRecordsDropped");
        List<Long> all = new ArrayList<>(r.first);
        all.addAll(payloads(r.second));
        assertThat(all.size() + dropped).isEqualTo(N);
        assertThat(ItSupport.counter(REPORTER, r.jobId, "numRecordsIn")).isEqualTo(N);
        assertThat(ItSupport.counter(REPORTER, r.jobId, "numRecordsOut")).isEqualTo(r.first.size());
        assertThat(ItSupport.counter(REPORTER, r.jobId, "numRecordsDeadLettered"))
                .isEqualTo(r.second.size());
    }

    @Test
    void logAndContinue() throws Exception {
        ItSupport.Run<Long, DeadLetter> r =
                run(FailureConfig.of(FailureStrategy.LOG_AND_CONTINUE), false);
        assertThat(r.first)
                .hasSize((int) (N - CHOSEN))
                .noneMatch(VeloFailureStrategiesITCase::chosen);
        assertThat(r.second).isEmpty();
        assertThat(ItSupport.counter(REPORTER, r.jobId, "numRecordsDropped")).isEqualTo(CHOSEN);
        assertNothingLost(r);
    }

    @Test
    void sendToDlq() throws Exception {
        ItSupport.Run<Long, DeadLetter> r =
                run(FailureConfig.of(FailureStrategy.SEND_TO_DLQ), false);
        assertThat(payloads(r.second))
                .hasSize((int) CHOSEN)
                .allMatch(VeloFailureStrategiesITCase::chosen);
        assertThat(r.second)
                .allSatisfy(
                        d -> {
                            assertThat(d.getTableName()).isEqualTo("failing");
                            assertThat(d.getErrorClass())
                                    .isEqualTo(IllegalArgumentException.class.getName());
                            assertThat(d.getAttempts()).isEqualTo(1);
                        });
        assertNothingLost(r);
    }

    @Test
    void retryRecoversTransientFailures() throws Exception {
        FAILURES_LEFT.clear();
        LongStream.rangeClosed(1, N).filter(x -> x % 7 == 0).forEach(x -> FAILURES_LEFT.put(x, 2));
        ItSupport.Run<Long, DeadLetter> r =
                run(
                        FailureConfig.builder()
                                .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                                .maxRetries(3)
                                .retryBackoff(Duration.ofMillis(1))
                                .build(),
                        true);
        assertThat(r.first)
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, N).boxed().collect(Collectors.toList()));
        assertThat(ItSupport.counter(REPORTER, r.jobId, "numRetries")).isEqualTo(2 * CHOSEN);
        assertNothingLost(r);
    }

    @Test
    void retryExhaustedSendsToDlq() throws Exception {
        FAILURES_LEFT.clear();
        LongStream.rangeClosed(1, N)
                .filter(x -> x % 7 == 0)
                .forEach(x -> FAILURES_LEFT.put(x, 1_000));
        ItSupport.Run<Long, DeadLetter> r =
                run(
                        FailureConfig.builder()
                                .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                                .maxRetries(2)
                                .retryBackoff(Duration.ofMillis(1))
                                .retryExhaustedStrategy(FailureStrategy.SEND_TO_DLQ)
                                .build(),
                        true);
        assertThat(r.second)
                .hasSize((int) CHOSEN)
                .allSatisfy(d -> assertThat(d.getAttempts()).isEqualTo(3));
        assertNothingLost(r);
    }

    @Test
    void failBatchFailsTheJob() {
        assertThatThrownBy(() -> run(FailureConfig.of(FailureStrategy.FAIL_BATCH), false))
                .satisfies(
                        e ->
                                assertThat(
                                                ExceptionUtils.findThrowable(
                                                        e, VeloBatchFailedException.class))
                                        .isPresent()
                                        .get()
                                        .extracting(Throwable::getMessage)
                                        .asString()
                                        .contains("Table 'failing'")
                                        .contains("record index"));
    }
}
