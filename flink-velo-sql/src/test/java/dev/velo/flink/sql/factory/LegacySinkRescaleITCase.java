package dev.velo.flink.sql.factory;

import static dev.velo.flink.sql.factory.RetryRescaleJobs.awaitTrue;
import static dev.velo.flink.sql.factory.RetryRescaleJobs.numbersView;
import static dev.velo.flink.sql.factory.RetryRescaleJobs.option;
import static dev.velo.flink.sql.factory.RetryRescaleJobs.retryEvery;
import static dev.velo.flink.sql.factory.RetryRescaleJobs.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchOptions;
import dev.velo.flink.sql.testing.LegacyFailingSinkFactory;
import dev.velo.flink.sql.testing.VeloMetricsProbe;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.annotation.Nullable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rows waiting for a retry in the sink operator of a velo table over a legacy sink function ({@code
 * legacy-failing-sink}) survive a rescale. A job at parallelism 2 whose sink function refuses every
 * row retriably, with a backoff far longer than the test, keeps the row it tried and the rows read
 * behind it in its retry queue (operator list state) in both subtasks; a savepoint is taken and the
 * job cancelled. The same savepoint is restored at parallelism 1 (both subtasks' queues in one)
 * and, separately, at parallelism 3 (spread over three subtasks, one possibly with none), with the
 * refusal off: every row is written exactly once, none of them by the first job, and in each
 * restored job records in = written + dead-lettered + dropped.
 */
class LegacySinkRescaleITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    /** Three slots: the restore at parallelism 3. */
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER, 3);

    private static final long ROWS = 400;
    private static final int PARALLELISM = 2;
    private static final int[] RESTORED_AT = {1, 3};
    private static final String SINK_OPERATOR = "Sink: out_t";

    /** Far longer than the test: a retry by the backoff's timer within it would be a bug. */
    private static final Duration BACKOFF = Duration.ofSeconds(30);

    // the first job runs: its source counts the rows it emits per subtask
    private static final AtomicBoolean FIRST_JOB = new AtomicBoolean();
    private static final AtomicIntegerArray EMITTED = new AtomicIntegerArray(PARALLELISM);

    /** The numbers 0 to {@value #ROWS} - 1, counted per subtask in the first job. */
    static final class Numbers implements GeneratorFunction<Long, Long> {
        private int subtask;

        @Override
        public void open(SourceReaderContext readerContext) {
            subtask = readerContext.getIndexOfSubtask();
        }

        @Override
        public Long map(Long i) {
            if (FIRST_JOB.get()) {
                EMITTED.incrementAndGet(subtask);
            }
            return i;
        }
    }

    /**
     * Starts {@code INSERT INTO out_t} at {@code parallelism}, restored from {@code savepoint} when
     * not null, into legacy sink {@code sinkId}; when {@code refuse}, every row's invoke fails
     * retriably (it is in {@code transient-fail-ids} with more failing attempts than the test
     * makes). The first job reads slowly, so that its rows wait in state; a restored job reads the
     * rest at full speed. Only table options differ between the jobs, never the topology, so the
     * savepoint's operator state maps back.
     */
    private static JobClient start(
            boolean batching,
            int parallelism,
            @Nullable String savepoint,
            String sinkId,
            boolean refuse) {
        StreamTableEnvironment tEnv = numbersView(parallelism, savepoint, new Numbers(), ROWS);
        String refusal =
                refuse
                        ? ", "
                                + option(
                                        LegacyFailingSinkFactory.TRANSIENT_FAIL_IDS,
                                        LongStream.range(0, ROWS)
                                                .mapToObj(String::valueOf)
                                                .collect(Collectors.joining(",")))
                                + ", "
                                + option(LegacyFailingSinkFactory.TRANSIENT_ATTEMPTS, 1000)
                        : "";
        tEnv.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT) WITH ("
                        + String.join(
                                ", ",
                                option(FactoryUtil.CONNECTOR, VeloConnectorOptions.IDENTIFIER),
                                option(VeloConnectorOptions.VELO_CONNECTOR, "legacy-failing-sink"),
                                option(LegacyFailingSinkFactory.SINK_ID, sinkId),
                                batching
                                        ? option(BatchOptions.SIZE, 5)
                                                + ", "
                                                + option(BatchOptions.TIMEOUT, "50ms")
                                        : option(BatchOptions.ENABLE, false),
                                retryEvery(BACKOFF))
                        + refusal
                        + ")");
        TableResult result = tEnv.executeSql("INSERT INTO out_t SELECT f0 FROM src");
        return result.getJobClient().orElseThrow();
    }

    private static String newSinkId() {
        String id = UUID.randomUUID().toString();
        LegacyFailingSinkFactory.reset(id);
        return id;
    }

    /**
     * With {@code batching}, a batching stage before the sink operator buffers rows too (batches of
     * 5 or 50 ms); without it, every row read after the refused one waits in the sink operator's
     * retry queue.
     */
    @ParameterizedTest(name = "batching={0}")
    @ValueSource(booleans = {true, false})
    void rowsWaitingForARetryAreWrittenExactlyOnceAfterARestoreAtOneAndAtThreeSubtasks(
            boolean batching, @TempDir Path savepoints) throws Exception {
        String firstSink = newSinkId();
        for (int i = 0; i < PARALLELISM; i++) {
            EMITTED.set(i, 0);
        }
        FIRST_JOB.set(true);
        JobClient first = start(batching, PARALLELISM, null, firstSink, true);
        // in both subtasks a row's invoke failed, and rows read after it wait behind its retry
        awaitTrue(
                () -> refusedIn(firstSink, 0) && refusedIn(firstSink, 1) && readBehind(10),
                Duration.ofSeconds(30),
                "a refused row and rows behind it in both subtasks");
        String savepoint =
                first.triggerSavepoint(savepoints.toString(), SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
        first.cancel().get(30, TimeUnit.SECONDS);
        awaitTrue(() -> status(first) == JobStatus.CANCELED, Duration.ofSeconds(30), "cancelled");
        FIRST_JOB.set(false);
        int emitted = EMITTED.get(0) + EMITTED.get(1);
        assertThat(LegacyFailingSinkFactory.results(firstSink))
                .as("the first job wrote nothing")
                .isEmpty();
        Set<String> tried = triedKeys(firstSink);
        assertThat(tried)
                .as("one refused invoke per subtask, no retry ran in the first job")
                .hasSize(PARALLELISM);
        for (String key : tried) {
            assertThat(LegacyFailingSinkFactory.attempts(firstSink, key)).isEqualTo(1);
        }

        List<String> expected =
                LongStream.range(0, ROWS).mapToObj(String::valueOf).collect(Collectors.toList());
        for (int parallelism : RESTORED_AT) {
            String sinkId = newSinkId();
            long start = System.nanoTime();
            JobClient restored = start(batching, parallelism, savepoint, sinkId, false);
            restored.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            List<String> written = LegacyFailingSinkFactory.results(sinkId);
            SinkCounts sink = SinkCounts.of(restored.getJobID());
            System.out.printf(
                    "FIGURE legacy-sink-rescale batching=%s from=%d to=%d emitted_in_first_job=%d"
                            + " refused_in_first_job=%s written=%d distinct=%d rows=%d in=%d"
                            + " out=%d dlq=%d dropped=%d retries=%d ms=%d%n",
                    batching,
                    PARALLELISM,
                    parallelism,
                    emitted,
                    tried,
                    written.size(),
                    new HashSet<>(written).size(),
                    ROWS,
                    sink.in,
                    sink.out,
                    sink.deadLettered,
                    sink.dropped,
                    sink.retries,
                    millis);
            String at = "batching=" + batching + ", restored at parallelism " + parallelism + ": ";
            assertThat(new HashSet<>(written)).as(at + "every row").hasSize((int) ROWS);
            assertThat(written)
                    .as(at + "every row exactly once")
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(written).as(at + "the rows refused in the first job").containsAll(tried);
            // nothing was written before the savepoint: every row is input of this job, restored
            // from the retry queue (or the batching stage) or read anew
            assertThat(sink.in).as(at + "records in").isEqualTo(ROWS);
            assertThat(sink.out + sink.deadLettered + sink.dropped)
                    .as(at + "written + DLQ + dropped")
                    .isEqualTo(sink.in);
            assertThat(sink.deadLettered + sink.dropped)
                    .as(at + "dead-lettered + dropped")
                    .isZero();
            assertThat(sink.retries)
                    .as(at + "one retry of each row refused in the first job, from the savepoint")
                    .isEqualTo(tried.size());
            assertThat(millis)
                    .as(at + "the restored retries ran at once, not after the backoff")
                    .isLessThan(BACKOFF.toMillis() - 5_000);
        }
    }

    /** Whether subtask {@code subtask} (0-based) of the first job had an invoke refused. */
    private static boolean refusedIn(String sinkId, int subtask) {
        String marker = " (" + (subtask + 1) + "/" + PARALLELISM + ")#";
        return LegacyFailingSinkFactory.invokeThreads(sinkId).stream()
                .anyMatch(t -> t.contains(marker));
    }

    /** Whether each subtask's source emitted {@code rows} more rows than were tried. */
    private static boolean readBehind(int rows) {
        return EMITTED.get(0) > rows + 1 && EMITTED.get(1) > rows + 1;
    }

    /** The rows the sink function of {@code sinkId} was called with. */
    private static Set<String> triedKeys(String sinkId) {
        return LongStream.range(0, ROWS)
                .mapToObj(String::valueOf)
                .filter(k -> LegacyFailingSinkFactory.attempts(sinkId, k) > 0)
                .collect(Collectors.toSet());
    }

    /** The velo counters of the sink operator ({@value #SINK_OPERATOR}) of a job, summed. */
    private record SinkCounts(long in, long out, long deadLettered, long dropped, long retries) {

        static SinkCounts of(JobID job) {
            VeloMetricsProbe probe = new VeloMetricsProbe(REPORTER);
            return new SinkCounts(
                    probe.sumOfOperator(job, SINK_OPERATOR, "numRecordsIn"),
                    probe.sumOfOperator(job, SINK_OPERATOR, "numRecordsOut"),
                    probe.sumOfOperator(job, SINK_OPERATOR, "numRecordsDeadLettered"),
                    probe.sumOfOperator(job, SINK_OPERATOR, "numRecordsDropped"),
                    probe.sumOfOperator(job, SINK_OPERATOR, "numRetries"));
        }
    }
}
