package dev.velo.flink.batching.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
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
 * A retry backoff does not stop the task: during a long backoff the timers of the operators of the
 * task fire on the task thread, and cancelling the job takes less than two seconds.
 */
class VeloRetryBackoffITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(ItSupport.cluster(REPORTER));

    /** Far longer than the test: a retry within it would be a bug. */
    private static final Duration BACKOFF = Duration.ofSeconds(60);

    private static final CountDownLatch FIRST_FAILURE = new CountDownLatch(1);
    private static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();
    private static final AtomicInteger ATTEMPTS = new AtomicInteger();
    // the sink's writes when its flush failed: a loaded machine may put more than one record into
    // the first window
    private static final AtomicInteger WRITES_AT_FAILURE = new AtomicInteger();
    private static final AtomicInteger TICKS = new AtomicInteger();
    private static final AtomicReference<Thread> FAILING_THREAD = new AtomicReference<>();
    private static final AtomicReference<Thread> TICK_THREAD = new AtomicReference<>();

    @BeforeEach
    void reset() {
        FAILED_ONCE.set(false);
        ATTEMPTS.set(0);
        WRITES_AT_FAILURE.set(0);
        TICKS.set(0);
        FAILING_THREAD.set(null);
        TICK_THREAD.set(null);
    }

    private static FailureConfig longBackoff() {
        return ItSupport.fixedBackoff(BACKOFF);
    }

    private static DataStream<Long> slowSource(StreamExecutionEnvironment env) {
        return env.fromSource(
                new DataGeneratorSource<>(
                        i -> i,
                        Long.MAX_VALUE,
                        org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy
                                .perSecond(20),
                        Types.LONG),
                WatermarkStrategy.noWatermarks(),
                "slow");
    }

    /** Counts its processing-time timer, re-registered every 20 ms. */
    static final class Ticker extends AbstractStreamOperator<Long>
            implements OneInputStreamOperator<Long, Long> {
        @Override
        public void open() throws Exception {
            super.open();
            tickIn(20);
        }

        private void tickIn(long millis) {
            getProcessingTimeService()
                    .registerTimer(
                            getProcessingTimeService().getCurrentProcessingTime() + millis,
                            t -> {
                                TICK_THREAD.set(Thread.currentThread());
                                TICKS.incrementAndGet();
                                tickIn(20);
                            });
        }

        @Override
        public void processElement(StreamRecord<Long> element) {
            output.collect(element);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for: %s", what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Cancels and returns how long until the job reached CANCELED, in ms. */
    private static long cancelMillis(JobClient client) throws Exception {
        long start = System.nanoTime();
        client.cancel().get(30, TimeUnit.SECONDS);
        await(
                "job canceled",
                () -> {
                    try {
                        return client.getJobStatus().get() == JobStatus.CANCELED;
                    } catch (Exception e) {
                        return false;
                    }
                });
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void duringABackoffTheTasksTimersFireAndACancelIsQuick() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        BatchConfig batch = BatchConfig.builder().strategy(new BatchStrategy.FixedSize(1)).build();
        VeloStream<Long> s =
                VeloBatching.of(slowSource(env), batch)
                        .withFailureConfig(longBackoff())
                        .named("retrying")
                        .map(
                                (Long x, org.apache.flink.util.Collector<Long> out) -> {
                                    ATTEMPTS.incrementAndGet();
                                    if (FAILED_ONCE.compareAndSet(false, true)) {
                                        FAILING_THREAD.set(Thread.currentThread());
                                        FIRST_FAILURE.countDown();
                                        throw new IOException("transient");
                                    }
                                    out.collect(x);
                                },
                                Types.LONG);
        s.output().transform("ticker", Types.LONG, new Ticker()).print();
        JobClient client = env.executeAsync("velo-retry-backoff");
        try {
            await("the first failure", FAILED_ONCE::get);
            int ticksAtFailure = TICKS.get();
            await("ten timer ticks during the backoff", () -> TICKS.get() >= ticksAtFailure + 10);
            // the ticker runs in the same task, on the thread that is waiting out the backoff
            assertThat(TICK_THREAD.get()).isSameAs(FAILING_THREAD.get());
            assertThat(ATTEMPTS.get()).as("no retry and no new record during the backoff").isOne();
        } finally {
            long millis = cancelMillis(client);
            assertThat(millis).as("cancel during a backoff").isLessThan(2_000);
        }
    }

    /** Fails the first flush with a retriable error; records everything written. */
    static final class FlakySink implements Sink<Long> {
        @Override
        public SinkWriter<Long> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Long element, Context context) {
                    ATTEMPTS.incrementAndGet();
                }

                @Override
                public void flush(boolean endOfInput) throws IOException {
                    if (FAILED_ONCE.compareAndSet(false, true)) {
                        WRITES_AT_FAILURE.set(ATTEMPTS.get());
                        throw new IOException("broker blip");
                    }
                }

                @Override
                public void close() {}
            };
        }
    }

    @Test
    void aSinkCancelledDuringABackoffStopsQuickly() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        // a batch its timer flushes ends with a flush of the sink (a size-flushed one waits for
        // the window of unconfirmed writes): at 20 records/s every 20 ms window holds one record
        BatchConfig batch =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.TimeWindow(java.time.Duration.ofMillis(20)))
                        .build();
        VeloBatching.of(slowSource(env), batch)
                .withFailureConfig(longBackoff())
                .named("retrying-sink")
                .sinkTo(new FlakySink(), null);
        JobClient client = env.executeAsync("velo-sink-retry-backoff");
        try {
            await("the first failure", FAILED_ONCE::get);
            assertThat(WRITES_AT_FAILURE.get()).isPositive();
        } finally {
            long millis = cancelMillis(client);
            assertThat(millis).as("cancel during a backoff").isLessThan(2_000);
        }
        assertThat(ATTEMPTS.get())
                .as("no retry and no new record during the backoff")
                .isEqualTo(WRITES_AT_FAILURE.get());
    }
}
