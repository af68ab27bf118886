package dev.velo.flink.sql.dlq;

import dev.velo.flink.sql.internal.proxy.Proxies;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.utils.JoinedRowData;
import org.apache.flink.table.types.DataType;

/**
 * The record headers of a dead letter in a Kafka DLQ: the headers Kafka Connect's dead letter queue
 * writes ({@code __connect.errors.*}, so existing DLQ tooling reads velo's dead letters) plus
 * velo's own ({@code __velo.errors.*}). They are written through the Kafka table connector's
 * writable {@code headers} metadata column, so velo references no Kafka class; every value is the
 * UTF-8 text of its column, as Kafka Connect writes it, and a header whose column is null is left
 * out.
 */
@PublicEvolving
public final class KafkaConnectHeaders {

    /** The Kafka table connector's writable metadata key (MAP&lt;STRING, BYTES&gt;). */
    public static final String METADATA_KEY = "headers";

    public static final String TOPIC = "__connect.errors.topic";
    public static final String PARTITION = "__connect.errors.partition";
    public static final String OFFSET = "__connect.errors.offset";
    public static final String EXCEPTION_CLASS = "__connect.errors.exception.class.name";
    public static final String EXCEPTION_MESSAGE = "__connect.errors.exception.message";
    public static final String EXCEPTION_STACKTRACE = "__connect.errors.exception.stacktrace";

    /**
     * Kafka Connect's stage: {@code VALUE_CONVERTER}, {@code TASK_PUT} or {@code TRANSFORMATION}.
     */
    public static final String STAGE = "__connect.errors.stage";

    /** Kafka Connect's connector name: here the velo table that dead-lettered the record. */
    public static final String CONNECTOR_NAME = "__connect.errors.connector.name";

    public static final String VELO_TABLE = "__velo.errors.table.name";
    public static final String VELO_SIDE = "__velo.errors.side";
    public static final String VELO_STRATEGY = "__velo.errors.strategy";
    public static final String VELO_ATTEMPTS = "__velo.errors.attempts";
    public static final String VELO_BATCH_ID = "__velo.errors.batch.id";

    /** When the record was dead-lettered, in epoch milliseconds. */
    public static final String VELO_FAILED_AT = "__velo.errors.failed.at";

    /** The metadata column's type, as the Kafka connector declares it. */
    public static final DataType HEADERS_TYPE =
            DataTypes.MAP(DataTypes.STRING().nullable(), DataTypes.BYTES().nullable());

    /** Header name by dead-letter column, in the order they are written. */
    private static final Map<String, String> BY_COLUMN = new LinkedHashMap<>();

    static {
        BY_COLUMN.put("kafka_topic", TOPIC);
        BY_COLUMN.put("kafka_partition", PARTITION);
        BY_COLUMN.put("kafka_offset", OFFSET);
        BY_COLUMN.put("error_class", EXCEPTION_CLASS);
        BY_COLUMN.put("error_message", EXCEPTION_MESSAGE);
        BY_COLUMN.put("stack_trace", EXCEPTION_STACKTRACE);
        BY_COLUMN.put("table_name", VELO_TABLE);
        BY_COLUMN.put("side", VELO_SIDE);
        BY_COLUMN.put("strategy", VELO_STRATEGY);
        BY_COLUMN.put("attempts", VELO_ATTEMPTS);
        BY_COLUMN.put("batch_id", VELO_BATCH_ID);
        BY_COLUMN.put("failed_at", VELO_FAILED_AT);
    }

    private KafkaConnectHeaders() {}

    /** The dead-letter schema with the writable {@code headers} metadata column after it. */
    static ResolvedSchema schemaWithHeaders() {
        List<Column> columns = new ArrayList<>(DeadLetterSchema.RESOLVED_SCHEMA.getColumns());
        columns.add(Column.metadata(METADATA_KEY, HEADERS_TYPE, METADATA_KEY, false));
        return ResolvedSchema.of(columns);
    }

    /** The row type a DLQ sink with the headers column consumes: the physical row, then headers. */
    static DataType consumedDataType() {
        List<DataTypes.Field> fields = new ArrayList<>();
        List<DataType> types = DeadLetterSchema.DATA_TYPE.getChildren();
        for (int i = 0; i < types.size(); i++) {
            fields.add(DataTypes.FIELD(DeadLetterSchema.COLUMNS.get(i), types.get(i)));
        }
        fields.add(DataTypes.FIELD(METADATA_KEY, HEADERS_TYPE));
        return DataTypes.ROW(fields.toArray(new DataTypes.Field[0])).notNull();
    }

