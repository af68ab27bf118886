package dev.velo.flink.sql.dlq;

import dev.velo.flink.batching.dlq.DeadLetter;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.DataType;

/**
 * The fixed, documented schema of a dead letter (DESIGN.md §5) and its row form. The DLQ connector
 * gets a table with these columns; a table declared in SQL with {@link #CREATE_TABLE_COLUMNS} and
 * the DLQ's connector and format reads the dead letters back.
 */
@PublicEvolving
public final class DeadLetterSchema {

    /**
     * Version of the schema, written in every dead letter's {@code schema_version} column. The
     * schema evolves by appending nullable columns only (never renaming, retyping or reordering
     * one), and each such change increments the version, so a reader declared with the columns of
     * an older version keeps reading newer dead letters, and a reader can tell which columns a dead
     * letter was written with. Version 2 appended {@code retry_decision} and {@code
     * schema_version}; dead letters of version 1 read both back as null.
     */
    public static final int VERSION = 2;

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
                    "kafka_offset",
                    "retry_decision",
                    "schema_version");

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
                    DataTypes.FIELD("kafka_offset", DataTypes.BIGINT()),
                    DataTypes.FIELD("retry_decision", DataTypes.STRING()),
                    DataTypes.FIELD("schema_version", DataTypes.INT()));

    /** The column list for a {@code CREATE TABLE dlq (...)} that reads a DLQ back. */
    public static final String CREATE_TABLE_COLUMNS =
            "payload BYTES, error_class STRING, error_message STRING, stack_trace STRING,"
                    + " attempts INT, failed_at TIMESTAMP_LTZ(3), table_name STRING, side STRING,"
                    + " strategy STRING, batch_id BIGINT, kafka_topic STRING, kafka_partition INT,"
                    + " kafka_offset BIGINT, retry_decision STRING, schema_version INT";

    /** The schema as the physical columns of a table, for the DLQ connector's factory. */
    public static final ResolvedSchema RESOLVED_SCHEMA =
            ResolvedSchema.physical(COLUMNS, DATA_TYPE.getChildren());

    private DeadLetterSchema() {}

    /** A dead letter as a row of {@link #DATA_TYPE}, in Flink's internal data structures. */
    public static RowData toRow(DeadLetter dl) {
        GenericRowData row = new GenericRowData(COLUMNS.size());
        row.setField(0, dl.getPayload());
        row.setField(1, string(dl.getErrorClass()));
        row.setField(2, string(dl.getErrorMessage()));
        row.setField(3, string(dl.getStackTrace()));
        row.setField(4, dl.getAttempts());
        row.setField(5, TimestampData.fromEpochMillis(dl.getFailedAtMillis()));
        row.setField(6, string(dl.getTableName()));
        row.setField(7, string(dl.getSide()));
        row.setField(8, string(dl.getStrategy()));
        row.setField(9, dl.getBatchId());
        row.setField(10, string(dl.getKafkaTopic()));
        row.setField(11, dl.getKafkaPartition());
        row.setField(12, dl.getKafkaOffset());
        row.setField(13, string(dl.getRetryDecision()));
        row.setField(14, VERSION);
        return row;
    }

    private static StringData string(String s) {
        return s == null ? null : StringData.fromString(s);
    }
}
