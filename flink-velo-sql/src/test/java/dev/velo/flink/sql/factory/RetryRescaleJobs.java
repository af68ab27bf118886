package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.FailureOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.annotation.Nullable;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * The job set-up of the SQL ITCases that take a savepoint while rows wait for a retry and restore
 * it at another parallelism ({@link LegacySinkRescaleITCase}, {@link
 * PrimaryKeyRetryRescaleITCase}).
 */
final class RetryRescaleJobs {

    private RetryRescaleJobs() {}

    /** A WITH-clause entry {@code 'key'='value'}. */
    static String option(ConfigOption<?> option, Object value) {
        return "'" + option.key() + "'='" + value + "'";
    }

    /**
     * A table environment at {@code parallelism}, restored from {@code savepoint} when not null,
     * with the view {@code src} of {@code rows} numbers from {@code numbers}. The first job (no
     * savepoint) reads slowly, so that its rows wait in state; a restored job reads the rest at
     * full speed. Any job's failure fails it: no restart hides one from the test.
     */
    static StreamTableEnvironment numbersView(
            int parallelism,
            @Nullable String savepoint,
            GeneratorFunction<Long, Long> numbers,
            long rows) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.setMaxParallelism(128);
        DataGeneratorSource<Long> source =
                savepoint == null
                        ? new DataGeneratorSource<>(
                                numbers, rows, RateLimiterStrategy.perSecond(50), Types.LONG)
                        : new DataGeneratorSource<>(numbers, rows, Types.LONG);
        DataStream<Long> stream =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "numbers").uid("numbers");
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.createTemporaryView("src", stream);
        return tEnv;
    }

    /** RetryWithBackoff with 3 retries after a fixed {@code backoff}, as WITH-clause entries. */
    static String retryEvery(Duration backoff) {
        return String.join(
                ", ",
                option(FailureOptions.FAILURE_STRATEGY, "RetryWithBackoff"),
                option(FailureOptions.MAX_RETRIES, 3),
                option(FailureOptions.RETRY_BACKOFF, backoff.toSeconds() + "s"),
                option(FailureOptions.RETRY_BACKOFF_MAX, backoff.toSeconds() + "s"),
                option(FailureOptions.RETRY_JITTER, 0));
    }

    /** The status of {@code client}'s job, or null when it cannot be read within 10 s. */
    @Nullable
    static JobStatus status(JobClient client) {
        try {
            return client.getJobStatus().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    /** Polls {@code condition} until it holds; fails after {@code bound}. */
    static void awaitTrue(BooleanSupplier condition, Duration bound, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within " + bound).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
