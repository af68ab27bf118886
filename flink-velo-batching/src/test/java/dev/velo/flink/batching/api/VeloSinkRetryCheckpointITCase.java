package dev.velo.flink.batching.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.sink.VeloSink;
import dev.velo.flink.batching.sink.VeloSinkSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A velo sink over a Sink V2 writer under RetryWithBackoff: a failed write waits for its retry
 * outside the task's call stack. During a long backoff checkpoints complete (the records waiting
 * are the writer state), the task's other timers fire, a job failed and restored from such a
 * checkpoint writes every record exactly once (the test sink's failing write is alone in its
 * window, so no record is sent twice), and a cancel ends the job at once.
 */
class VeloSinkRetryCheckpointITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(ItSupport.cluster(REPORTER));

    /** Far longer than the test: a retry by the backoff's timer within it would be a bug. */
    private static final Duration BACKOFF = Duration.ofSeconds(30);

    /** At 150 a second the source runs for 4 s, long after the checkpoints this test waits for. */
    private static final long RECORDS = 600;

    private static final long FAILING = 10;

    private static final List<Long> WRITTEN = new CopyOnWriteArrayList<>();
    // the sink failed once and its retry has not run yet
    private static final AtomicBoolean PENDING = new AtomicBoolean();
    private static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();
    private static final AtomicInteger CHECKPOINTS_DURING_BACKOFF = new AtomicInteger();
    private static final AtomicInteger TICKS_DURING_BACKOFF = new AtomicInteger();
    private static final AtomicBoolean FAIL_NOW = new AtomicBoolean();
    private static final AtomicBoolean FAIL_AFTER_CHECKPOINTS = new AtomicBoolean();
    private static final AtomicInteger TICKER_OPENS = new AtomicInteger();

    @BeforeEach
    void reset() {
        WRITTEN.clear();
        PENDING.set(false);
        FAILED_ONCE.set(false);
        CHECKPOINTS_DURING_BACKOFF.set(0);
        TICKS_DURING_BACKOFF.set(0);
        FAIL_NOW.set(false);
        FAIL_AFTER_CHECKPOINTS.set(false);
        TICKER_OPENS.set(0);
    }

    /** Records what it writes; the first write of {@value #FAILING} fails, retriably. */
    static final class FlakySink implements Sink<Long> {
        @Override
        public SinkWriter<Long> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Long x, Context context) throws IOException {
                    if (x == FAILING) {
                        if (FAILED_ONCE.compareAndSet(false, true)) {
                            PENDING.set(true);
                            throw new IOException("transient");
                        }
                        PENDING.set(false);
                    }
                    WRITTEN.add(x);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /**
     * Counts its timer every 10 ms while a retry waits, in the sink's task (chained); counts the
     * checkpoints completed during the backoff; fails the task when told to.
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
                                if (PENDING.get()) {
                                    TICKS_DURING_BACKOFF.incrementAndGet();
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

        /**
         * The second checkpoint completed during the backoff was triggered after the failure (one
         * checkpoint at a time), so its state holds the records waiting: then the job is failed.
         */
        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            super.notifyCheckpointComplete(checkpointId);
            if (PENDING.get()
                    && CHECKPOINTS_DURING_BACKOFF.incrementAndGet() == 2
                    && FAIL_AFTER_CHECKPOINTS.get()) {
                FAIL_NOW.set(true);
            }
        }
    }

    private static StreamExecutionEnvironment job() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(20));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(100);
        DataStream<Long> source =
                env.fromSource(
                        new DataGeneratorSource<>(
                                i -> i, RECORDS, RateLimiterStrategy.perSecond(150), Types.LONG),
                        WatermarkStrategy.noWatermarks(),
                        "numbers");
        FailureConfig retry = ItSupport.fixedBackoff(BACKOFF);
        VeloSinkSettings<Long> settings =
                VeloSinkSettings.<Long>builder()
                        .tableName("flaky")
                        // written through, each record confirmed at once: the failing write is
                        // alone in its window, so its retry sends no other record again
                        .batchConfig(BatchConfig.disabled())
                        .maxUnconfirmedWrites(1)
                        .failureConfig(retry)
                        .build();
        source.transform("ticker", Types.LONG, new Ticker())
                .sinkTo(VeloSink.wrap(new FlakySink(), settings))
                .name("velo-sink");
        return env;
    }

    @Test
    void aCheckpointCompletesDuringABackoffAndARestoreWritesEveryRecordExactlyOnce()
            throws Exception {
        FAIL_AFTER_CHECKPOINTS.set(true);
        long start = System.nanoTime();
        JobClient client = job().executeAsync("velo-sink-retry");
        client.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();

        System.out.printf(
                "FIGURE velo-sink-retry-restore backoff_s=%d checkpoints_during_backoff=%d"
                        + " ticks_during_backoff=%d written=%d distinct=%d records=%d s=%d%n",
                BACKOFF.toSeconds(),
                CHECKPOINTS_DURING_BACKOFF.get(),
                TICKS_DURING_BACKOFF.get(),
                WRITTEN.size(),
                new HashSet<>(WRITTEN).size(),
                RECORDS,
                seconds);
        assertThat(CHECKPOINTS_DURING_BACKOFF.get())
                .as("checkpoints completed while the retry waited")
                .isGreaterThanOrEqualTo(2);
        assertThat(TICKS_DURING_BACKOFF.get()).as("timer ticks during the backoff").isPositive();
        assertThat(TICKER_OPENS.get()).as("the job failed and was restored once").isEqualTo(2);
        assertThat(seconds)
                .as("the retry ran at the restore, not after the backoff")
                .isLessThan(25);
        assertThat(new HashSet<>(WRITTEN)).as("every record").hasSize((int) RECORDS);
        assertThat(WRITTEN).as("every record exactly once").hasSize((int) RECORDS);
        // the restored attempt: records in (restored and new) = written + dead-lettered + dropped
        JobID job = client.getJobID();
        long in = counter(job, "numRecordsIn", 1);
        assertThat(in).as("records in, restored attempt").isPositive();
        assertThat(
                        counter(job, "numRecordsOut", 1)
                                + counter(job, "numRecordsDeadLettered", 1)
                                + counter(job, "numRecordsDropped", 1))
                .isEqualTo(in);
        assertThat(counter(job, "numRecordsDeadLettered", 1) + counter(job, "numRecordsDropped", 1))
                .isZero();
    }

    @Test
    void cancellingDuringABackoffEndsTheJobAtOnce() throws Exception {
        JobClient client = job().executeAsync("velo-sink-retry-cancel");
        awaitTrue(() -> CHECKPOINTS_DURING_BACKOFF.get() >= 1, Duration.ofSeconds(30));
        long start = System.nanoTime();
        client.cancel().get(10, TimeUnit.SECONDS);
        awaitTrue(
                () -> {
                    try {
                        return client.getJobStatus().get() == JobStatus.CANCELED;
                    } catch (Exception e) {
                        return false;
                    }
                },
                Duration.ofSeconds(10));
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        System.out.printf(
                "FIGURE velo-sink-retry-cancel backoff_s=%d cancel_ms=%d%n",
                BACKOFF.toSeconds(), millis);
        assertThat(PENDING.get()).as("the retry was still waiting").isTrue();
        assertThat(millis).as("cancel during a 30 s backoff").isLessThan(2000);
    }

    /** Polls {@code condition} until it holds; fails after {@code bound}. */
    private static void awaitTrue(BooleanSupplier condition, Duration bound)
            throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within " + bound).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Sum of the velo counter {@code name} over the subtasks of task attempt {@code attempt}. */
    private static long counter(JobID job, String name, int attempt) {
        return ItSupport.counter(REPORTER, job, name, attempt);
    }
}
