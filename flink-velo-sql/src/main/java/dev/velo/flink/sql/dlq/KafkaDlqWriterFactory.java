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
 *
 * <p>Producer defaults, each overridable with {@code dlq.properties.<key>}: {@code acks=all},
 * idempotence on, and {@code batch.size} {@value #DEFAULT_BATCH_SIZE} bytes. A dead letter carries
 * its error and a stack trace of up to 8 KiB, so Kafka's 16 KiB default would put one or two dead
 * letters in a produce request; a burst of dead letters then queues behind one broker round trip
 * per record and stalls the flush before the next checkpoint.
 */
@Internal
public final class KafkaDlqWriterFactory extends DlqWriterFactory {
    private static final long serialVersionUID = 1L;

    /** The DLQ producer's default {@code batch.size}: many dead letters per produce request. */
    static final int DEFAULT_BATCH_SIZE = 512 * 1024;

    /**
     * The DLQ producer's default {@code compression.type}. Dead letters of one batch repeat the
     * same stack trace and error text, so they compress many times over; lz4-java ships with
     * Flink's runtime (its network compression), so the codec is always there.
     */
    static final String DEFAULT_COMPRESSION = "lz4";

    private final String topic;
    private final HashMap<String, String> producerProperties;

    public KafkaDlqWriterFactory(String topic, Map<String, String> producerProperties) {
        this.topic = topic;
        this.producerProperties = new HashMap<>(producerProperties);
    }

    @Override
    public DeadLetterWriter open(int subtaskIndex, int attemptNumber) {
        Properties props = producerProperties(topic, subtaskIndex, producerProperties);
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

    /** The DLQ producer's properties: the user's {@code dlq.properties.*} over our defaults. */
    static Properties producerProperties(
            String topic, int subtaskIndex, Map<String, String> userProperties) {
        Properties props = new Properties();
        props.putAll(userProperties);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(DEFAULT_BATCH_SIZE));
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, DEFAULT_COMPRESSION);
        props.putIfAbsent(
                ProducerConfig.CLIENT_ID_CONFIG, "velo-dlq-" + topic + "-" + subtaskIndex);
        return props;
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
