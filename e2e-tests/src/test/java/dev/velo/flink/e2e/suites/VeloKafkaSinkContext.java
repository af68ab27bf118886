package dev.velo.flink.e2e.suites;

import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.sink.VeloSink;
import dev.velo.flink.batching.sink.VeloSinkSettings;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;
import org.apache.flink.connector.testframe.external.sink.DataStreamSinkV2ExternalContext;
import org.apache.flink.connector.testframe.external.sink.TestingSinkSettings;
import org.apache.flink.streaming.api.CheckpointingMode;

/**
 * {@code VeloSink.wrap(KafkaSink<String>)} with one {@link VeloVariant}, writing to a fresh topic
 * of the suite broker. The Kafka sink's delivery guarantee follows the case's checkpointing
 * semantic; the reader sees committed records only.
 */
final class VeloKafkaSinkContext implements DataStreamSinkV2ExternalContext<String> {

    static final int PARTITIONS = 4;

    private final SuiteBroker broker;
    private final VeloVariant variant;
    private final String topic;

    private VeloKafkaSinkContext(SuiteBroker broker, VeloVariant variant) {
        this.broker = broker;
        this.variant = variant;
        this.topic = SuiteBroker.uniqueName("velo-sink");
        broker.kafka().createTopic(topic, PARTITIONS);
    }

    static ExternalContextFactory<VeloKafkaSinkContext> factory(
            SuiteBroker broker, VeloVariant variant) {
        return testName -> new VeloKafkaSinkContext(broker, variant);
    }

    @Override
    public Sink<String> createSink(TestingSinkSettings settings) {
        boolean exactlyOnce = settings.getCheckpointingMode() == CheckpointingMode.EXACTLY_ONCE;
        KafkaSink<String> kafka =
                KafkaSink.<String>builder()
                        .setBootstrapServers(broker.bootstrapServers())
                        .setRecordSerializer(
                                KafkaRecordSerializationSchema.builder()
                                        .setTopic(topic)
                                        .setValueSerializationSchema(new SimpleStringSchema())
                                        .build())
                        .setDeliveryGuarantee(
                                exactlyOnce
                                        ? DeliveryGuarantee.EXACTLY_ONCE
                                        : DeliveryGuarantee.AT_LEAST_ONCE)
                        .setTransactionalIdPrefix(topic)
                        .build();
        VeloSinkSettings<String> velo =
                VeloSinkSettings.<String>builder()
                        .tableName(topic)
                        .batchConfig(variant.batchConfig())
                        .failureConfig(variant.failureConfig())
                        .deadLetterWriterFactory(
                                variant.failureStrategy == FailureStrategy.SEND_TO_DLQ
                                        ? DeadLetterRecorder.factory(topic)
                                        : null)
                        .build();
        return VeloSink.wrap(kafka, velo);
    }

    @Override
    public ExternalSystemDataReader<String> createSinkDataReader(TestingSinkSettings settings) {
        return new KafkaTopicReader<>(broker.bootstrapServers(), topic, v -> v);
    }

    /** 100 to 400 random alphanumeric strings of 1 to 40 characters. */
    @Override
    public List<String> generateTestData(TestingSinkSettings settings, long seed) {
        return testStrings(seed);
    }

    static List<String> testStrings(long seed) {
        Random random = new Random(seed);
        int n = 100 + random.nextInt(301);
        List<String> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            records.add(randomText(random));
        }
        return records;
    }

    static String randomText(Random random) {
        int length = 1 + random.nextInt(40);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int c = random.nextInt(62);
            sb.append((char) (c < 10 ? '0' + c : c < 36 ? 'a' + c - 10 : 'A' + c - 36));
        }
        return sb.toString();
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }

    @Override
    public List<URL> getConnectorJarPaths() {
        return Collections.emptyList();
    }

    @Override
    public void close() {
        DeadLetterRecorder.assertNoneAndForget(topic);
    }

    @Override
    public String toString() {
        return "VeloSink.wrap(KafkaSink) " + variant;
    }
}
