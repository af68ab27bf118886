package dev.velo.flink.batching.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.operator.BatchFunction;
import dev.velo.flink.batching.operator.RecordFunction;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Under RetryWithBackoff a failed batch waits for its retry outside the task's call stack: during a
 * long backoff checkpoints complete (the batch waiting is in the operator state), the task's timers
 * fire, and a job failed and restored from such a checkpoint retries the batch first and delivers
 * every record exactly once.
 */
class VeloRetryCheckpointITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(ItSupport.cluster(REPORTER));

    /** Far longer than the test: a retry by the backoff's timer within it would be a bug. */
    private static final Duration BACKOFF = Duration.ofSeconds(30);

    /** At 150 a second the source runs for 4 s, long after the checkpoints this test waits for. */
    private static final long RECORDS = 600;

    private static final long FAILING = 10;

    // the function failed once and its retry has not run yet
    private static final AtomicBoolean PENDING = new AtomicBoolean();
    private static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();
    private static final AtomicInteger CALLS_WITH_FAILING = new AtomicInteger();
    private static final AtomicInteger CHECKPOINTS_DURING_BACKOFF = new AtomicInteger();
    private static final AtomicInteger TICKS_DURING_BACKOFF = new AtomicInteger();
    private static final AtomicBoolean FAIL_NOW = new AtomicBoolean();
    private static final AtomicInteger TICKER_OPENS = new AtomicInteger();

    @BeforeEach
    void reset() {
        PENDING.set(false);
        FAILED_ONCE.set(false);
        CALLS_WITH_FAILING.set(0);
        CHECKPOINTS_DURING_BACKOFF.set(0);
        TICKS_DURING_BACKOFF.set(0);
        FAIL_NOW.set(false);
        TICKER_OPENS.set(0);
    }

    /** Fails the call with record {@value #FAILING} once, retriably. */
    private static void call(boolean containsFailing) throws IOException {
        if (!containsFailing) {
            return;
        }
        CALLS_WITH_FAILING.incrementAndGet();
        if (FAILED_ONCE.compareAndSet(false, true)) {
            PENDING.set(true);
            throw new IOException("transient");
        }
        PENDING.set(false);
    }

    /**
     * The second checkpoint completed during the backoff was triggered after the failure (one
     * checkpoint at a time), so its state holds the batch waiting: then the job is failed.
     */
    private static void checkpointCompleted() {
        if (PENDING.get() && CHECKPOINTS_DURING_BACKOFF.incrementAndGet() == 2) {
            FAIL_NOW.set(true);
        }
    }

    static final class FlakyRecords implements RecordFunction<Long, Long>, CheckpointListener {
        @Override
        public void flatMap(Long x, Collector<Long> out) throws Exception {
            call(x == FAILING);
            out.collect(x);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointCompleted();
        }
    }

    static final class FlakyBatches implements BatchFunction<Long, Long>, CheckpointListener {
        @Override
        public void processBatch(List<Long> batch, Collector<Long> out) throws Exception {
            call(batch.contains(FAILING));
            batch.forEach(out::collect);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointCompleted();
        }
    }

    /** Counts its timer every 10 ms while a retry waits; fails the task when told to. */
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
    }

    @ParameterizedTest(name = "batch function: {0}")
    @ValueSource(booleans = {false, true})
    void aCheckpointCompletesDuringABackoffAndARestoreRetriesTheBatchExactlyOnce(
            boolean batchFunction) throws Exception {
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
        BatchConfig batch =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.FixedSize(5))
                        .batchTimeout(Duration.ofMillis(50))
                        .build();
        FailureConfig retry = ItSupport.fixedBackoff(BACKOFF);
        VeloBatching.Builder<Long> velo =
                VeloBatching.of(source, batch).withFailureConfig(retry).named("retrying");
        VeloStream<Long> s =
                batchFunction
                        ? velo.process(new FlakyBatches(), Types.LONG)
                        : velo.map(new FlakyRecords(), Types.LONG);
        DataStream<Long> out = s.output().transform("ticker", Types.LONG, new Ticker());

        long start = System.nanoTime();
        ItSupport.Run<Long, Object> run = ItSupport.run(env, out.collectAsync(), null);
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();

        assertThat(CHECKPOINTS_DURING_BACKOFF.get())
                .as("checkpoints completed while the retry waited")
                .isGreaterThanOrEqualTo(2);
        assertThat(TICKS_DURING_BACKOFF.get()).as("timer ticks during the backoff").isPositive();
        assertThat(TICKER_OPENS.get()).as("the job failed and was restored once").isEqualTo(2);
        assertThat(CALLS_WITH_FAILING.get())
                .as("the failed call, then its retry from the restored state")
                .isEqualTo(2);
        assertThat(seconds)
                .as("the retry ran at the restore, not after the backoff")
                .isLessThan(25);
        assertThat(run.first).as("every record exactly once").hasSize((int) RECORDS);
        assertThat(new HashSet<>(run.first)).hasSize((int) RECORDS);
    }
}
