package dev.velo.flink.sql.cli;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Collects the {@code velo} counters of every operator of an embedded MiniCluster, so {@code velo
 * demo} can print records in / out / dead-lettered / dropped per table. Counters stay readable
 * after their task ends, which is when the summary is printed.
 */
@Internal
public final class VeloSummaryReporter implements MetricReporter {

    /** Registers this reporter with a Flink configuration key prefix. */
    public static final String CONFIG_KEY = "metrics.reporter.velo_summary.factory.class";

    private static final Map<String, Counter> COUNTERS = new ConcurrentHashMap<>();

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        String[] scope = group.getScopeComponents();
        if (!(metric instanceof Counter)
                || scope.length == 0
                || !"velo".equals(scope[scope.length - 1])) {
            return;
        }
        Map<String, String> vars = group.getAllVariables();
        // a velo source's metrics live in the connector's operator, in a velo-decode[<table>] group
        String operator =
                scope.length > 1 && scope[scope.length - 2].startsWith("velo-decode[")
                        ? scope[scope.length - 2]
                        : vars.getOrDefault("<operator_name>", "?");
        String key =
                vars.getOrDefault("<job_id>", "")
                        + '\u0000'
                        + operator
                        + '\u0000'
                        + vars.getOrDefault("<subtask_index>", "0")
                        + '\u0000'
                        + name;
        COUNTERS.put(key, (Counter) metric);
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        // kept on purpose: the summary reads the final values after the job ended
    }

    /** Clears what earlier jobs left. */
    public static void reset() {
        COUNTERS.clear();
    }

    /**
     * Sums per operator name and counter name, e.g. {@code velo-decode[orders] -> numRecordsIn ->
     * 50000}.
     */
    public static Map<String, Map<String, Long>> totals() {
        Map<String, Map<String, Long>> totals = new TreeMap<>();
        COUNTERS.forEach(
                (key, counter) -> {
                    String[] parts = key.split("\u0000", -1);
                    totals.computeIfAbsent(parts[1], k -> new TreeMap<>())
                            .merge(parts[3], counter.getCount(), Long::sum);
                });
        return totals;
    }

    /** Factory named in the Flink configuration. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new VeloSummaryReporter();
        }
    }
}
