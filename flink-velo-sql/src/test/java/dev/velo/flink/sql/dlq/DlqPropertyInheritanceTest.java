package dev.velo.flink.sql.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.table.api.ValidationException;
import org.junit.jupiter.api.Test;

/** Which of a Kafka table's properties its Kafka DLQ inherits, and when. */
class DlqPropertyInheritanceTest {

    private static final String JAAS = "org.example.Login required password=\"p\";";

    private static Map<String, String> kafkaTable(String connector) {
        Map<String, String> t = new HashMap<>();
        t.put("velo.connector", connector);
        t.put("properties.bootstrap.servers", "broker:9093");
        t.put("properties.security.protocol", "SASL_SSL");
        t.put("properties.sasl.mechanism", "PLAIN");
        t.put("properties.sasl.jaas.config", JAAS);
        t.put("properties.ssl.truststore.location", "/etc/ts.jks");
        t.put("properties.client.dns.lookup", "use_all_dns_ips");
        t.put("properties.group.id", "readers");
        t.put("properties.max.poll.records", "10");
        return t;
    }

    private static Map<String, String> dlq(String... kv) {
        Map<String, String> d = new HashMap<>();
        d.put("connector", "kafka");
        d.put("topic", "dlq");
        for (int i = 0; i < kv.length; i += 2) {
            d.put(kv[i], kv[i + 1]);
        }
        return d;
    }

    @Test
    void aDlqOnTheTablesClusterTakesItsConnectionAndSecurityPropertiesOnly() {
        for (String connector : new String[] {"kafka", "upsert-kafka"}) {
            Map<String, String> d = dlq();
            DlqKafkaProperties.inherit("t", connector, "kafka", kafkaTable(connector), d);
            assertThat(d)
                    .containsEntry("properties.bootstrap.servers", "broker:9093")
                    .containsEntry("properties.security.protocol", "SASL_SSL")
                    .containsEntry("properties.sasl.mechanism", "PLAIN")
                    .containsEntry("properties.sasl.jaas.config", JAAS)
                    .containsEntry("properties.ssl.truststore.location", "/etc/ts.jks")
                    .containsEntry("properties.client.dns.lookup", "use_all_dns_ips")
                    .doesNotContainKeys("properties.group.id", "properties.max.poll.records");
        }
    }

    @Test
    void theDlqsOwnSettingsWin() {
        Map<String, String> d =
                dlq(
                        "properties.bootstrap.servers", " broker:9093 ",
                        "properties.sasl.jaas.config", "own");
        DlqKafkaProperties.inherit("t", "kafka", "kafka", kafkaTable("kafka"), d);
        assertThat(d)
                .containsEntry("properties.sasl.jaas.config", "own")
                .containsEntry("properties.security.protocol", "SASL_SSL");
    }

    @Test
    void aDlqOnAnotherClusterInheritsNothing() {
        Map<String, String> d = dlq("properties.bootstrap.servers", "elsewhere:9092");
        DlqKafkaProperties.inherit("t", "kafka", "kafka", kafkaTable("kafka"), d);
        assertThat(d).containsOnlyKeys("connector", "topic", "properties.bootstrap.servers");
    }

    @Test
    void onlyKafkaTablesAndKafkaDlqsInherit() {
        Map<String, String> fromFiles = dlq();
        Map<String, String> files = kafkaTable("filesystem");
        DlqKafkaProperties.inherit("t", "filesystem", "kafka", files, fromFiles);
        assertThat(fromFiles).containsOnlyKeys("connector", "topic");

        Map<String, String> toPrint = new HashMap<>(Map.of("connector", "print"));
        DlqKafkaProperties.inherit("t", "kafka", "print", kafkaTable("kafka"), toPrint);
        assertThat(toPrint).containsOnlyKeys("connector");
    }

    @Test
    void inheritanceCanBeTurnedOffAndTheOptionIsNotPassedOn() {
        Map<String, String> d = dlq("inherit-properties", "FALSE");
        DlqKafkaProperties.inherit("t", "kafka", "kafka", kafkaTable("kafka"), d);
        assertThat(d).containsOnlyKeys("connector", "topic");

        Map<String, String> on = dlq("inherit-properties", "true");
        DlqKafkaProperties.inherit("t", "kafka", "kafka", kafkaTable("kafka"), on);
        assertThat(on).doesNotContainKey("inherit-properties");
        assertThat(on).containsKey("properties.sasl.jaas.config");
    }

    @Test
    void aBadValueIsNamedWithWhatIsAccepted() {
        Map<String, String> d = dlq("inherit-properties", "yes please");
        assertThatThrownBy(
                        () ->
                                DlqKafkaProperties.inherit(
                                        "orders", "kafka", "kafka", kafkaTable("kafka"), d))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("Table 'orders'")
                .hasMessageContaining("'yes please'")
                .hasMessageContaining("'dlq.inherit-properties'")
                .hasMessageContaining("true, false")
                .hasMessageNotContaining("password");
    }
}
