package dev.velo.flink.sql.dlq;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
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
