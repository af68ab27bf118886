package dev.velo.flink.sql.dlq;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.sql.internal.JsonText;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.DataType;

/**
 * The fixed, documented schema of a dead letter, and its JSON encoding. A DLQ declared in SQL with
 * {@link #CREATE_TABLE_COLUMNS} and {@code 'format' = 'json'} reads the dead letters back.
 */
@PublicEvolving
public final class DeadLetterSchema {

    /** Column names, in order. */
    public static final List<String> COLUMNS =
            List.of(
                    "payload",
                    "error_class",
                    "error_message",
                    "stack_trace",
                    "attempts",
                    "failed_at",
                    "table_name",
                    "side",
                    "strategy",
                    "batch_id",
                    "kafka_topic",
                    "kafka_partition",
                    "kafka_offset");

    /** The schema as a Flink data type. */
    public static final DataType DATA_TYPE =
            DataTypes.ROW(
                    DataTypes.FIELD("payload", DataTypes.BYTES()),
                    DataTypes.FIELD("error_class", DataTypes.STRING()),
                    DataTypes.FIELD("error_message", DataTypes.STRING()),
                    DataTypes.FIELD("stack_trace", DataTypes.STRING()),
                    DataTypes.FIELD("attempts", DataTypes.INT()),
                    DataTypes.FIELD("failed_at", DataTypes.TIMESTAMP_LTZ(3)),
                    DataTypes.FIELD("table_name", DataTypes.STRING()),
                    DataTypes.FIELD("side", DataTypes.STRING()),
                    DataTypes.FIELD("strategy", DataTypes.STRING()),
                    DataTypes.FIELD("batch_id", DataTypes.BIGINT()),
                    DataTypes.FIELD("kafka_topic", DataTypes.STRING()),
                    DataTypes.FIELD("kafka_partition", DataTypes.INT()),
                    DataTypes.FIELD("kafka_offset", DataTypes.BIGINT()));

    /** The column list for a {@code CREATE TABLE dlq (...)} that reads a DLQ back. */
    public static final String CREATE_TABLE_COLUMNS =
            "payload BYTES, error_class STRING, error_message STRING, stack_trace STRING,"
                    + " attempts INT, failed_at TIMESTAMP_LTZ(3), table_name STRING, side STRING,"
                    + " strategy STRING, batch_id BIGINT, kafka_topic STRING, kafka_partition INT,"
                    + " kafka_offset BIGINT";

    // Flink's json format reads TIMESTAMP_LTZ in its SQL style: "2020-12-30 12:13:14.123Z".
    private static final DateTimeFormatter SQL_LTZ =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private DeadLetterSchema() {}

    /** Encodes a dead letter as one JSON object (no trailing newline). */
    public static byte[] toJson(DeadLetter dl) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"payload\":");
        JsonText.quote(
                sb,
                dl.getPayload() == null
                        ? null
                        : Base64.getEncoder().encodeToString(dl.getPayload()));
        sb.append(",\"error_class\":");
        JsonText.quote(sb, dl.getErrorClass());
        sb.append(",\"error_message\":");
        JsonText.quote(sb, dl.getErrorMessage());
        sb.append(",\"stack_trace\":");
        JsonText.quote(sb, dl.getStackTrace());
        sb.append(",\"attempts\":").append(dl.getAttempts());
        sb.append(",\"failed_at\":");
        JsonText.quote(sb, SQL_LTZ.format(Instant.ofEpochMilli(dl.getFailedAtMillis())));
        sb.append(",\"table_name\":");
        JsonText.quote(sb, dl.getTableName());
        sb.append(",\"side\":");
        JsonText.quote(sb, dl.getSide());
        sb.append(",\"strategy\":");
        JsonText.quote(sb, dl.getStrategy());
        sb.append(",\"batch_id\":").append(dl.getBatchId());
        sb.append(",\"kafka_topic\":");
        JsonText.quote(sb, dl.getKafkaTopic());
        sb.append(",\"kafka_partition\":").append(dl.getKafkaPartition());
        sb.append(",\"kafka_offset\":").append(dl.getKafkaOffset());
        sb.append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
