package dev.velo.flink.e2e.deploy;

import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/**
 * The velo counters of one stage of a finished MiniCluster job, summed over its subtasks, read from
 * an {@link InMemoryReporter} that retains metrics.
 *
 * @param in numRecordsIn
 * @param out numRecordsOut
 * @param deadLettered numRecordsDeadLettered
 * @param dropped numRecordsDropped
 * @param batches numBatches
 */
record VeloCounters(long in, long out, long deadLettered, long dropped, long batches) {

    /**
     * Sums the counters of every velo metric group of {@code job} whose operator name or metric
     * group contains {@code operatorNamePart}.
     */
    static VeloCounters of(InMemoryReporter reporter, JobID job, String operatorNamePart) {
        long[] sums = new long[5];
        int groups = 0;
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> e :
                reporter.getMetricsByGroup().entrySet()) {
            MetricGroup group = e.getKey();
            String[] scope = group.getScopeComponents();
            Map<String, String> vars = group.getAllVariables();
            if (scope.length == 0
                    || !VeloMetrics.GROUP.equals(scope[scope.length - 1])
                    || !job.toString().equals(vars.get("<job_id>"))) {
                continue;
            }
            // a velo source's failure handling lives inside the source operator, in a
            // velo-decode[<table>] group: match that group name as well as the operator name
            String where = vars.get("<operator_name>") + " " + String.join(".", scope);
            seen.add(where);
            if (!where.contains(operatorNamePart)) {
                continue;
            }
            groups++;
            Map<String, Metric> metrics = e.getValue();
            sums[0] += count(metrics, "numRecordsIn");
            sums[1] += count(metrics, "numRecordsOut");
            sums[2] += count(metrics, "numRecordsDeadLettered");
            sums[3] += count(metrics, "numRecordsDropped");
            sums[4] += count(metrics, "numBatches");
        }
        if (groups == 0) {
            throw new AssertionError(
                    "No velo metric group of an operator named *"
                            + operatorNamePart
                            + "* in job "
                            + job
                            + "; velo operators: "
                            + seen);
        }
        return new VeloCounters(sums[0], sums[1], sums[2], sums[3], sums[4]);
    }

    /** True when nothing was lost: in = out + dead-lettered + dropped. */
    boolean balanced() {
        return in == out + deadLettered + dropped;
    }

    private static long count(Map<String, Metric> metrics, String name) {
        Metric m = metrics.get(name);
        return m instanceof Counter ? ((Counter) m).getCount() : 0;
    }
}
