package dev.velo.flink.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.testing.FailingSinkFactory;
import dev.velo.flink.sql.testing.VeloMetricsProbe;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A sink whose flush fails transiently a few times: RetryWithBackoff delivers every row, counts one
 * retry per failure, and never retries before {@code retry_backoff × multiplier^(attempt−1)} capped
 * by {@code retry_backoff_max} (jitter 0) has passed, measured from the sink's own timestamps.
 *
 * <p>How much longer a wait takes depends on the machine's load, so only the lower bound is
 * asserted here; the exact delay sequence is asserted with a fake sleeper in {@code
 * FailureHandlerTest#aFlushFailingTransientlyWaitsExponentialCappedDelays}, and the observed delays
 * are printed as figures.
 */
class TransientSinkRetryITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER, 1);

    private static final VeloMetricsProbe COUNTERS = new VeloMetricsProbe(REPORTER);
    private static final int ROWS = 300;
    private static final int FAILURES = 6;
    private static final long BACKOFF_MS = 40;
    private static final double MULTIPLIER = 2.0;
    private static final long BACKOFF_MAX_MS = 300;

    @Test
    void retryWithBackoffDeliversEverythingWithExponentialCappedDelays() throws Exception {
        String sinkId = UUID.randomUUID().toString();
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        env.executeSql(
                "CREATE TEMPORARY TABLE src (id BIGINT) WITH ('connector'='datagen',"
                        + " 'number-of-rows'='"
                        + ROWS
                        + "', 'fields.id.kind'='sequence', 'fields.id.start'='1',"
                        + " 'fields.id.end'='"
                        + ROWS
                        + "')");
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT) WITH ('connector'='velo',"
                        + " 'velo.connector'='failing-sink', 'sink-id'='"
                        + sinkId
                        + "', 'transient-flush-failures'='"
                        + FAILURES
                        + "', 'batch.strategy'='fixed_size', 'batch.size'='100',"
                        + " 'batch.timeout'='1h', 'failure_strategy'='RetryWithBackoff',"
                        + " 'max_retries'='10', 'retry_backoff'='"
                        + BACKOFF_MS
                        + "ms', 'retry_backoff_multiplier'='"
                        + MULTIPLIER
                        + "', 'retry_backoff_max'='"
                        + BACKOFF_MAX_MS
                        + "ms', 'retry_jitter'='0')");
        TableResult result = env.executeSql("INSERT INTO out_t SELECT id FROM src");
        JobID job = result.getJobClient().orElseThrow().getJobID();
        result.await(2, java.util.concurrent.TimeUnit.MINUTES);

        List<Long> failures = FailingSinkFactory.failureNanos(sinkId);
        List<Long> successes = FailingSinkFactory.successNanos(sinkId);
        assertThat(failures).hasSize(FAILURES);
        // attempt k's wait: from the k-th failure to the next flush attempt
        List<Long> attempts = new ArrayList<>(failures);
        attempts.add(successes.get(0));
        List<Long> observed = new ArrayList<>();
        List<Long> expected = new ArrayList<>();
        for (int k = 1; k <= FAILURES; k++) {
            observed.add((attempts.get(k) - attempts.get(k - 1)) / 1_000_000);
            expected.add(
                    (long)
                            Math.min(
                                    BACKOFF_MS * Math.pow(MULTIPLIER, k - 1),
                                    (double) BACKOFF_MAX_MS));
        }
        long retries = COUNTERS.sum(job, "numRetries");
        List<String> delivered = FailingSinkFactory.results(sinkId);
        Figures.print(
                "transient-sink-retry",
                String.format(
                        "rows=%d delivered=%d distinct=%d transient_failures=%d retries=%d"
                                + " expected_delays_ms=%s observed_delays_ms=%s",
                        ROWS,
                        delivered.size(),
                        delivered.stream().distinct().count(),
                        failures.size(),
                        retries,
                        expected,
                        observed));

        assertThat(delivered)
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, ROWS)
                                .mapToObj(String::valueOf)
                                .collect(Collectors.toList()));
        assertThat(retries).isEqualTo(FAILURES);
        assertThat(COUNTERS.sum(job, "numRecordsOut")).isEqualTo(ROWS);
        assertThat(COUNTERS.sum(job, "numRecordsDropped")).isZero();
        assertThat(COUNTERS.sum(job, "numRecordsDeadLettered")).isZero();
        assertThat(successes.get(0))
                .as("the first batch is delivered only after its sixth failure")
                .isGreaterThan(failures.get(FAILURES - 1));
        for (int i = 0; i < FAILURES; i++) {
            // a wait is never shorter than its delay (1 ms of clock granularity); how much longer
            // it takes is the machine's, not velo's
            assertThat(observed.get(i))
                    .as("wait before retry %d", i + 1)
                    .isGreaterThanOrEqualTo(expected.get(i) - 1);
        }
    }
}
