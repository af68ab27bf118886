package org.apache.flink.connector.kafka.sink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.flink.kafka.shaded.org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Stands in for the Kafka connector's writer (not a dependency of this module), with the same class
 * and method names and the same order of steps in {@code write}: rethrow an earlier send failure as
 * an {@code IOException}, call the record serialization schema's {@code serialize}, hand the result
 * to the producer's {@code send}. The stack of an error thrown by {@code write} therefore has the
 * frames the real writer's would have.
 */
public class KafkaWriter<T> {

    /** The record serialization schema: the format's serializers and the partitioner run here. */
    public static final class RecordSerializer<T> {
        private final Function<T, byte[]> format;

        public RecordSerializer(Function<T, byte[]> format) {
            this.format = format;
        }

        byte[] serialize(T element) {
            return format.apply(element);
        }
    }

    private final RecordSerializer<T> recordSerializer;
    private final KafkaProducer producer;
    private Exception asyncProducerException;

    /** What the producer accepted, in order. */
    public final List<byte[]> sent = new ArrayList<>();

    public KafkaWriter(RecordSerializer<T> recordSerializer, KafkaProducer producer) {
        this.recordSerializer = recordSerializer;
        this.producer = producer;
    }

    /** A send failed in the background; the next call reports it. */
    public void failedInBackground(Exception e) {
        asyncProducerException = e;
    }

    public void write(T element) throws IOException {
        checkAsyncException();
        byte[] record = recordSerializer.serialize(element);
        producer.send(record);
        sent.add(record);
    }

    private void checkAsyncException() throws IOException {
        Exception e = asyncProducerException;
        if (e != null) {
            asyncProducerException = null;
            throw new IOException(
                    "One or more Kafka Producer send requests have encountered exception", e);
        }
    }
}
