package dev.velo.flink.batching.api;

import static dev.velo.flink.batching.api.RetryRefusals.EMITTED;
import static dev.velo.flink.batching.api.RetryRefusals.REFUSE;
import static dev.velo.flink.batching.api.RetryRefusals.REFUSED;
import static dev.velo.flink.batching.api.RetryRefusals.REFUSED_VALUES;
import static dev.velo.flink.batching.api.RetryRefusals.WRITTEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.api.RetryRefusals.Path;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.StreamSupport;
import javax.annotation.Nullable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.state.CompletedCheckpointStorageLocation;
import org.apache.flink.runtime.state.filesystem.AbstractFsCheckpointStorageAccess;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code stop --drain} writes the records waiting for a retry before the savepoint. A job at
 * parallelism 2 whose function (stage) or writer (Sink V2 sink) refuses records retriably holds
 * records waiting for a retry in both subtasks; its source has emitted every record and idles. The
 * refusal is switched off and the job stopped with a savepoint and {@code drain}: the end of input
 * waits for the retries, so every record is written exactly once before the stop completes, and in
 * the stopped job records in = written + dead-lettered + dropped. A new job restored from that
 * savepoint at parallelism 3 and at 1, with the same uids, writes nothing: the drained savepoint
 * holds no record waiting for a retry.
 */
class VeloRetryDrainITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(ItSupport.cluster(REPORTER));

    /** Short: the drain waits for it; longer than the refusing phase's gaps between attempts. */
    private static final Duration BACKOFF = Duration.ofSeconds(2);

    private static final int RECORDS = 600;

    private static final int PARALLELISM = 2;

    private static final int[] RESTORED_AT = {3, 1};

    // the source emits its records (the first job only; a restored job's source emits nothing)
    private static final AtomicBoolean EMIT = new AtomicBoolean();

    @BeforeEach
    void reset() {
        RetryRefusals.reset();
        EMIT.set(false);
    }

    /**
     * Unbounded until the job is stopped: each of the {@value #PARALLELISM} readers emits its share
     * of the numbers 0 to {@value #RECORDS} - 1 while {@link #EMIT} is set, then -1 (filtered out)
     * for ever.
     */
    static final class Numbers implements GeneratorFunction<Long, Long> {
        private int subtask;
        private int parallelism;
        private long next;

        @Override
        public void open(SourceReaderContext readerContext) {
            subtask = readerContext.getIndexOfSubtask();
            parallelism = readerContext.currentParallelism();
        }

        @Override
        public Long map(Long i) {
            long value = next * parallelism + subtask;
            if (!EMIT.get() || value >= RECORDS) {
                return -1L;
            }
            next++;
            EMITTED.incrementAndGet(subtask);
            return value;
        }
    }

    /** The job at {@code parallelism}, restored from {@code savepoint} when not null. */
    private static StreamExecutionEnvironment job(
            Path path, int parallelism, @Nullable String savepoint) {
        StreamExecutionEnvironment env = RetryRefusals.environment(parallelism, savepoint);
        DataStream<Long> source =
                env.fromSource(
                                new DataGeneratorSource<>(
                                        new Numbers(),
                                        Long.MAX_VALUE,
                                        RateLimiterStrategy.perSecond(600),
                                        Types.LONG),
                                WatermarkStrategy.noWatermarks(),
                                "numbers")
                        .uid("numbers")
                        .filter(x -> x >= 0)
                        .uid("emitted");
        RetryRefusals.writeRefusing(path, source, BACKOFF);
        return env;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Path.class)
    void aDrainedStopWritesTheRecordsWaitingForARetryAndItsSavepointHoldsNone(
            Path path,
            @TempDir java.nio.file.Path savepoints,
            @InjectMiniCluster MiniCluster miniCluster)
            throws Exception {
        REFUSE.set(true);
        EMIT.set(true);
        long start = System.nanoTime();
        JobClient first = job(path, PARALLELISM, null).executeAsync("velo-drain-" + path);
        // every record emitted, and a retry waiting in both subtasks
        ItSupport.awaitTrue(
                () -> EMITTED.get(0) + EMITTED.get(1) == RECORDS,
                Duration.ofSeconds(30),
                "the source emitted every record");
        ItSupport.awaitTrue(
                () -> REFUSED.get(0) > 0 && REFUSED.get(1) > 0,
                Duration.ofSeconds(30),
                "records waiting for a retry in both subtasks");
        REFUSE.set(false);
        Set<Long> writtenAtStop = new HashSet<>(WRITTEN);
        int refusedAtStop = REFUSED_VALUES.size();
        long stopAt = System.nanoTime();
        String savepoint =
                first.stopWithSavepoint(true, savepoints.toString(), SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
        first.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        long stopMillis = Duration.ofNanos(System.nanoTime() - stopAt).toMillis();
        Set<Long> waitingAtStop = new HashSet<>(REFUSED_VALUES);
        waitingAtStop.removeAll(writtenAtStop);
        JobID job = first.getJobID();
        long in = counter(job, "numRecordsIn");
        long out = counter(job, "numRecordsOut");
        long deadLettered = counter(job, "numRecordsDeadLettered");
        long dropped = counter(job, "numRecordsDropped");
        System.out.printf(
                "FIGURE velo-retry-drain path=%s backoff_ms=%d refused_calls=%d/%d refused=%d"
                        + " waiting_at_stop=%d written_at_stop=%d written=%d distinct=%d"
                        + " records=%d in=%d out=%d dlq=%d dropped=%d stop_ms=%d total_ms=%d%n",
                path,
                BACKOFF.toMillis(),
                REFUSED.get(0),
                REFUSED.get(1),
                refusedAtStop,
                waitingAtStop.size(),
                writtenAtStop.size(),
                WRITTEN.size(),
                new HashSet<>(WRITTEN).size(),
                RECORDS,
                in,
                out,
                deadLettered,
                dropped,
                stopMillis,
                Duration.ofNanos(System.nanoTime() - start).toMillis());
        for (OperatorState state : savepointStates(savepoint)) {
            System.out.printf(
                    "FIGURE velo-retry-drain-savepoint path=%s uid=%s name=%s fully_finished=%s"
                            + " subtask_states=%d state_bytes=%d%n",
                    path,
                    state.getOperatorUid().orElse("-"),
                    state.getOperatorName().orElse("-"),
                    state.isFullyFinished(),
                    state.getSubtaskStates().size(),
                    state.getStateSize());
        }
        String at = path + ", drained stop: ";
        assertThat(waitingAtStop)
                .as(at + "records still waiting for a retry when the stop was requested")
                .isNotEmpty();
        assertThat(new HashSet<>(WRITTEN)).as(at + "every record").hasSize(RECORDS);
        assertThat(WRITTEN).as(at + "every record exactly once").hasSize(RECORDS);
        assertThat(in).as(at + "records in").isEqualTo(RECORDS);
        assertThat(out + deadLettered + dropped).as(at + "written + DLQ + dropped").isEqualTo(in);
        assertThat(deadLettered + dropped).as(at + "dead-lettered + dropped").isZero();

        // the restored jobs' source emits nothing: whatever they write came from the savepoint
        EMIT.set(false);
        for (int parallelism : RESTORED_AT) {
            WRITTEN.clear();
            long restoreStart = System.nanoTime();
            JobClient restored =
                    job(path, parallelism, savepoint)
                            .executeAsync("velo-drain-" + path + "-" + parallelism);
            // the restored source emits nothing and never ends (a reader without a split at 3
            // subtasks ends at once): once every task runs or has ended (the velo
            // operator restored its state, and a restored retry would run), a second drained stop
            // ends the job, and its end of input would write any record still waiting
            try {
                CommonTestUtils.waitForAllTaskRunning(miniCluster, restored.getJobID(), true);
                // the source has one split per subtask of the first job: above that parallelism
                // the readers without a split end at once. A stop triggered before the
                // JobManager has seen them end fails ("checkpoint request for unknown task")
                int withoutSplit = Math.max(0, parallelism - PARALLELISM);
                ItSupport.awaitTrue(
                        () -> finishedSubtasks(miniCluster, restored.getJobID()) >= withoutSplit,
                        Duration.ofSeconds(30),
                        withoutSplit + " subtasks without a split finished");
                restored.stopWithSavepoint(
                                true, savepoints.toString(), SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
                restored.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            } finally {
                if (!restored.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                    restored.cancel().get(30, TimeUnit.SECONDS);
                }
            }
            long millis = Duration.ofNanos(System.nanoTime() - restoreStart).toMillis();
            long restoredIn = counter(restored.getJobID(), "numRecordsIn");
            System.out.printf(
                    "FIGURE velo-retry-drain-restore path=%s from=%d to=%d written=%d in=%d"
                            + " ms=%d%n",
                    path, PARALLELISM, parallelism, WRITTEN.size(), restoredIn, millis);
            String restoredAt = path + " restored at parallelism " + parallelism + ": ";
            assertThat(WRITTEN).as(restoredAt + "nothing written").isEmpty();
            assertThat(restoredIn).as(restoredAt + "no record restored or read").isZero();
        }
    }

    /** The operator states in the savepoint's metadata. */
    private static java.util.Collection<OperatorState> savepointStates(String savepoint)
            throws IOException {
        CompletedCheckpointStorageLocation location =
                AbstractFsCheckpointStorageAccess.resolveCheckpointPointer(savepoint);
        try (InputStream in = location.getMetadataHandle().openInputStream()) {
            CheckpointMetadata metadata =
                    Checkpoints.loadCheckpointMetadata(
                            new DataInputStream(in),
                            VeloRetryDrainITCase.class.getClassLoader(),
                            savepoint);
            return metadata.getOperatorStates();
        }
    }

    /** Sum of the velo counter {@code name} over the job's subtasks. */
    /** Subtasks of {@code job} the JobManager has seen finish. */
    private static long finishedSubtasks(MiniCluster miniCluster, JobID job) {
        try {
            return StreamSupport.stream(
                            miniCluster
                                    .getExecutionGraph(job)
                                    .get(10, TimeUnit.SECONDS)
                                    .getAllExecutionVertices()
                                    .spliterator(),
                            false)
                    .filter(v -> v.getExecutionState() == ExecutionState.FINISHED)
                    .count();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the execution graph of " + job, e);
        }
    }

    private static long counter(JobID job, String name) {
        return ItSupport.counter(REPORTER, job, name);
    }
}
