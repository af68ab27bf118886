package dev.velo.flink.sql.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.dlq.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.junit.jupiter.api.Test;

/** The Kafka Connect DLQ headers of a dead letter, and the row the Kafka writer gets. */
class KafkaConnectHeadersTest {

    private static DeadLetter letter(String side) {
        DeadLetter dl =
                DeadLetter.of(
                        "{\"id\":1}".getBytes(StandardCharsets.UTF_8),
                        new IllegalArgumentException("bad id"),
                        3,
                        1_700_000_000_123L,
                        "orders",
                        side,
                        "SendToDLQ",
                        42L);
        return dl;
    }

    private static Map<String, String> text(Map<String, byte[]> headers) {
        Map<String, String> out = new HashMap<>();
        headers.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void carriesConnectsHeadersAndVelosOwn() {
        Map<String, String> headers =
                text(KafkaConnectHeaders.of(DeadLetterSchema.toRow(letter("sink"))));
        assertThat(headers)
                .containsEntry(
                        KafkaConnectHeaders.EXCEPTION_CLASS,
                        IllegalArgumentException.class.getName())
                .containsEntry(KafkaConnectHeaders.EXCEPTION_MESSAGE, "bad id")
                .containsEntry(KafkaConnectHeaders.STAGE, "TASK_PUT")
                .containsEntry(KafkaConnectHeaders.CONNECTOR_NAME, "orders")
                .containsEntry(KafkaConnectHeaders.VELO_TABLE, "orders")
                .containsEntry(KafkaConnectHeaders.VELO_SIDE, "sink")
                .containsEntry(KafkaConnectHeaders.VELO_STRATEGY, "SendToDLQ")
                .containsEntry(KafkaConnectHeaders.VELO_ATTEMPTS, "3")
                .containsEntry(KafkaConnectHeaders.VELO_BATCH_ID, "42")
                .containsEntry(KafkaConnectHeaders.VELO_FAILED_AT, "1700000000123");
        assertThat(headers.get(KafkaConnectHeaders.EXCEPTION_STACKTRACE))
                .startsWith(IllegalArgumentException.class.getName() + ": bad id");
        // no Kafka provenance: Connect's position headers are left out, not empty
        assertThat(headers)
                .doesNotContainKeys(
                        KafkaConnectHeaders.TOPIC,
                        KafkaConnectHeaders.PARTITION,
                        KafkaConnectHeaders.OFFSET);
    }

    @Test
    void carriesTheKafkaPositionWhereKnown() {
        DeadLetter dl = letter("source");
        dl.setKafkaTopic("orders-raw");
        dl.setKafkaPartition(2);
        dl.setKafkaOffset(1234L);
        Map<String, String> headers = text(KafkaConnectHeaders.of(DeadLetterSchema.toRow(dl)));
        assertThat(headers)
                .containsEntry(KafkaConnectHeaders.TOPIC, "orders-raw")
                .containsEntry(KafkaConnectHeaders.PARTITION, "2")
                .containsEntry(KafkaConnectHeaders.OFFSET, "1234")
                .containsEntry(KafkaConnectHeaders.STAGE, "VALUE_CONVERTER");
    }

    @Test
    void theWritersRowIsTheDeadLetterThenTheHeadersMap() {
        RowData letter = DeadLetterSchema.toRow(letter("sink"));
        RowData row = KafkaConnectHeaders.withHeaders(letter);
        int physical = DeadLetterSchema.COLUMNS.size();
        assertThat(row.getArity()).isEqualTo(physical + 1);
        assertThat(row.getString(DeadLetterSchema.COLUMNS.indexOf("table_name")))
                .hasToString("orders");
        MapData map = row.getMap(physical);
        Map<String, String> headers = new HashMap<>();
        for (int i = 0; i < map.size(); i++) {
            StringData key = map.keyArray().getString(i);
            headers.put(
                    key.toString(),
                    new String(map.valueArray().getBinary(i), StandardCharsets.UTF_8));
        }
        assertThat(headers).isEqualTo(text(KafkaConnectHeaders.of(letter)));
        assertThat(KafkaConnectHeaders.consumedDataType().getChildren()).hasSize(physical + 1);
        assertThat(KafkaConnectHeaders.schemaWithHeaders().getColumnCount())
                .isEqualTo(physical + 1);
    }
}
