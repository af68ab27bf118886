package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.testing.EmbeddedKafkaExtension;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A velo source failure strategy guards the value format only: a Kafka record whose key cannot be
 * decoded fails the job on the velo table exactly as on the plain table, instead of being dropped
 * or dead-lettered without a word.
 */
@Timeout(120)
class KafkaKeyDecodingITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            VeloTestClusters.withReporter(InMemoryReporter.create());

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @BeforeAll
    static void fill() throws Exception {
        KAFKA.get().createTopic("keyed", 1);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.get().bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(record("{\"k\": 1}", "{\"v\": \"a\"}")).get();
            producer.send(record("not json", "{\"v\": \"b\"}")).get();
            producer.send(record("{\"k\": 3}", "{\"v\": \"c\"}")).get();
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String key, String value) {
        return new ProducerRecord<>(
                "keyed",
                key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    private static String table(String name, String connector) {
        return "CREATE TABLE "
                + name
                + " (k INT, v STRING) WITH ("
                + connector
                + "'topic' = 'keyed', 'properties.bootstrap.servers' = '"
                + KAFKA.get().bootstrapServers()
                + "', 'scan.startup.mode' = 'earliest-offset',"
                + " 'scan.bounded.mode' = 'latest-offset',"
                + " 'key.format' = 'json', 'key.fields' = 'k',"
                + " 'value.format' = 'json', 'value.fields-include' = 'EXCEPT_KEY')";
    }

    /** The cause chain of the error the query fails with. */
    private static String failureOf(TableEnvironment env, String table) {
        try (CloseableIterator<Row> rows = env.executeSql("SELECT * FROM " + table).collect()) {
            rows.forEachRemaining(r -> {});
        } catch (Throwable t) {
            return VeloSinkITCase.causeChain(t);
        }
        throw new AssertionError("reading " + table + " did not fail on the undecodable key");
    }

    @Test
    void anUndecodableKeyFailsTheVeloTableAsItFailsThePlainTable() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.executeSql(table("plain", "'connector' = 'kafka', "));
        for (String strategy : new String[] {"LogAndContinue", "SendToDLQ"}) {
            String dlq = strategy.equals("SendToDLQ") ? "'dlq.connector' = 'blackhole', " : "";
            env.executeSql(
                    table(
                            "velo_" + strategy,
                            "'connector' = 'velo', 'velo.connector' = 'kafka',"
                                    + " 'source.failure_strategy' = '"
                                    + strategy
                                    + "', "
                                    + dlq));
        }
        String plain = failureOf(env, "plain");
        assertThat(plain).contains("not json");
        assertThat(failureOf(env, "velo_LogAndContinue")).contains("not json");
        assertThat(failureOf(env, "velo_SendToDLQ")).contains("not json");
    }
}
