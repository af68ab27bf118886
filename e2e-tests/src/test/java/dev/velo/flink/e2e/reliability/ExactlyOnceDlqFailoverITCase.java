package dev.velo.flink.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.testing.EmbeddedKafkaExtension;
import dev.velo.flink.sql.testing.VeloMetricsProbe;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kafka → velo/kafka sink with {@code SendToDLQ} and an exactly-once Kafka DLQ, checkpoints every
 * 200 ms, a task failure forced mid-stream after a checkpoint completed, fixed-delay restarts.
 * Every 50th record is larger than the sink's {@code max.request.size}, so the sink refuses it and
 * velo dead-letters it; the DLQ topic read with {@code read_committed} must hold each of them
 * exactly once (dead letters of the failed attempt's open transaction are aborted, the replayed
 * records are dead-lettered again in a transaction that commits).
 *
 * <p>At-least-once delegate: the refused records are dead-lettered; the sink topic holds every
 * other record at least once. Exactly-once delegate: a refused send fails the task by design (see
 * docs/semantics.md), so its input leaves the large records out; the sink topic holds every record
 * exactly once and the DLQ none — the committables of the delegate and of the DLQ travel through
 * one committer across the failover.
 */
class ExactlyOnceDlqFailoverITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    private static final VeloMetricsProbe COUNTERS = new VeloMetricsProbe(REPORTER);
    private static final int N = Integer.getInteger("velo.e2e.eosdlq.records", 2_000);
    private static final int LARGE_EVERY = 50;
    private static final int MAX_REQUEST = 20_000;
    private static final String IN = "eos-dlq-in";
    private static final Pattern ID = Pattern.compile("\"id\":\\s*(\\d+)");
    private static final Pattern PAYLOAD = Pattern.compile("\"payload\":\"([A-Za-z0-9+/=]*)\"");

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA =
            new EmbeddedKafkaExtension(
                    Duration.ofSeconds(90),
                    kafka -> {
                        kafka.createTopic(IN, 3);
                        String large = "x".repeat(MAX_REQUEST * 2);
                        List<String> lines = new ArrayList<>();
                        for (int i = 1; i <= N; i++) {
                            lines.add(
                                    "{\"id\": "
                                            + i
                                            + ", \"name\": \""
                                            + (large(i) ? large : "n" + i)
                                            + "\"}");
                        }
                        kafka.produceStrings(IN, lines);
                    });

    private static boolean large(long id) {
        return id % LARGE_EVERY == 0;
    }

    /** Passes the id through; throws once when armed; paces records (shaping, not a wait). */
    public static class Chaos extends ScalarFunction {
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicBoolean FIRED = new AtomicBoolean();
        static final AtomicLong SEEN = new AtomicLong();
        static final AtomicLong SEEN_AT_FAILURE = new AtomicLong();

        public Long eval(Long id) {
            SEEN.incrementAndGet();
            if (ARMED.get() && FIRED.compareAndSet(false, true)) {
                SEEN_AT_FAILURE.set(SEEN.get());
                throw new IllegalStateException("chaos: forced task failure at id " + id);
            }
            LockSupport.parkNanos(500_000);
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

    @ParameterizedTest(name = "delegate {0}")
    @ValueSource(strings = {"at-least-once", "exactly-once"})
    void deadLettersSurviveAFailoverExactlyOnce(
            String guarantee, @InjectMiniCluster MiniCluster cluster) throws Exception {
        long start = System.nanoTime();
        Chaos.reset();
        boolean exactlyOnceSink = guarantee.equals("exactly-once");
        String outTopic = "eos-dlq-out-" + guarantee;
        String dlqTopic = "eos-dlq-dlq-" + guarantee;
        KAFKA.get().createTopic(outTopic, 2);
        KAFKA.get().createTopic(dlqTopic, 1);

        TableEnvironment env = ReliabilityJobs.failoverEnvironment();
        env.createTemporarySystemFunction("chaos", Chaos.class);
        String bootstrap = KAFKA.get().bootstrapServers();
        env.executeSql(ReliabilityJobs.boundedJsonSource(IN, bootstrap, outTopic));
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT, name STRING) WITH ('connector'='velo',"
                        + " 'velo.connector'='kafka', 'topic'='"
                        + outTopic
                        + "', 'properties.bootstrap.servers'='"
                        + bootstrap
                        + "', 'properties.max.request.size'='"
                        + MAX_REQUEST
                        + "', 'format'='json', 'sink.delivery-guarantee'='"
                        + guarantee
                        + "', "
                        + (exactlyOnceSink
                                ? "'sink.transactional-id-prefix'='velo-"
                                        + UUID.randomUUID()
                                        + "', "
                                : "")
                        + "'batch.strategy'='fixed_size', 'batch.size'='100',"
                        + " 'batch.timeout'='100ms', 'sink.failure_strategy'='SendToDLQ',"
                        + " 'dlq.connector'='kafka', 'dlq.topic'='"
                        + dlqTopic
                        + "', 'dlq.properties.bootstrap.servers'='"
                        + bootstrap
                        + "', 'dlq.sink.delivery-guarantee'='exactly-once')");
        String where = exactlyOnceSink ? " WHERE CHAR_LENGTH(name) < 1000" : "";
        TableResult result =
                env.executeSql("INSERT INTO out_t SELECT chaos(id), name FROM src" + where);
        JobID job = result.getJobClient().orElseThrow().getJobID();

        long inputs = exactlyOnceSink ? N - N / LARGE_EVERY : N;
        boolean midStream =
                Figures.await(() -> Chaos.SEEN.get() >= inputs / 3, Duration.ofSeconds(90));
        long checkpointsAtThird = completedCheckpoints(cluster, job);
        boolean checkpointed =
                Figures.await(
                        () -> completedCheckpoints(cluster, job) > checkpointsAtThird,
                        Duration.ofSeconds(60));
        long checkpointsBefore = completedCheckpoints(cluster, job);
        Chaos.ARMED.set(true);
        result.await(4, TimeUnit.MINUTES);

        // sink topic: every record that is not large, at least (or exactly) once
        Map<Long, Integer> out = new HashMap<>();
        List<String> outValues = TopicReader.readStrings(bootstrap, outTopic, exactlyOnceSink);
        for (String json : outValues) {
            Matcher m = ID.matcher(json);
            assertThat(m.find()).as("an id in %s", json).isTrue();
            out.merge(Long.parseLong(m.group(1)), 1, Integer::sum);
        }
        long outMissing = 0;
        for (long i = 1; i <= N; i++) {
            if (!large(i) && !out.containsKey(i)) {
                outMissing++;
            }
        }
        long outDuplicates = outValues.size() - out.size();

        // DLQ topic, committed only: every large record exactly once
        Map<Long, Integer> dead = deadLetterIds(TopicReader.readStrings(bootstrap, dlqTopic, true));
        int deadTotal = dead.values().stream().mapToInt(Integer::intValue).sum();
        int uncommittedTotal =
                deadLetterIds(TopicReader.readStrings(bootstrap, dlqTopic, false)).values().stream()
                        .mapToInt(Integer::intValue)
                        .sum();
        Set<Long> expectedDead = new HashSet<>();
        if (!exactlyOnceSink) {
            for (long i = LARGE_EVERY; i <= N; i += LARGE_EVERY) {
                expectedDead.add(i);
            }
        }
        long deadMissing = expectedDead.stream().filter(i -> !dead.containsKey(i)).count();
        long deadDuplicates = deadTotal - dead.size();

        Figures.print(
                "eos-dlq-failover",
                String.format(
                        "sink_guarantee=%s records=%d failure_injected=%s failed_after_records=%d"
                                + " checkpoints_before_failure=%d out=%d out_missing=%d"
                                + " out_duplicates=%d dlq_expected=%d dlq_committed=%d"
                                + " dlq_missing=%d dlq_duplicates=%d"
                                + " dlq_read_uncommitted=%d velo_dead_lettered_all_attempts=%d"
                                + " ms=%d",
                        guarantee,
                        N,
                        Chaos.FIRED.get(),
                        Chaos.SEEN_AT_FAILURE.get(),
                        checkpointsBefore,
                        outValues.size(),
                        outMissing,
                        outDuplicates,
                        expectedDead.size(),
                        deadTotal,
                        deadMissing,
                        deadDuplicates,
                        uncommittedTotal,
                        COUNTERS.sum(job, "sink", "numRecordsDeadLettered"),
                        (System.nanoTime() - start) / 1_000_000));

        assertThat(midStream).as("a third of the records passed").isTrue();
        assertThat(checkpointed).as("a checkpoint completed mid-stream").isTrue();
        assertThat(Chaos.FIRED.get()).as("the failure was injected while running").isTrue();
        assertThat(Chaos.SEEN_AT_FAILURE.get()).as("failed mid-stream").isLessThan(inputs);
        assertThat(outMissing).as("sink records lost").isZero();
        assertThat(out.keySet()).allMatch(id -> !large(id));
        if (exactlyOnceSink) {
            assertThat(outDuplicates).as("sink duplicates under exactly-once").isZero();
        }
        assertThat(dead.keySet()).as("dead-lettered ids").isEqualTo(expectedDead);
        assertThat(deadMissing).as("dead letters lost").isZero();
        assertThat(deadDuplicates).as("dead letters duplicated").isZero();
    }

    /**
     * Where the DLQ cannot be committed (a velo source's decoder; a velo sink over a legacy sink
     * function, Flink 2.3's print) the statement is refused when it is planned, with an error
     * naming the option and what to use, instead of leaving dead letters in transactions nobody
     * commits.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"velo source", "print sink"})
    void whereNothingCommitsTheDlqTheJobFailsSayingWhatToUse(String where) throws Exception {
        String dlqTopic = "eos-dlq-refused-" + where.replace(' ', '-');
        KAFKA.get().createTopic(dlqTopic, 1);
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("restart-strategy.type", "none");
        String bootstrap = KAFKA.get().bootstrapServers();
        String dlq =
                "'dlq.connector'='kafka', 'dlq.topic'='"
                        + dlqTopic
                        + "', 'dlq.properties.bootstrap.servers'='"
                        + bootstrap
                        + "', 'dlq.sink.delivery-guarantee'='exactly-once'";
        boolean source = where.equals("velo source");
        env.executeSql(
                "CREATE TEMPORARY TABLE src (id BIGINT, name STRING) WITH ("
                        + (source ? "'connector'='velo', 'velo.connector'='kafka', " : "")
                        + (source ? "'source.failure_strategy'='SendToDLQ', " + dlq + ", " : "")
                        + (source ? "" : "'connector'='kafka', ")
                        + "'topic'='"
                        + IN
                        + "', 'properties.bootstrap.servers'='"
                        + bootstrap
                        + "', 'properties.group.id'='"
                        + dlqTopic
                        + "', 'scan.startup.mode'='earliest-offset',"
                        + " 'scan.bounded.mode'='latest-offset', 'format'='json')");
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT, name STRING) WITH ("
                        + (source
                                ? "'connector'='blackhole')"
                                : "'connector'='velo', 'velo.connector'='print',"
                                        + " 'sink.failure_strategy'='SendToDLQ', "
                                        + dlq
                                        + ")"));
        Throwable failure = null;
        try {
            env.executeSql("INSERT INTO out_t SELECT id, name FROM src").await(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            failure = e;
        }
        assertThat(failure).as("the statement was refused").isNotNull();
        assertThat(Figures.causeChain(failure))
                .contains(ValidationException.class.getName())
                .contains("'dlq.sink.delivery-guarantee' = 'exactly-once'")
                .contains("Use 'at-least-once'");
    }

    /** Id of each dead letter (decoded from its payload, the sink row in json) → copies. */
    private static Map<Long, Integer> deadLetterIds(List<String> values) {
        Map<Long, Integer> ids = new HashMap<>();
        for (String v : values) {
            Matcher p = PAYLOAD.matcher(v);
            assertThat(p.find()).as("a payload in the dead letter %s", v).isTrue();
            String row = new String(Base64.getDecoder().decode(p.group(1)), StandardCharsets.UTF_8);
            Matcher m = ID.matcher(row);
            assertThat(m.find()).as("an id in the dead-lettered row %s", row).isTrue();
            ids.merge(Long.parseLong(m.group(1)), 1, Integer::sum);
        }
        return ids;
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
