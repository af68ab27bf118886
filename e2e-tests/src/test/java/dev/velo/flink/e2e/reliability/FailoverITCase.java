package dev.velo.flink.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.testing.EmbeddedKafkaExtension;
import dev.velo.flink.sql.testing.VeloMetricsProbe;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Kafka → velo sink → Kafka with checkpoints every 200 ms and a fixed-delay restart strategy; a
 * task failure is forced mid-stream once a checkpoint has completed (a UDF in the pipeline throws
 * once when the test arms it). At-least-once: no record lost. Exactly-once (transactional sink,
 * read_committed consumer): no record lost and none duplicated. For fixed_size, time_window and
 * mega_batch. 10,000 records by default ({@code -Dvelo.e2e.failover.records}).
 */
class FailoverITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    private static final VeloMetricsProbe COUNTERS = new VeloMetricsProbe(REPORTER);
    private static final int N = Integer.getInteger("velo.e2e.failover.records", 10_000);
    private static final String IN = "failover-in";
    private static final Pattern ID = Pattern.compile("\"id\":\\s*(\\d+)");

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA =
            new EmbeddedKafkaExtension(
                    Duration.ofSeconds(90),
                    kafka -> {
                        kafka.createTopic(IN, 3);
                        List<String> lines = new ArrayList<>();
                        for (int i = 1; i <= N; i++) {
                            lines.add("{\"id\": " + i + ", \"name\": \"n" + i + "\"}");
                        }
                        kafka.produceStrings(IN, lines);
                    });

    /**
     * Passes the id through; throws once when armed. Paces records slightly so the bounded stream
     * is still running when the test arms it (shaping, not synchronisation).
     */
    public static class Chaos extends ScalarFunction {
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicBoolean FIRED = new AtomicBoolean();
        static final AtomicLong SEEN = new AtomicLong();
        static final AtomicLong SEEN_AT_FAILURE = new AtomicLong();
        static volatile long paceNanos = 200_000;

        public Long eval(Long id) {
            SEEN.incrementAndGet();
            if (ARMED.get() && FIRED.compareAndSet(false, true)) {
                SEEN_AT_FAILURE.set(SEEN.get());
                throw new IllegalStateException("chaos: forced task failure at id " + id);
            }
            LockSupport.parkNanos(paceNanos);
            return id;
        }

        @Override
        public boolean isDeterministic() {
            return false;
        }

        static void reset() {
            ARMED.set(false);
            FIRED.set(false);
            SEEN.set(0);
            SEEN_AT_FAILURE.set(0);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "fixed_size, at-least-once",
        "fixed_size, exactly-once",
        "time_window, at-least-once",
        "time_window, exactly-once",
        "mega_batch, at-least-once",
        "mega_batch, exactly-once"
    })
    void forcedFailureLosesNothing(
            String strategy, String guarantee, @InjectMiniCluster MiniCluster cluster)
            throws Exception {
        long start = System.nanoTime();
        Chaos.reset();
        boolean exactlyOnce = guarantee.equals("exactly-once");
        String outTopic = "failover-" + strategy + "-" + guarantee;
        KAFKA.get().createTopic(outTopic, 2);

        TableEnvironment env = ReliabilityJobs.failoverEnvironment();
        env.createTemporarySystemFunction("chaos", Chaos.class);
        String bootstrap = KAFKA.get().bootstrapServers();
        env.executeSql(ReliabilityJobs.boundedJsonSource(IN, bootstrap, outTopic));
        String batch =
                switch (strategy) {
                    case "fixed_size" ->
                            "'batch.strategy'='fixed_size', 'batch.size'='100',"
                                    + " 'batch.timeout'='100ms'";
                    case "time_window" -> "'batch.strategy'='time_window', 'batch.window'='100ms'";
                    default ->
                            "'batch.strategy'='mega_batch', 'batch.mega_batch_size'='500',"
                                    + " 'batch.timeout'='100ms'";
                };
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT, name STRING) WITH ('connector'='velo',"
                        + " 'velo.connector'='kafka', 'topic'='"
                        + outTopic
                        + "', 'properties.bootstrap.servers'='"
                        + bootstrap
                        + "', 'format'='json', 'sink.delivery-guarantee'='"
                        + guarantee
                        + "', "
                        + (exactlyOnce
                                ? "'sink.transactional-id-prefix'='velo-"
                                        + UUID.randomUUID()
                                        + "', "
                                : "")
                        + batch
                        + ")");
        TableResult result = env.executeSql("INSERT INTO out_t SELECT chaos(id), name FROM src");
        JobID job = result.getJobClient().orElseThrow().getJobID();

        // Fail mid-stream, after a checkpoint taken mid-stream completed, so recovery restores
        // state (source offsets, sink transactions) rather than starting afresh.
        boolean midStream = Figures.await(() -> Chaos.SEEN.get() >= N / 4, Duration.ofSeconds(60));
        long checkpointsAtQuarter = completedCheckpoints(cluster, job);
        boolean checkpointed =
                Figures.await(
                        () -> completedCheckpoints(cluster, job) > checkpointsAtQuarter,
                        Duration.ofSeconds(60));
        long checkpointsBefore = completedCheckpoints(cluster, job);
        Chaos.ARMED.set(true);
        result.await(3, TimeUnit.MINUTES);

        List<String> out = TopicReader.readStrings(bootstrap, outTopic, exactlyOnce);
        Map<Long, Integer> counts = new HashMap<>();
        for (String json : out) {
            Matcher m = ID.matcher(json);
            assertThat(m.find()).isTrue();
            counts.merge(Long.parseLong(m.group(1)), 1, Integer::sum);
        }
        long missing = 0;
        for (long i = 1; i <= N; i++) {
            if (!counts.containsKey(i)) {
                missing++;
            }
        }
        long duplicates = out.size() - counts.size();
        Figures.print(
                "failover",
                String.format(
                        "strategy=%s guarantee=%s records=%d failure_injected=%s"
                                + " failed_after_records=%d checkpoints_before_failure=%d"
                                + " out=%d distinct=%d missing=%d duplicates=%d"
                                + " sink_numRecordsIn_all_attempts=%d ms=%d",
                        strategy,
                        guarantee,
                        N,
                        Chaos.FIRED.get(),
                        Chaos.SEEN_AT_FAILURE.get(),
                        checkpointsBefore,
                        out.size(),
                        counts.size(),
                        missing,
                        duplicates,
                        COUNTERS.sum(job, "sink", "numRecordsIn"),
                        (System.nanoTime() - start) / 1_000_000));

        assertThat(midStream).as("a quarter of the records passed").isTrue();
        assertThat(checkpointed).as("a checkpoint completed mid-stream").isTrue();
        assertThat(Chaos.SEEN_AT_FAILURE.get()).as("failed mid-stream").isLessThan(N);
        assertThat(Chaos.FIRED.get()).as("the failure was injected while running").isTrue();
        assertThat(missing).as("records lost").isZero();
        assertThat(counts.keySet()).allMatch(id -> id >= 1 && id <= N);
        if (exactlyOnce) {
            assertThat(duplicates).as("duplicates under exactly-once").isZero();
        }
    }

    private static long completedCheckpoints(MiniCluster cluster, JobID job) {
        try {
            AccessExecutionGraph graph = cluster.getExecutionGraph(job).get(10, TimeUnit.SECONDS);
            return graph.getCheckpointStatsSnapshot() == null
                    ? 0
                    : graph.getCheckpointStatsSnapshot()
                            .getCounts()
                            .getNumberOfCompletedCheckpoints();
        } catch (Exception e) {
            return 0;
        }
    }
}
