package dev.velo.flink.e2e.suites;

import dev.velo.flink.sql.cli.EmbeddedKafka;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.connector.testframe.TestResource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The project's embedded Kafka broker as the suites' external system: started before the first case
 * of a suite class, closed after its last.
 */
final class SuiteBroker implements TestResource {

    private static final AtomicInteger TOPICS = new AtomicInteger();

    private EmbeddedKafka kafka;

    @Override
    public void startUp() {
        kafka = EmbeddedKafka.start(Duration.ofSeconds(90));
    }

    @Override
    public void tearDown() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    EmbeddedKafka kafka() {
        if (kafka == null) {
            throw new IllegalStateException("The suite broker is not running");
        }
        return kafka;
    }

    String bootstrapServers() {
        return kafka().bootstrapServers();
    }

    /** A topic name not used before in this JVM, starting with {@code prefix}. */
    static String uniqueName(String prefix) {
        return prefix + "-" + TOPICS.incrementAndGet() + "-" + System.nanoTime() % 100_000;
    }

    /** Records in {@code topic}, committed or not (end offset summed over its partitions). */
    long endOffsetSum(String topic, int partitions) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            java.util.Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(i -> i.offset())
                    .sum();
        }
    }
}
