package dev.velo.flink.sql.internal;

import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.RowType;

/** Encodes a sink row as a JSON object for the payload of a dead letter. */
@Internal
public final class RowDataJsonEncoder implements DeadLetterEncoder<RowData> {
    private static final long serialVersionUID = 1L;

    private final String[] names;
    private final RowData.FieldGetter[] getters;

    public RowDataJsonEncoder(RowType rowType) {
        List<String> fieldNames = rowType.getFieldNames();
        this.names = fieldNames.toArray(new String[0]);
        this.getters = new RowData.FieldGetter[names.length];
        for (int i = 0; i < names.length; i++) {
            getters[i] = RowData.createFieldGetter(rowType.getTypeAt(i), i);
        }
    }

    @Override
    public byte[] payload(RowData row) {
        StringBuilder sb = new StringBuilder(64 + 16 * names.length);
        sb.append('{');
        int arity = Math.min(names.length, row.getArity());
        for (int i = 0; i < arity; i++) {
            if (i > 0) {
                sb.append(',');
            }
            JsonText.quote(sb, names[i]).append(':');
            appendValue(sb, getters[i].getFieldOrNull(row));
        }
        sb.append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void appendValue(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            sb.append(v);
        } else if (v instanceof Short || v instanceof Byte) {
            sb.append(v);
        } else if (v instanceof Float || v instanceof Double) {
            double d = ((Number) v).doubleValue();
            if (Double.isFinite(d)) {
                sb.append(v);
            } else {
                JsonText.quote(sb, v.toString());
            }
        } else if (v instanceof DecimalData) {
            sb.append(((DecimalData) v).toBigDecimal().toPlainString());
        } else if (v instanceof StringData) {
            JsonText.quote(sb, v.toString());
        } else if (v instanceof TimestampData) {
            JsonText.quote(sb, ((TimestampData) v).toLocalDateTime().toString());
        } else if (v instanceof byte[]) {
            JsonText.quote(sb, Base64.getEncoder().encodeToString((byte[]) v));
        } else {
            JsonText.quote(sb, String.valueOf(v));
        }
    }
}
