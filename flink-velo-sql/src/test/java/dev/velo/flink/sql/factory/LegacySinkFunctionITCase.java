package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.sql.dlq.DeadLetterSchema;
import dev.velo.flink.sql.testing.LegacyFailingSinkFactory;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A velo table over a connector whose sink is a legacy sink function ({@code legacy-failing-sink},
 * as Flink 2.3's {@code print}), on a MiniCluster: each sink failure strategy at run time, and a
 * RetryWithBackoff backoff that does not hold the task (checkpoints complete and hold the record
 * waiting, timers fire, a restore writes every record exactly once, a cancel is quick).
 */
class LegacySinkFunctionITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    private static final int ROWS = 1000;
    private static final String SINK_OPERATOR = "Sink: out_t";

    private static TableEnvironment tableEnv() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "2");
        env.executeSql(
                "CREATE TEMPORARY TABLE src (id BIGINT, name STRING) WITH ("
                        + "'connector'='datagen', 'number-of-rows'='"
                        + ROWS
                        + "', 'fields.id.kind'='sequence', 'fields.id.start'='1',"
                        + " 'fields.id.end'='"
                        + ROWS
                        + "', 'fields.name.length'='8')");
        return env;
    }

    private static String newSinkId() {
        String id = UUID.randomUUID().toString();
        LegacyFailingSinkFactory.reset(id);
        return id;
    }

    private static void createSink(TableEnvironment env, String sinkId, String options) {
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT, name STRING) WITH ("
                        + "'connector'='velo', 'velo.connector'='legacy-failing-sink',"
                        + " 'sink-id'='"
                        + sinkId
                        + "', "
                        + options
                        + ")");
    }

    private static JobID insert(TableEnvironment env, String sinkId, String options)
            throws Exception {
        createSink(env, sinkId, options);
        TableResult result = env.executeSql("INSERT INTO out_t SELECT id, name FROM src");
        JobID job = result.getJobClient().orElseThrow().getJobID();
        result.await();
        return job;
    }

    private static List<String> expectedIds(Set<String> without) {
        return LongStream.rangeClosed(1, ROWS)
                .mapToObj(String::valueOf)
                .filter(s -> !without.contains(s))
                .collect(Collectors.toList());
    }

    // ---------------------------------------------------------------- each strategy at run time

    @Test
    void sendToDlqDeadLettersTheRowsWhoseInvokeThrew(@TempDir Path dir) throws Exception {
        String sinkId = newSinkId();
        String dlq = dir.resolve("dlq").toUri().toString();
        TableEnvironment env = tableEnv();
        JobID job =
                insert(
                        env,
                        sinkId,
                        "'fail-ids'='7,77,777', 'failure_strategy'='SendToDLQ',"
                                + " 'batch.size'='50', 'dlq.connector'='filesystem',"
                                + " 'dlq.path'='"
                                + dlq
                                + "'");

        assertThat(LegacyFailingSinkFactory.results(sinkId))
                .containsExactlyInAnyOrderElementsOf(expectedIds(Set.of("7", "77", "777")));
        env.executeSql(
                "CREATE TEMPORARY TABLE dlq ("
                        + DeadLetterSchema.CREATE_TABLE_COLUMNS
                        + ") WITH ('connector'='filesystem', 'path'='"
                        + dlq
                        + "', 'format'='json')");
        List<Row> letters = new ArrayList<>();
        try (CloseableIterator<Row> it =
                env.executeSql(
                                "SELECT CAST(payload AS STRING), error_class, attempts,"
                                        + " table_name, side, strategy FROM dlq")
                        .collect()) {
            it.forEachRemaining(letters::add);
        }
        assertThat(letters).hasSize(3);
        Set<String> ids = new HashSet<>();
        for (Row r : letters) {
            String payload = (String) r.getField(0);
            ids.add(payload.substring(6, payload.indexOf(',')));
            assertThat(r.getField(1)).isEqualTo(IllegalArgumentException.class.getName());
            assertThat(r.getField(2)).isEqualTo(1);
            assertThat(r.getField(3)).isEqualTo("out_t");
            assertThat(r.getField(4)).isEqualTo("sink");
            assertThat(r.getField(5)).isEqualTo("SendToDLQ");
        }
        assertThat(ids).containsExactlyInAnyOrder("7", "77", "777");
        SinkCounts sink = SinkCounts.of(job);
        assertThat(sink.in).isEqualTo(ROWS);
        assertThat(sink.deadLettered).isEqualTo(3);
        assertThat(sink.dropped).isZero();
        assertThat(sink.in).isEqualTo(sink.out + sink.deadLettered + sink.dropped);
    }

    @Test
    void logAndContinueDropsAndCountsTheRowsWhoseInvokeThrew() throws Exception {
        String sinkId = newSinkId();
        JobID job =
                insert(
                        tableEnv(),
                        sinkId,
                        "'fail-ids'='7,77,777', 'failure_strategy'='LogAndContinue'");
        assertThat(LegacyFailingSinkFactory.results(sinkId))
                .containsExactlyInAnyOrderElementsOf(expectedIds(Set.of("7", "77", "777")));
        SinkCounts sink = SinkCounts.of(job);
        assertThat(sink.dropped).isEqualTo(3);
        assertThat(sink.deadLettered).isZero();
        assertThat(sink.in).isEqualTo(ROWS).isEqualTo(sink.out + sink.dropped);
    }

    @Test
    void failBatchFailsTheJobNamingTheTableAndTheCause() {
        String sinkId = newSinkId();
        assertThatThrownBy(
                        () ->
                                insert(
                                        tableEnv(),
                                        sinkId,
                                        "'fail-ids'='77', 'failure_strategy'='FailBatch'"))
                .satisfies(
                        e -> {
                            String chain = VeloSinkITCase.causeChain(e);
                            assertThat(chain).contains("out_t").contains("poison record 77");
                        });
        assertThat(LegacyFailingSinkFactory.results(sinkId)).doesNotContain("77");
    }

    @Test
    void retryWithBackoffWritesEveryRowOnceAfterTransientFailures() throws Exception {
        String sinkId = newSinkId();
        JobID job =
                insert(
                        tableEnv(),
                        sinkId,
                        "'transient-failures'='3', 'transient-fail-ids'='10,500',"
                                + " 'transient-attempts'='2', 'failure_strategy'='RetryWithBackoff',"
                                + " 'max_retries'='3', 'retry_backoff'='20ms', 'retry_jitter'='0'");
        List<String> results = LegacyFailingSinkFactory.results(sinkId);
        assertThat(results).containsExactlyInAnyOrderElementsOf(expectedIds(Set.of()));
        // row 10 and row 500 failed twice and were written by their third attempt
        assertThat(LegacyFailingSinkFactory.attempts(sinkId, "10")).isEqualTo(3);
        assertThat(LegacyFailingSinkFactory.attempts(sinkId, "500")).isEqualTo(3);
        SinkCounts sink = SinkCounts.of(job);
        assertThat(sink.retries).isEqualTo(3 + 2 + 2);
        assertThat(sink.dropped + sink.deadLettered).isZero();
        assertThat(sink.in).isEqualTo(ROWS).isEqualTo(sink.out);
    }

    @Test
    void retryWithBackoffHandsWhatRetriesCannotFixToRetryExhausted() throws Exception {
        String sinkId = newSinkId();
        JobID job =
                insert(
                        tableEnv(),
                        sinkId,
                        // row 5: not retriable; row 9: still failing after max_retries
                        "'fail-ids'='5', 'transient-fail-ids'='9', 'transient-attempts'='10',"
                                + " 'failure_strategy'='RetryWithBackoff', 'max_retries'='2',"
                                + " 'retry_backoff'='1ms', 'retry_exhausted'='LogAndContinue'");
        assertThat(LegacyFailingSinkFactory.results(sinkId))
                .containsExactlyInAnyOrderElementsOf(expectedIds(Set.of("5", "9")));
        assertThat(LegacyFailingSinkFactory.attempts(sinkId, "5")).isEqualTo(1);
        assertThat(LegacyFailingSinkFactory.attempts(sinkId, "9")).isEqualTo(3);
        SinkCounts sink = SinkCounts.of(job);
        assertThat(sink.dropped).isEqualTo(2);
        assertThat(sink.in).isEqualTo(ROWS).isEqualTo(sink.out + sink.dropped);
    }

    // ------------------------------------------------------------------------ a long backoff

    /** Far longer than the tests: a retry by the backoff's timer within them would be a bug. */
    private static final String LONG_BACKOFF =
            "'failure_strategy'='RetryWithBackoff', 'max_retries'='3', 'retry_backoff'='30s',"
                    + " 'retry_backoff_max'='30s', 'retry_jitter'='0'";

    /** At 150 a second the source runs for 4 s, long after the checkpoints the test waits for. */
    private static final long RECORDS = 600;

    private static final AtomicInteger CHECKPOINTS_DURING_BACKOFF = new AtomicInteger();
    private static final AtomicBoolean FAIL_NOW = new AtomicBoolean();
    private static final AtomicInteger TICKER_OPENS = new AtomicInteger();
    private static final Set<String> TICKS_DURING_BACKOFF = ConcurrentHashMap.newKeySet();
    private static volatile String waitingSinkId;

    /**
     * In the sink's task: a timer every 10 ms notes its thread while the sink's retry waits, and
     * fails the task when told to.
     */
    static final class Ticker extends AbstractStreamOperator<Long>
            implements OneInputStreamOperator<Long, Long> {
        @Override
        public void open() throws Exception {
            super.open();
            TICKER_OPENS.incrementAndGet();
            tickIn(10);
        }

        private void tickIn(long millis) {
            getProcessingTimeService()
                    .registerTimer(
                            getProcessingTimeService().getCurrentProcessingTime() + millis,
                            t -> {
                                String id = waitingSinkId;
                                if (id != null && LegacyFailingSinkFactory.waitingForRetry(id)) {
                                    TICKS_DURING_BACKOFF.add(Thread.currentThread().getName());
                                }
                                if (FAIL_NOW.compareAndSet(true, false)) {
                                    throw new IllegalStateException("planned failure");
                                }
                                tickIn(10);
                            });
        }

        @Override
        public void processElement(StreamRecord<Long> element) {
            output.collect(element);
        }
    }

    @Test
    void checkpointsCompleteDuringALongBackoffAndARestoreWritesEveryRecordExactlyOnce()
            throws Exception {
        String sinkId = newSinkId();
        waitingSinkId = sinkId;
        CHECKPOINTS_DURING_BACKOFF.set(0);
        FAIL_NOW.set(false);
        TICKER_OPENS.set(0);
        TICKS_DURING_BACKOFF.clear();
        // the second checkpoint completed during the backoff was triggered after the failure (one
        // checkpoint at a time), so its state holds the record waiting: then the job is failed
        LegacyFailingSinkFactory.onCheckpointComplete(
                sinkId,
                checkpoint -> {
                    if (LegacyFailingSinkFactory.waitingForRetry(sinkId)
                            && CHECKPOINTS_DURING_BACKOFF.incrementAndGet() == 2) {
                        FAIL_NOW.set(true);
                    }
                });

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(20));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(100);
        DataStream<Long> numbers =
                env.fromSource(
                                new DataGeneratorSource<>(
                                        i -> i,
                                        RECORDS,
                                        RateLimiterStrategy.perSecond(150),
                                        Types.LONG),
                                WatermarkStrategy.noWatermarks(),
                                "numbers")
                        .transform("ticker", Types.LONG, new Ticker());
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.createTemporaryView("src", numbers);
        tEnv.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT) WITH ("
                        + "'connector'='velo', 'velo.connector'='legacy-failing-sink',"
                        + " 'sink-id'='"
                        + sinkId
                        + "', 'transient-fail-ids'='10', 'batch.size'='5',"
                        + " 'batch.timeout'='50ms', "
                        + LONG_BACKOFF
                        + ")");

        long start = System.nanoTime();
        TableResult result = tEnv.executeSql("INSERT INTO out_t SELECT f0 FROM src");
        JobID job = result.getJobClient().orElseThrow().getJobID();
        result.await(2, TimeUnit.MINUTES);
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();

        System.out.printf(
                "legacy sink: %d checkpoints completed during the 30 s backoff, timer ticks on %s,"
                        + " job done in %d s%n",
                CHECKPOINTS_DURING_BACKOFF.get(), TICKS_DURING_BACKOFF, seconds);
        assertThat(CHECKPOINTS_DURING_BACKOFF.get())
                .as("checkpoints completed while the retry waited")
                .isGreaterThanOrEqualTo(2);
        assertThat(TICKS_DURING_BACKOFF)
                .as("timers fired during the backoff, on the sink's task thread")
                .isNotEmpty()
                .containsAnyElementsOf(LegacyFailingSinkFactory.invokeThreads(sinkId));
        assertThat(TICKER_OPENS.get()).as("the job failed and was restored once").isEqualTo(2);
        assertThat(LegacyFailingSinkFactory.attempts(sinkId, "10"))
                .as("the failed invoke, then its retry from the restored state")
                .isEqualTo(2);
        assertThat(seconds)
                .as("the retry ran at the restore, not after the backoff")
                .isLessThan(25);
        List<String> results = LegacyFailingSinkFactory.results(sinkId);
        assertThat(results).as("every record exactly once").hasSize((int) RECORDS);
        assertThat(new HashSet<>(results)).hasSize((int) RECORDS);
        // the restored run: the records restored and read are all written
        SinkCounts last = SinkCounts.ofLastAttempt(job);
        assertThat(last.in).isPositive();
        assertThat(last.in).isEqualTo(last.out + last.deadLettered + last.dropped);
        assertThat(last.deadLettered + last.dropped).isZero();
    }

    @Test
    void cancellingDuringALongBackoffTakesLessThanTwoSeconds() throws Exception {
        String sinkId = newSinkId();
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        env.executeSql(
                "CREATE TEMPORARY TABLE src (id BIGINT) WITH ('connector'='datagen',"
                        + " 'rows-per-second'='50', 'fields.id.kind'='sequence',"
                        + " 'fields.id.start'='1', 'fields.id.end'='1000000')");
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT) WITH ("
                        + "'connector'='velo', 'velo.connector'='legacy-failing-sink',"
                        + " 'sink-id'='"
                        + sinkId
                        + "', 'transient-fail-ids'='3', 'batch.enable'='false', "
                        + LONG_BACKOFF
                        + ")");
        TableResult result = env.executeSql("INSERT INTO out_t SELECT id FROM src");
        JobClient client = result.getJobClient().orElseThrow();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!LegacyFailingSinkFactory.waitingForRetry(sinkId)) {
            assertThat(System.nanoTime()).as("row 3 failed within 60 s").isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(5);
        }
        // records go on arriving behind the retry meanwhile
        long start = System.nanoTime();
        client.cancel().get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> client.getJobExecutionResult().get(10, TimeUnit.SECONDS))
                .hasStackTraceContaining("cancel");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        System.out.printf("legacy sink: cancel during a 30 s backoff took %d ms%n", millis);
        assertThat(millis).as("cancel during a 30 s backoff").isLessThan(2000);
        assertThat(LegacyFailingSinkFactory.attempts(sinkId, "3")).isEqualTo(1);
        assertThat(LegacyFailingSinkFactory.results(sinkId)).containsExactly("1", "2");
    }

    /** The velo counters of the sink operator ({@value #SINK_OPERATOR}) of a job. */
    private record SinkCounts(long in, long out, long deadLettered, long dropped, long retries) {

        static SinkCounts of(JobID job) {
            return sum(job, false);
        }

        /** Of the subtasks of the job's last attempt only (after a restore). */
        static SinkCounts ofLastAttempt(JobID job) {
            return sum(job, true);
        }

        private static SinkCounts sum(JobID job, boolean lastAttemptOnly) {
            int lastAttempt = -1;
            List<Map.Entry<MetricGroup, Map<String, Metric>>> groups = new ArrayList<>();
            for (Map.Entry<MetricGroup, Map<String, Metric>> e :
                    REPORTER.getMetricsByGroup().entrySet()) {
                MetricGroup g = e.getKey();
                String[] scope = g.getScopeComponents();
                Map<String, String> vars = g.getAllVariables();
                if (scope.length == 0
                        || !"velo".equals(scope[scope.length - 1])
                        || !job.toString().equals(vars.get("<job_id>"))
                        || !SINK_OPERATOR.equals(vars.get("<operator_name>"))) {
                    continue;
                }
                groups.add(e);
                lastAttempt = Math.max(lastAttempt, attempt(g));
            }
            long[] c = new long[5];
            String[] names = {
                "numRecordsIn",
                "numRecordsOut",
                "numRecordsDeadLettered",
                "numRecordsDropped",
                "numRetries"
            };
            for (Map.Entry<MetricGroup, Map<String, Metric>> e : groups) {
                if (lastAttemptOnly && attempt(e.getKey()) != lastAttempt) {
                    continue;
                }
                for (int i = 0; i < names.length; i++) {
                    Metric m = e.getValue().get(names[i]);
                    if (m instanceof Counter) {
                        c[i] += ((Counter) m).getCount();
                    }
                }
            }
            return new SinkCounts(c[0], c[1], c[2], c[3], c[4]);
        }

        private static int attempt(MetricGroup g) {
            String a = g.getAllVariables().get("<task_attempt_num>");
            return a == null ? 0 : Integer.parseInt(a);
        }
    }
}
