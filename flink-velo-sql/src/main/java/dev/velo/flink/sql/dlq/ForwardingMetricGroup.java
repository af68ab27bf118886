package dev.velo.flink.sql.dlq;

import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.CharacterFilter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MetricGroup;

/** A metric group that registers everything in another group. */
@Internal
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