    /** The headers of a dead-letter row (of {@link DeadLetterSchema#DATA_TYPE}). */
    public static Map<String, byte[]> of(RowData deadLetter) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : BY_COLUMN.entrySet()) {
            String text = text(deadLetter, DeadLetterSchema.COLUMNS.indexOf(e.getKey()));
            if (text != null) {
                headers.put(e.getValue(), text.getBytes(StandardCharsets.UTF_8));
            }
        }
        String side = text(deadLetter, DeadLetterSchema.COLUMNS.indexOf("side"));
        if (side != null) {
            headers.put(STAGE, stage(side).getBytes(StandardCharsets.UTF_8));
        }
        String table = text(deadLetter, DeadLetterSchema.COLUMNS.indexOf("table_name"));
        if (table != null) {
            headers.put(CONNECTOR_NAME, table.getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    /** Kafka Connect's name of the stage a failure of {@code side} happened in. */
    static String stage(String side) {
        switch (side) {
            case "source":
                return "VALUE_CONVERTER";
            case "sink":
                return "TASK_PUT";
            default:
                return "TRANSFORMATION";
        }
    }

    private static String text(RowData row, int pos) {
        if (pos < 0 || pos >= row.getArity() || row.isNullAt(pos)) {
            return null;
        }
        DataType type = DeadLetterSchema.DATA_TYPE.getChildren().get(pos);
        switch (type.getLogicalType().getTypeRoot()) {
            case INTEGER:
                return String.valueOf(row.getInt(pos));
            case BIGINT:
                return String.valueOf(row.getLong(pos));
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                {
                    TimestampData ts = row.getTimestamp(pos, 3);
                    return String.valueOf(ts.getMillisecond());
                }
            case CHAR:
            case VARCHAR:
                return row.getString(pos).toString();
            default:
                return null;
        }
    }

    /** The row the Kafka writer gets: the dead letter, then its headers. */
    static RowData withHeaders(RowData deadLetter) {
        Map<StringData, byte[]> map = new LinkedHashMap<>();
        of(deadLetter).forEach((k, v) -> map.put(StringData.fromString(k), v));
        JoinedRowData joined =
                new JoinedRowData(deadLetter, GenericRowData.of(new GenericMapData(map)));
        joined.setRowKind(deadLetter.getRowKind());
        return joined;
    }

    /**
     * {@code sink} whose writers add the headers to every dead-letter row: a proxy implementing the
     * interfaces of {@code sink} (committer, writer state, ...), so the connector's own committing
     * and state handling are untouched; only {@code write} of its writers changes.
     */
    @SuppressWarnings("unchecked")
    static Sink<RowData> wrap(Sink<RowData> sink) {
        return (Sink<RowData>) Proxies.implementingAllOf(sink, null, new SinkHandler(sink));
    }

    private static Object forward(Object target, Method method, Object[] args) throws Throwable {
        try {
            method.setAccessible(true);
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Hands out writers that add the headers. */
    private static final class SinkHandler implements InvocationHandler, Serializable {
        private static final long serialVersionUID = 1L;
        private final Sink<RowData> sink;

        SinkHandler(Sink<RowData> sink) {
            this.sink = sink;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (Proxies.isObjectMethod(method)) {
                return Proxies.objectMethod(proxy, method, args, () -> "headers(" + sink + ")");
            }
            Object result = forward(sink, method, args);
            if (result instanceof SinkWriter
                    && ("createWriter".equals(method.getName())
                            || "restoreWriter".equals(method.getName()))) {
                return Proxies.implementingAllOf(
                        result, null, new WriterHandler((SinkWriter<RowData>) result));
            }
            return result;
        }
    }

    /** Adds the headers to the row of every {@code write}. */
    private static final class WriterHandler implements InvocationHandler {
        private final SinkWriter<RowData> writer;

        WriterHandler(SinkWriter<RowData> writer) {
            this.writer = writer;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (Proxies.isObjectMethod(method)) {
                return Proxies.objectMethod(proxy, method, args, () -> "headers(" + writer + ")");
            }
            if ("write".equals(method.getName()) && args != null && args.length == 2) {
                writer.write(withHeaders((RowData) args[0]), (SinkWriter.Context) args[1]);
                return null;
            }
            return forward(writer, method, args);
        }
    }
}
