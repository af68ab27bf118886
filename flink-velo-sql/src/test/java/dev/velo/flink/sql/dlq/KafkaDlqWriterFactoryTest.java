package dev.velo.flink.sql.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaDlqWriterFactoryTest {

    @Test
    void producerDefaultsPackAndCompressDeadLettersAndStayDurable() {
        Properties p =
                KafkaDlqWriterFactory.producerProperties(
                        "orders_dlq", 3, Map.of("bootstrap.servers", "b:9092"));
        assertThat(p)
                .containsEntry("bootstrap.servers", "b:9092")
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", "true")
                .containsEntry("batch.size", String.valueOf(512 * 1024))
                .containsEntry("compression.type", "lz4")
                .containsEntry("client.id", "velo-dlq-orders_dlq-3");
    }

    @Test
    void userPropertiesWinOverTheDefaults() {
        Properties p =
                KafkaDlqWriterFactory.producerProperties(
                        "t",
                        0,
                        Map.of(
                                "batch.size", "16384",
                                "compression.type", "none",
                                "acks", "1",
                                "client.id", "mine"));
        assertThat(p)
                .containsEntry("batch.size", "16384")
                .containsEntry("compression.type", "none")
                .containsEntry("acks", "1")
                .containsEntry("client.id", "mine");
    }
}
