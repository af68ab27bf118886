package dev.velo.flink.e2e.reliability;

import java.util.Arrays;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/** Reads flink-velo's counters (metric group {@code velo}) of one job from an InMemoryReporter. */
final class VeloCounters {
    private final InMemoryReporter reporter;

    VeloCounters(InMemoryReporter reporter) {
        this.reporter = reporter;
    }

    /**
     * Sum over all subtasks (and attempts still registered) of counter {@code name}: side "source"
     * is the velo decoding operator, "sink" every other velo operator, null both.
     */
    long sum(JobID job, String side, String name) {
        long total = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> e :
                reporter.getMetricsByGroup().entrySet()) {
            MetricGroup group = e.getKey();
            String[] scope = group.getScopeComponents();
            if (scope.length == 0
                    || !"velo".equals(scope[scope.length - 1])
                    || !job.toString().equals(group.getAllVariables().get("<job_id>"))) {
                continue;
            }
            if (side != null) {
                boolean decode = Arrays.toString(scope).contains("velo-decode");
                if (decode != "source".equals(side)) {
                    continue;
                }
            }
            Metric metric = e.getValue().get(name);
            if (metric instanceof Counter) {
                total += ((Counter) metric).getCount();
            }
        }
        return total;
    }
}
