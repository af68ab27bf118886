package dev.velo.flink.batching.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/** Metric names and counting of {@link VeloMetrics}. */
class VeloMetricsTest {

    /** Records what is registered, under which group name. */
    private static final class RecordingGroup extends UnregisteredMetricsGroup {
        final Map<String, Metric> metrics = new HashMap<>();
        final String prefix;

        RecordingGroup(String prefix, Map<String, Metric> shared) {
            this.prefix = prefix;
            this.metrics.putAll(shared);
        }

        @Override
        public MetricGroup addGroup(String name) {
            RecordingGroup child = new RecordingGroup(prefix + name + ".", Map.of());
            children.put(name, child);
            return child;
        }

        final Map<String, RecordingGroup> children = new HashMap<>();

        @Override
        public <C extends Counter> C counter(String name, C counter) {
            metrics.put(prefix + name, counter);
            return counter;
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            metrics.put(prefix + name, gauge);
            return gauge;
        }

        @Override
        public <H extends Histogram> H histogram(String name, H histogram) {
            metrics.put(prefix + name, histogram);
            return histogram;
        }
    }

    @Test
    void registersUnderVeloGroup() {
        RecordingGroup root = new RecordingGroup("", Map.of());
        VeloMetrics m = VeloMetrics.register(root);
        m.numRecordsIn().inc(3);
        m.batchFlushed(FlushReason.TIMER, 3);
        m.batchLatency(17);
        RecordingGroup velo = root.children.get("velo");
        assertThat(velo.metrics.keySet())
                .contains(
                        "velo.numRecordsIn",
                        "velo.numRecordsOut",
                        "velo.numRecordsDeadLettered",
                        "velo.numRecordsDropped",
                        "velo.numRetries",
                        "velo.numBatches",
                        "velo.batchSize",
                        "velo.batchLatencyMs",
                        "velo.numFlushesBySize",
                        "velo.numFlushesByTimer",
                        "velo.numFlushesByCheckpoint",
                        "velo.numFlushesByEndOfInput");
        assertThat(m.numBatches().getCount()).isEqualTo(1);
        assertThat(m.numFlushes(FlushReason.TIMER)).isEqualTo(1);
        assertThat(m.batchSize().getStatistics().getMax()).isEqualTo(3);
        assertThat(m.batchLatencyMs()).isEqualTo(17);
    }

    @Test
    void inMemoryCounts() {
        VeloMetrics m = VeloMetrics.inMemory();
        m.numRecordsDropped().inc();
        for (int i = 1; i <= 2000; i++) {
            m.batchSize().update(i);
        }
        assertThat(m.numRecordsDropped().getCount()).isEqualTo(1);
        assertThat(m.batchSize().getCount()).isEqualTo(2000);
        assertThat(m.batchSize().getStatistics().size()).isEqualTo(1024);
        assertThat(m.batchSize().getStatistics().getMin()).isEqualTo(977);
        assertThat(m.batchSize().getStatistics().getMax()).isEqualTo(2000);
        assertThat(m.batchSize().getStatistics().getMean())
                .isCloseTo((977 + 2000) / 2.0, within(1e-6));
    }
}
