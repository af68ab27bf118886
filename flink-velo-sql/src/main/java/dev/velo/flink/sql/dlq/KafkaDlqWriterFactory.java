package dev.velo.flink.sql.dlq;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.annotation.Internal;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes dead letters to a Kafka topic as JSON, at least once: {@code flush()} returns only when
 * every dead letter sent so far is acknowledged, and it is called before every checkpoint.
 */
@Internal
public final class KafkaDlqWriterFactory extends DlqWriterFactory {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final HashMap<String, String> producerProperties;

    public KafkaDlqWriterFactory(String topic, Map<String, String> producerProperties) {
        this.topic = topic;
        this.producerProperties = new HashMap<>(producerProperties);
    }

    @Override
    public DeadLetterWriter open(int subtaskIndex, int attemptNumber) {
        Properties props = new Properties();
        props.putAll(producerProperties);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putIfAbsent(
                ProducerConfig.CLIENT_ID_CONFIG, "velo-dlq-" + topic + "-" + subtaskIndex);
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        // Kafka resolves serializer classes through the context class loader; in a Flink task
        // that is the job's user-code class loader only if we make it so.
        Thread.currentThread().setContextClassLoader(KafkaDlqWriterFactory.class.getClassLoader());
        try {
            return new Writer(
                    topic,
                    new KafkaProducer<>(
                            props, new ByteArraySerializer(), new ByteArraySerializer()));
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Override
    public String describe() {
        return "kafka topic '" + topic + "'";
    }

    private static final class Writer implements DeadLetterWriter {
        private final String topic;
        private final KafkaProducer<byte[], byte[]> producer;
        private final AtomicReference<Exception> asyncError = new AtomicReference<>();

        Writer(String topic, KafkaProducer<byte[], byte[]> producer) {
            this.topic = topic;
            this.producer = producer;
        }

        @Override
        public void write(DeadLetter deadLetter) throws IOException {
            checkError();
            byte[] key =
                    deadLetter.getTableName() == null
                            ? null
                            : deadLetter.getTableName().getBytes(StandardCharsets.UTF_8);
            producer.send(
                    new ProducerRecord<>(topic, key, DeadLetterSchema.toJson(deadLetter)),
                    (metadata, error) -> {
                        if (error != null) {
                            asyncError.compareAndSet(null, error);
                        }
                    });
        }

        @Override
        public void flush() throws IOException {
            producer.flush();
            checkError();
        }

        private void checkError() throws IOException {
            Exception e = asyncError.get();
            if (e != null) {
                throw new IOException("Could not write a dead letter to Kafka topic " + topic, e);
            }
        }

        @Override
        public void close() {
            producer.close();
        }
    }
}
