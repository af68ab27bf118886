package dev.velo.flink.sql.testing;

import java.util.Arrays;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/** Reads flink-velo's counters of a finished job from an {@link InMemoryReporter}. */
public final class VeloMetricsProbe {
    private final InMemoryReporter reporter;

    public VeloMetricsProbe(InMemoryReporter reporter) {
        this.reporter = reporter;
    }

    /**
     * Sum over all subtasks of the velo counter {@code name} of one side: "source" counts the velo
     * decoding operator only, "sink" every other velo operator.
     */
    public long sum(JobID job, String side, String name) {
        return total(job, name, side);
    }

    /** Sum over every velo operator of the job. */
    public long sum(JobID job, String name) {
        return total(job, name, null);
    }

    /** Sum over the subtasks of the one velo operator named {@code operatorName}. */
    public long sumOfOperator(JobID job, String operatorName, String name) {
        long total = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> e :
                reporter.getMetricsByGroup().entrySet()) {
            if (isVeloOfJob(e.getKey(), job)
                    && operatorName.equals(e.getKey().getAllVariables().get("<operator_name>"))) {
                total += count(e.getValue().get(name));
            }
        }
        return total;
    }

    private static boolean isVeloOfJob(MetricGroup group, JobID job) {
        String[] scope = group.getScopeComponents();
        return scope.length > 0
                && "velo".equals(scope[scope.length - 1])
                && job.toString().equals(group.getAllVariables().get("<job_id>"));
    }

    private static long count(Metric metric) {
        return metric instanceof Counter ? ((Counter) metric).getCount() : 0;
    }

    private long total(JobID job, String name, String side) {
        long total = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> e :
                reporter.getMetricsByGroup().entrySet()) {
            MetricGroup group = e.getKey();
            if (!isVeloOfJob(group, job)) {
                continue;
            }
            String[] scope = group.getScopeComponents();
            if (side != null) {
                boolean decode = Arrays.toString(scope).contains("velo-decode");
                if (decode != "source".equals(side)) {
                    continue;
                }
            }
            total += count(e.getValue().get(name));
        }
        return total;
    }
}
