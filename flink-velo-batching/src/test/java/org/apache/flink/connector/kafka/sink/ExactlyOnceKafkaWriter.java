package org.apache.flink.connector.kafka.sink;

import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * Stands in for the Kafka connector's exactly-once writer (not a dependency of this module): the
 * velo sink writer recognises it by its class name.
 */
public class ExactlyOnceKafkaWriter<T> implements SinkWriter<T> {

    @Override
    public void write(T element, Context context) {}

    @Override
    public void flush(boolean endOfInput) {}

    @Override
    public void close() {}
}
