package dev.velo.flink.sql.factory;

import static dev.velo.flink.sql.factory.RetryRescaleJobs.awaitTrue;
import static dev.velo.flink.sql.factory.RetryRescaleJobs.numbersView;
import static dev.velo.flink.sql.factory.RetryRescaleJobs.option;
import static dev.velo.flink.sql.factory.RetryRescaleJobs.retryEvery;
import static dev.velo.flink.sql.factory.RetryRescaleJobs.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.velo.flink.batching.config.BatchOptions;
import dev.velo.flink.sql.testing.FailingSinkFactory;
import dev.velo.flink.sql.testing.LegacyFailingSinkFactory;
import dev.velo.flink.sql.testing.VeloMetricsProbe;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A velo table with a primary key under RetryWithBackoff is not restored at another parallelism
 * while rows wait for a retry: the waiting rows are shared out among the new subtasks by position,
 * not by key, so the order per key could not be kept. A job at parallelism 2 whose sink refuses
 * every row retriably, with a backoff far longer than the test, holds the refused row and the rows
 * read behind it in state in both subtasks (the writer state of a Sink V2 writer, {@code
 * failing-sink}; the retry queue of the operator over a legacy sink function, {@code
 * legacy-failing-sink}); a savepoint is taken and the job cancelled. With a primary key, the
 * restore at parallelism 3 fails with an error naming the table, the rows waiting, both
 * parallelisms and {@code flink stop --drain}, and writes nothing; the restore at parallelism 2
 * from the same savepoint writes every row exactly once, and records in = written + dead-lettered +
 * dropped. Without a primary key the restore at parallelism 3 writes every row exactly once, as
 * before.
 */
class PrimaryKeyRetryRescaleITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    /** Three slots: the restore at parallelism 3. */
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER, 3);

    private static final long ROWS = 300;
    private static final int PARALLELISM = 2;
    private static final int RESCALED = 3;

    /** Far longer than the test: a retry by the backoff's timer within it would be a bug. */
    private static final Duration BACKOFF = Duration.ofSeconds(30);

    /** The sink a velo table wraps. */
    enum SinkPath {
        /** A Sink V2 writer: the waiting rows are in the velo writer's state. */
        SINK_V2("failing-sink"),
        /** A legacy sink function: the waiting rows are in the velo operator's retry queue. */
        LEGACY_FUNCTION("legacy-failing-sink");

        final String connector;

        SinkPath(String connector) {
            this.connector = connector;
        }
    }

    // the rows the source emits per subtask in the first job, and in total in a restored job
    private static final AtomicInteger PHASE = new AtomicInteger();
    private static final int FIRST = 1;
    private static final int RESTORED = 2;
    private static final AtomicIntegerArray EMITTED_FIRST = new AtomicIntegerArray(PARALLELISM);
    private static final AtomicInteger EMITTED_RESTORED = new AtomicInteger();

    /** The numbers 0 to {@value #ROWS} - 1, counted per subtask in the first job. */
    static final class Numbers implements GeneratorFunction<Long, Long> {
        private int subtask;

        @Override
        public void open(SourceReaderContext readerContext) {
            subtask = readerContext.getIndexOfSubtask();
        }

        @Override
        public Long map(Long i) {
            if (PHASE.get() == FIRST) {
                EMITTED_FIRST.incrementAndGet(subtask);
            } else if (PHASE.get() == RESTORED) {
                EMITTED_RESTORED.incrementAndGet();
            }
            return i;
        }
    }

    /**
     * Starts {@code INSERT INTO out_t} at {@code parallelism}, restored from {@code savepoint} when
     * not null, into sink {@code sinkId} of {@code path}; when {@code refuse}, every write fails
     * retriably. The first job reads slowly, so that its rows wait in state; a restored job reads
     * the rest at full speed. Only the refusal differs between the jobs of one test, never the
     * topology, so the savepoint's state maps back.
     */
    private static JobClient start(
            SinkPath path,
            boolean primaryKey,
            int parallelism,
            @Nullable String savepoint,
            String sinkId,
            boolean refuse) {
        StreamTableEnvironment tEnv = numbersView(parallelism, savepoint, new Numbers(), ROWS);
        String sinkOptions;
        if (path == SinkPath.SINK_V2) {
            sinkOptions =
                    option(FailingSinkFactory.SINK_ID, sinkId)
                            + (refuse
                                    ? ", "
                                            + option(
                                                    FailingSinkFactory.TRANSIENT_WRITE_FAILURES,
                                                    1_000_000)
                                    : "");
        } else {
            sinkOptions =
                    option(LegacyFailingSinkFactory.SINK_ID, sinkId)
                            + (refuse
                                    ? ", "
                                            + option(
                                                    LegacyFailingSinkFactory.TRANSIENT_FAILURES,
                                                    1_000_000)
                                    : "");
        }
        tEnv.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT"
                        + (primaryKey ? ", PRIMARY KEY (id) NOT ENFORCED" : "")
                        + ") WITH ("
                        + String.join(
                                ", ",
                                option(FactoryUtil.CONNECTOR, VeloConnectorOptions.IDENTIFIER),
                                option(VeloConnectorOptions.VELO_CONNECTOR, path.connector),
                                sinkOptions,
                                // written through: a refused row's subtask writes nothing more
                                option(BatchOptions.ENABLE, false),
                                retryEvery(BACKOFF))
                        + ")");
        return tEnv.executeSql("INSERT INTO out_t SELECT f0 FROM src").getJobClient().orElseThrow();
    }

    private static String newSinkId(SinkPath path) {
        String id = UUID.randomUUID().toString();
        if (path == SinkPath.SINK_V2) {
            FailingSinkFactory.reset(id);
        } else {
            LegacyFailingSinkFactory.reset(id);
        }
        return id;
    }

    private static List<String> written(SinkPath path, String sinkId) {
        return path == SinkPath.SINK_V2
                ? FailingSinkFactory.results(sinkId)
                : LegacyFailingSinkFactory.results(sinkId);
    }

    /** Whether both subtasks of the first job had a write refused. */
    private static boolean refusedInBoth(SinkPath path, String sinkId) {
        if (path == SinkPath.SINK_V2) {
            // a subtask writes nothing after its refused row (the rest waits behind its retry)
            return FailingSinkFactory.failureNanos(sinkId).size() >= PARALLELISM;
        }
        for (int subtask = 0; subtask < PARALLELISM; subtask++) {
            String marker = " (" + (subtask + 1) + "/" + PARALLELISM + ")#";
            if (LegacyFailingSinkFactory.invokeThreads(sinkId).stream()
                    .noneMatch(t -> t.contains(marker))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs the first job at {@value #PARALLELISM} until both subtasks hold a refused row and rows
     * behind it, takes a savepoint and cancels it; returns the savepoint.
     */
    private static String savepointWithWaitingRows(
            SinkPath path, boolean primaryKey, Path savepoints) throws Exception {
        String sinkId = newSinkId(path);
        for (int i = 0; i < PARALLELISM; i++) {
            EMITTED_FIRST.set(i, 0);
        }
        PHASE.set(FIRST);
        JobClient first = start(path, primaryKey, PARALLELISM, null, sinkId, true);
        awaitTrue(
                () ->
                        refusedInBoth(path, sinkId)
                                && EMITTED_FIRST.get(0) > 10
                                && EMITTED_FIRST.get(1) > 10,
                Duration.ofSeconds(30),
                "a refused row and rows behind it in both subtasks");
        String savepoint =
                first.triggerSavepoint(savepoints.toString(), SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
        first.cancel().get(30, TimeUnit.SECONDS);
        awaitTrue(() -> status(first) == JobStatus.CANCELED, Duration.ofSeconds(30), "cancelled");
        PHASE.set(0);
        assertThat(written(path, sinkId)).as("the first job wrote nothing").isEmpty();
        return savepoint;
    }

    /**
     * Restores {@code savepoint} at {@code parallelism}, which must write every row exactly once
     * with records in = written + dead-lettered + dropped; returns the rows restored from the
     * savepoint (the rows of the job not read anew by its source).
     */
    private static long restoreWritesEveryRowOnce(
            SinkPath path, boolean primaryKey, String savepoint, int parallelism) throws Exception {
        String sinkId = newSinkId(path);
        EMITTED_RESTORED.set(0);
        PHASE.set(RESTORED);
        JobClient restored = start(path, primaryKey, parallelism, savepoint, sinkId, false);
        restored.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        PHASE.set(0);
        List<String> written = written(path, sinkId);
        SinkCounts sink = SinkCounts.of(restored.getJobID());
        long fromSavepoint = ROWS - EMITTED_RESTORED.get();
        System.out.printf(
                "FIGURE pk-retry-rescale path=%s primary_key=%s from=%d to=%d written=%d"
                        + " distinct=%d rows=%d restored_from_savepoint=%d in=%d out=%d dlq=%d"
                        + " dropped=%d%n",
                path,
                primaryKey,
                PARALLELISM,
                parallelism,
                written.size(),
                new HashSet<>(written).size(),
                ROWS,
                fromSavepoint,
                sink.in,
                sink.out,
                sink.deadLettered,
                sink.dropped);
        String at = path + ", primary key " + primaryKey + ", at parallelism " + parallelism + ": ";
        assertThat(written)
                .as(at + "every row exactly once")
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.range(0, ROWS)
                                .mapToObj(String::valueOf)
                                .collect(Collectors.toList()));
        assertThat(fromSavepoint)
                .as(at + "rows waiting in both subtasks were restored")
                .isGreaterThanOrEqualTo(2 * 10);
        assertThat(sink.in).as(at + "records in").isEqualTo(ROWS);
        assertThat(sink.out + sink.deadLettered + sink.dropped)
                .as(at + "written + DLQ + dropped")
                .isEqualTo(sink.in);
        return fromSavepoint;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SinkPath.class)
    void withAPrimaryKeyARestoreAtAnotherParallelismFailsAndTheSameParallelismWritesEveryRowOnce(
            SinkPath path, @TempDir Path savepoints) throws Exception {
        String savepoint = savepointWithWaitingRows(path, true, savepoints);

        String refusedSink = newSinkId(path);
        JobClient rescaled = start(path, true, RESCALED, savepoint, refusedSink, false);
        String message = null;
        try {
            rescaled.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            fail("the restore at parallelism " + RESCALED + " succeeded");
        } catch (ExecutionException e) {
            message =
                    ExceptionUtils.findThrowableWithMessage(e, "cannot be restored at parallelism")
                            .orElseThrow(() -> new AssertionError("no refusal in the failure", e))
                            .getMessage();
        }
        System.out.println("FIGURE pk-retry-rescale path=" + path + " refusal: " + message);
        assertThat(message)
                .contains("Table 'out_t' cannot be restored at parallelism " + RESCALED)
                .contains("taken at parallelism " + PARALLELISM)
                .contains("primary key")
                .contains("order per primary key cannot be kept")
                .contains("Restore at the old parallelism " + PARALLELISM)
                .contains("flink stop --drain");
        assertThat(written(path, refusedSink)).as("the refused restore wrote nothing").isEmpty();
        Matcher count = Pattern.compile("(\\d+) records? (\\(the share|were|was)").matcher(message);
        assertThat(count.find()).as("a count of waiting rows in: " + message).isTrue();
        long named = Long.parseLong(count.group(1));

        long waiting = restoreWritesEveryRowOnce(path, true, savepoint, PARALLELISM);
        if (path == SinkPath.LEGACY_FUNCTION) {
            // every new subtask reads every old subtask's count (a union state)
            assertThat(named).as("the rows waiting, named by the error").isEqualTo(waiting);
        } else {
            // a writer learns the rows of the writer states it is handed: one old writer's
            assertThat(named)
                    .as("the rows one old writer held, named by the error")
                    .isPositive()
                    .isLessThan(waiting);
            assertThat(message).contains("(the share of subtask ");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SinkPath.class)
    void withoutAPrimaryKeyARestoreAtAnotherParallelismWritesEveryRowOnce(
            SinkPath path, @TempDir Path savepoints) throws Exception {
        String savepoint = savepointWithWaitingRows(path, false, savepoints);
        restoreWritesEveryRowOnce(path, false, savepoint, RESCALED);
    }

    /** The velo counters of a job (only its sink has velo metrics here), summed. */
    private record SinkCounts(long in, long out, long deadLettered, long dropped) {

        static SinkCounts of(JobID job) {
            VeloMetricsProbe probe = new VeloMetricsProbe(REPORTER);
            return new SinkCounts(
                    probe.sum(job, "numRecordsIn"),
                    probe.sum(job, "numRecordsOut"),
                    probe.sum(job, "numRecordsDeadLettered"),
                    probe.sum(job, "numRecordsDropped"));
        }
    }
}
