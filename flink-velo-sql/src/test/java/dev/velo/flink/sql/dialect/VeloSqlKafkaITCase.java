package dev.velo.flink.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.cli.EmbeddedKafka;
import dev.velo.flink.sql.testing.EmbeddedKafkaExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Velostream script with Kafka sources and sinks declared by prefixed keys runs on a real broker:
 * good records reach the sink topic, a malformed one the DLQ topic.
 */
class VeloSqlKafkaITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final Duration WAIT = Duration.ofSeconds(30);

    static EmbeddedKafka kafka;

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void prefixedKafkaSourceAndSinkWithADeadLetterQueue() throws Exception {
        KAFKA.get().createTopic("orders", 1);
        KAFKA.get().createTopic("big_orders", 1);
        KAFKA.get().createTopic("orders_dlq", 1);
        KAFKA.get()
                .produceStrings(
                        "orders",
                        List.of(
                                "{\"id\": 1, \"amount\": 50.0}",
                                "{\"id\": 2, \"amount\": 500.0}",
                                "{\"id\": 3, \"amount\": not-a-number}",
                                "{\"id\": 4, \"amount\": 900.0}"));
        String script =
                "-- @batch_size: 10\n"
                        + "CREATE STREAM big_orders AS\n"
                        + "SELECT id, amount FROM orders WHERE amount > 100\n"
                        + "EMIT CHANGES\n"
                        + "WITH (\n"
                        + "  'orders.type' = 'kafka_source',\n"
                        + "  'orders.topic.name' = 'orders',\n"
                        + "  'orders.bootstrap.servers' = '${BROKERS}',\n"
                        + "  'orders.schema' = 'id BIGINT, amount DOUBLE',\n"
                        + "  'orders.scan.bounded.mode' = 'latest-offset',\n"
                        + "  'big_orders.type' = 'kafka_sink',\n"
                        + "  'big_orders.topic.name' = 'big_orders',\n"
                        + "  'big_orders.bootstrap.servers' = '${BROKERS}',\n"
                        + "  'source.failure_strategy' = 'SendToDLQ',\n"
                        + "  'source.dlq.connector' = 'kafka',\n"
                        + "  'source.dlq.topic' = 'orders_dlq',\n"
                        + "  'source.dlq.properties.bootstrap.servers' = '${BROKERS}'\n"
                        + ");\n";
        VeloSql velo =
                VeloSql.builder()
                        .environment(Map.of("BROKERS", KAFKA.get().bootstrapServers()))
                        .build();
        VeloTranslation translation = velo.translateScript(script);
        assertThat(translation.veloTables().get("big_orders"))
                .containsEntry("batch.strategy", "fixed_size")
                .containsEntry("batch.size", "10");
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        velo.executeScript(env, script).await();

        assertThat(KAFKA.get().consumeStrings("big_orders", 2, WAIT))
                .containsExactlyInAnyOrder(
                        "{\"id\":2,\"amount\":500.0}", "{\"id\":4,\"amount\":900.0}");
        List<String> deadLetters = KAFKA.get().consumeStrings("orders_dlq", 1, WAIT);
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.get(0)).contains("orders");
    }
}
