package dev.velo.flink.sql.dlq;

import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.CharacterFilter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.OperatorIOMetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

/**
 * The sink-writer metric group the DLQ connector's writer reports to: its own group ({@code
 * <caller>.dlq}) so that the DLQ's records out, send time and client metrics never mix with the
 * velo table's.
 */
@Internal
final class DlqWriterMetricGroup extends ForwardingMetricGroup implements SinkWriterMetricGroup {

    /** Name of the group under the caller's group. */
    static final String GROUP = "dlq";

    private final Counter numRecordsOutErrors;
    private final Counter numRecordsSendErrors;
    private final Counter numRecordsSend;
    private final Counter numBytesSend;
    private final IO io;

    DlqWriterMetricGroup(MetricGroup callerGroup) {
        super(callerGroup.addGroup(GROUP));
        MetricGroup g = delegate;
        numRecordsOutErrors = g.counter("numRecordsOutErrors", new SimpleCounter());
        numRecordsSendErrors = g.counter("numRecordsSendErrors", new SimpleCounter());
        numRecordsSend = g.counter("numRecordsSend", new SimpleCounter());
        numBytesSend = g.counter("numBytesSend", new SimpleCounter());
        io = new IO(g);
    }

    @Override
    public Counter getNumRecordsOutErrorsCounter() {
        return numRecordsOutErrors;
    }

    @Override
    public Counter getNumRecordsSendErrorsCounter() {
        return numRecordsSendErrors;
    }

    @Override
    public Counter getNumRecordsSendCounter() {
        return numRecordsSend;
    }

    @Override
    public Counter getNumBytesSendCounter() {
        return numBytesSend;
    }

    @Override
    public void setCurrentSendTimeGauge(Gauge<Long> currentSendTimeGauge) {
        delegate.gauge("currentSendTime", currentSendTimeGauge);
    }

    @Override
    public OperatorIOMetricGroup getIOMetricGroup() {
        return io;
    }

    /** The writer's records/bytes in and out, next to the other DLQ metrics. */
    private static final class IO extends ForwardingMetricGroup implements OperatorIOMetricGroup {
        private final Counter numRecordsIn;
        private final Counter numRecordsOut;
        private final Counter numBytesIn;
        private final Counter numBytesOut;

        IO(MetricGroup group) {
            super(group);
            numRecordsIn = group.counter("numRecordsIn", new SimpleCounter());
            numRecordsOut = group.counter("numRecordsOut", new SimpleCounter());
            numBytesIn = group.counter("numBytesIn", new SimpleCounter());
            numBytesOut = group.counter("numBytesOut", new SimpleCounter());
        }

        @Override
        public Counter getNumRecordsInCounter() {
            return numRecordsIn;
        }

        @Override
        public Counter getNumRecordsOutCounter() {
            return numRecordsOut;
        }

        @Override
        public Counter getNumBytesInCounter() {
            return numBytesIn;
        }

        @Override
        public Counter getNumBytesOutCounter() {
            return numBytesOut;
        }
    }
}

/** A metric group that registers everything in another group. */
abstract class ForwardingMetricGroup implements MetricGroup {
    final MetricGroup delegate;

    ForwardingMetricGroup(MetricGroup delegate) {
        this.delegate = delegate;
    }

    @Override
    public Counter counter(String name) {
        return delegate.counter(name);
    }

    @Override
    public <C extends Counter> C counter(String name, C counter) {
        return delegate.counter(name, counter);
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
        return delegate.gauge(name, gauge);
    }

    @Override
    public <H extends Histogram> H histogram(String name, H histogram) {
        return delegate.histogram(name, histogram);
    }

    @Override
    public <M extends Meter> M meter(String name, M meter) {
        return delegate.meter(name, meter);
    }

    @Override
    public MetricGroup addGroup(String name) {
        return delegate.addGroup(name);
    }

    @Override
    public MetricGroup addGroup(String key, String value) {
        return delegate.addGroup(key, value);
    }

    @Override
    public String[] getScopeComponents() {
        return delegate.getScopeComponents();
    }

    @Override
    public Map<String, String> getAllVariables() {
        return delegate.getAllVariables();
    }

    @Override
    public String getMetricIdentifier(String metricName) {
        return delegate.getMetricIdentifier(metricName);
    }

    @Override
    public String getMetricIdentifier(String metricName, CharacterFilter filter) {
        return delegate.getMetricIdentifier(metricName, filter);
    }
}
