package dev.velo.flink.batching.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/** Shared helpers of the MiniCluster ITCases: metrics by name, run-and-collect. */
final class ItSupport {

    private ItSupport() {}

    static MiniClusterResourceConfiguration cluster(InMemoryReporter reporter) {
        return new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(4)
                .setConfiguration(reporter.addToConfiguration(new Configuration()))
                .build();
    }

    /** Sum over subtasks of the velo counter {@code name} of the job. */
    static long counter(InMemoryReporter reporter, JobID job, String name) {
        return counter(reporter, job, name, -1);
    }

    /**
     * Sum over subtasks of the velo counter {@code name} of the job's task attempt {@code attempt}
     * (0 for the first run, 1 after one restore; -1 for every attempt).
     */
    static long counter(InMemoryReporter reporter, JobID job, String name, int attempt) {
        long sum = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> g :
                reporter.getMetricsByGroup().entrySet()) {
            MetricGroup group = g.getKey();
            Map<String, String> vars = group.getAllVariables();
            if (!job.toString().equals(vars.get("<job_id>"))
                    || (attempt >= 0
                            && !String.valueOf(attempt).equals(vars.get("<task_attempt_num>")))
                    || !group.getMetricIdentifier(name).endsWith(".velo." + name)) {
                continue;
            }
            Metric m = g.getValue().get(name);
            if (m instanceof Counter) {
                sum += ((Counter) m).getCount();
            }
        }
        return sum;
    }

    /**
     * RetryWithBackoff with 3 retries, each after exactly {@code backoff} (no growth, no jitter):
     * the long backoff of the tests that act while a retry waits.
     */
    static FailureConfig fixedBackoff(Duration backoff) {
        return FailureConfig.builder()
                .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                .maxRetries(3)
                .retryBackoff(backoff)
                .retryBackoffMax(backoff)
                .retryJitter(0)
                .build();
    }

    /** Collected results of one or two streams plus the finished job's id. */
    static final class Run<A, B> {
        final List<A> first = new ArrayList<>();
        final List<B> second = new ArrayList<>();
        JobID jobId;
    }

    static <A, B> Run<A, B> run(
            StreamExecutionEnvironment env, CloseableIterator<A> first, CloseableIterator<B> second)
            throws Exception {
        Run<A, B> run = new Run<>();
        JobClient client = env.executeAsync("velo-it");
        run.jobId = client.getJobID();
        // drain both at once: a collect sink may hold the job open until its results are read
        java.util.concurrent.CompletableFuture<Void> secondDone =
                java.util.concurrent.CompletableFuture.runAsync(
                        () -> {
                            if (second != null) {
                                try (second) {
                                    second.forEachRemaining(run.second::add);
                                } catch (Exception e) {
                                    throw new java.util.concurrent.CompletionException(e);
                                }
                            }
                        });
        try (first) {
            first.forEachRemaining(run.first::add);
        }
        secondDone.get(60, java.util.concurrent.TimeUnit.SECONDS);
        client.getJobExecutionResult()
                .get(Duration.ofSeconds(60).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        return run;
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
