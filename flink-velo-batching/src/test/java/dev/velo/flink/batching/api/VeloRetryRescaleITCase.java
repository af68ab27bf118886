package dev.velo.flink.batching.api;

import static dev.velo.flink.batching.api.RetryRefusals.EMITTED;
import static dev.velo.flink.batching.api.RetryRefusals.REFUSE;
import static dev.velo.flink.batching.api.RetryRefusals.REFUSED;
import static dev.velo.flink.batching.api.RetryRefusals.REFUSED_VALUES;
import static dev.velo.flink.batching.api.RetryRefusals.WRITTEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.api.RetryRefusals.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Records waiting for a retry under RetryWithBackoff survive a rescale. A job at parallelism 2
 * whose function (stage) or writer (Sink V2 sink) refuses every record retriably, with a backoff
 * far longer than the test, holds the records it read in state (the stage's operator list state,
 * the sink's writer state) in both subtasks; a savepoint is taken and the job cancelled. The same
 * savepoint is then restored at parallelism 1 (the states of both subtasks merged into one) and,
 * separately, at parallelism 3 (spread over three subtasks, one of them possibly without any), with
 * the refusal switched off: every record is written exactly once, none of them by the first job,
 * and in each restored job records in = written + dead-lettered + dropped.
 */
class VeloRetryRescaleITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(ItSupport.cluster(REPORTER));

    /** Far longer than the test: a retry by the backoff's timer within it would be a bug. */
    private static final Duration BACKOFF = Duration.ofSeconds(30);

    private static final long RECORDS = 600;

    /** The first job's parallelism, then the two it is restored at. */
    private static final int PARALLELISM = 2;

    private static final int[] RESTORED_AT = {1, 3};

    @BeforeEach
    void reset() {
        RetryRefusals.reset();
    }

    /** The numbers 0 to {@value #RECORDS} - 1, counted per subtask in the first job. */
    static final class Numbers implements GeneratorFunction<Long, Long> {
        private int subtask;

        @Override
        public void open(SourceReaderContext readerContext) {
            subtask = readerContext.getIndexOfSubtask();
        }

        @Override
        public Long map(Long i) {
            if (REFUSE.get()) {
                EMITTED.incrementAndGet(subtask);
            }
            return i;
        }
    }

    /**
     * The job at {@code parallelism}, restored from {@code savepoint} when not null. The first job
     * reads slowly (its records wait in state); a restored job reads the rest at full speed.
     */
    private static StreamExecutionEnvironment job(
            Path path, int parallelism, @Nullable String savepoint) {
        StreamExecutionEnvironment env = RetryRefusals.environment(parallelism, savepoint);
        DataGeneratorSource<Long> numbers =
                savepoint == null
                        ? new DataGeneratorSource<>(
                                new Numbers(),
                                RECORDS,
                                RateLimiterStrategy.perSecond(100),
                                Types.LONG)
                        : new DataGeneratorSource<>(new Numbers(), RECORDS, Types.LONG);
        DataStream<Long> source =
                env.fromSource(numbers, WatermarkStrategy.noWatermarks(), "numbers").uid("numbers");
        RetryRefusals.writeRefusing(path, source, BACKOFF);
        return env;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Path.class)
    void recordsWaitingForARetryAreWrittenExactlyOnceAfterARestoreAtOneAndAtThreeSubtasks(
            Path path, @TempDir java.nio.file.Path savepoints) throws Exception {
        // the first job: every record refused, so every record read waits in state
        REFUSE.set(true);
        JobClient first = job(path, PARALLELISM, null).executeAsync("velo-rescale-" + path);
        // in both subtasks a retry waits, and records read after the refused ones wait behind it
        ItSupport.awaitTrue(
                () -> waitingBehindARetry(0) && waitingBehindARetry(1),
                Duration.ofSeconds(30),
                "records waiting for a retry, and behind it, in both subtasks");
        String savepoint =
                first.triggerSavepoint(savepoints.toString(), SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
        first.cancel().get(30, TimeUnit.SECONDS);
        ItSupport.awaitTrue(
                () -> status(first) == JobStatus.CANCELED, Duration.ofSeconds(30), "cancelled");
        int waiting = REFUSED_VALUES.size();
        assertThat(WRITTEN).as("the first job wrote nothing").isEmpty();
        assertThat(REFUSED.get(0) + REFUSED.get(1))
                .as("no retry ran in the first job (one refused call per subtask)")
                .isEqualTo(PARALLELISM);
        REFUSE.set(false);

        for (int parallelism : RESTORED_AT) {
            WRITTEN.clear();
            long start = System.nanoTime();
            JobClient restored =
                    job(path, parallelism, savepoint)
                            .executeAsync("velo-rescale-" + path + "-" + parallelism);
            restored.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            JobID job = restored.getJobID();
            long in = counter(job, "numRecordsIn");
            long out = counter(job, "numRecordsOut");
            long deadLettered = counter(job, "numRecordsDeadLettered");
            long dropped = counter(job, "numRecordsDropped");
            System.out.printf(
                    "FIGURE velo-retry-rescale path=%s from=%d to=%d refused_in_first_job=%d"
                            + " written=%d distinct=%d records=%d in=%d out=%d dlq=%d dropped=%d"
                            + " ms=%d%n",
                    path,
                    PARALLELISM,
                    parallelism,
                    waiting,
                    WRITTEN.size(),
                    new HashSet<>(WRITTEN).size(),
                    RECORDS,
                    in,
                    out,
                    deadLettered,
                    dropped,
                    millis);
            String at = path + " restored at parallelism " + parallelism + ": ";
            assertThat(new HashSet<>(WRITTEN)).as(at + "every record").hasSize((int) RECORDS);
            assertThat(WRITTEN).as(at + "every record exactly once").hasSize((int) RECORDS);
            assertThat(WRITTEN)
                    .as(at + "the records that waited for a retry in the savepoint")
                    .containsAll(REFUSED_VALUES);
            // nothing was written before the savepoint: every record is input of this job,
            // restored from the retry state or read anew
            assertThat(in).as(at + "records in").isEqualTo(RECORDS);
            assertThat(out + deadLettered + dropped)
                    .as(at + "written + DLQ + dropped")
                    .isEqualTo(in);
            assertThat(deadLettered + dropped).as(at + "dead-lettered + dropped").isZero();
            assertThat(millis)
                    .as(at + "the restored retries ran at once, not after the backoff")
                    .isLessThan(BACKOFF.toMillis() - 5_000);
        }
    }

    /**
     * Whether in the first job's {@code subtask} a call was refused and 10 more records than the
     * refused ones were read: the savepoint holds both the batch waiting for its retry and records
     * queued behind it (a batch still buffered is flushed behind the retry at the savepoint).
     */
    private static boolean waitingBehindARetry(int subtask) {
        return REFUSED.get(subtask) > 0 && EMITTED.get(subtask) > REFUSED_VALUES.size() + 10;
    }

    private static JobStatus status(JobClient client) {
        try {
            return client.getJobStatus().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    /** Sum of the velo counter {@code name} over the job's subtasks. */
    private static long counter(JobID job, String name) {
        return ItSupport.counter(REPORTER, job, name);
    }
}
