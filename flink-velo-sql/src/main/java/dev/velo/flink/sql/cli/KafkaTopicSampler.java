package dev.velo.flink.sql.cli;

import dev.velo.flink.sql.dialect.TopicSampler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.flink.annotation.Internal;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Samples a topic for the {@code velo} CLI with a Kafka consumer that joins no group and commits
 * nothing: it reads from the start of every partition until it has the records asked for or the
 * time is up. The table's {@code properties.*} (bootstrap servers, security) configure it.
 */
@Internal
public final class KafkaTopicSampler implements TopicSampler {

    private static final String PROPERTIES = "properties.";

    @Override
    public List<byte[]> sample(Map<String, String> tableOptions, int maxRecords, Duration maxWait) {
        String topic = tableOptions.get("topic");
        if (topic == null || topic.isBlank() || topic.contains(";")) {
            throw new IllegalArgumentException("a single topic is needed, got '" + topic + "'");
        }
        Properties props = new Properties();
        tableOptions.forEach(
                (k, v) -> {
                    if (k.startsWith(PROPERTIES)) {
                        props.put(k.substring(PROPERTIES.length()), v);
                    }
                });
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(maxRecords));
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "velo-schema-sampler");
        long deadline = System.nanoTime() + maxWait.toNanos();
        List<byte[]> values = new ArrayList<>();
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(KafkaTopicSampler.class.getClassLoader());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, maxWait);
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException("topic '" + topic + "' does not exist");
            }
            List<TopicPartition> assigned =
                    partitions.stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .collect(Collectors.toList());
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, maxWait);
            while (values.size() < maxRecords) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || caughtUp(consumer, end)) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> r :
                        consumer.poll(Duration.ofNanos(Math.min(left, 500_000_000L)))) {
                    if (values.size() < maxRecords) {
                        values.add(r.value());
                    }
                }
            }
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
        return values;
    }

    private static boolean caughtUp(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
