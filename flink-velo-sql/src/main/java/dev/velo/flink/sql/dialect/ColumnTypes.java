package dev.velo.flink.sql.dialect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

/**
 * The SQL types schema inference gives a value (a CSV field, a JSON value) and the column lists it
 * writes: shared by the inference from files and from topics.
 */
@Internal
final class ColumnTypes {

    private ColumnTypes() {}

    /** Back-quotes column names Flink reserves (e.g. {@code value}) in a column list. */
    static String quoteReserved(String schema) {
        List<String> out = new ArrayList<>();
        for (String column : splitColumns(schema)) {
            String trimmed = column.trim();
            String[] parts = trimmed.split("\\s+", 2);
            if (parts.length == 2
                    && QueryScanner.RESERVED_NAMES.contains(parts[0].toLowerCase(Locale.ROOT))) {
                trimmed = SqlText.quote(parts[0]) + " " + parts[1];
            }
            out.add(trimmed);
        }
        return String.join(", ", out);
    }

    /** The column declarations of a column list, split at the commas outside type brackets. */
    static List<String> splitColumns(String schema) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < schema.length(); i++) {
            char c = schema.charAt(i);
            if (c == '(' || c == '<') {
                depth++;
            } else if (c == ')' || c == '>') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(schema.substring(start, i));
                start = i + 1;
            }
        }
        out.add(schema.substring(start));
        return out;
    }

    /**
     * The column list of inferred JSON field types: a field only ever null, or an object or array
     * of a Kafka sample, is a STRING column.
     */
    static String columnList(Map<String, String> types) {
        List<String> columns = new ArrayList<>();
        types.forEach(
                (column, type) ->
                        columns.add(
                                SqlText.quote(column)
                                        + " "
                                        + (type.equals("NULL") || type.startsWith("STRING")
                                                ? "STRING"
                                                : type)));
        return String.join(", ", columns);
    }

    /** BIGINT, DOUBLE, BOOLEAN, NULL or STRING (objects and arrays too). */
    static String jsonType(JsonNode value) {
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return "BIGINT";
        }
        if (value.isNumber()) {
            return "DOUBLE";
        }
        if (value.isBoolean()) {
            return "BOOLEAN";
        }
        return value.isNull() ? "NULL" : "STRING";
    }

    /** Like {@link #jsonType}, with objects and arrays kept apart from strings. */
    static String kafkaJsonType(JsonNode value) {
        if (value.isObject() || value.isArray()) {
            return value.isObject() ? "STRING:object" : "STRING:array";
        }
        return jsonType(value);
    }

    static boolean isNumber(String type) {
        return type.equals("BIGINT") || type.equals("DOUBLE");
    }

    /** The type two values of one column share: NULL gives way, numbers widen to DOUBLE. */
    static String widen(String a, String b) {
        if (a.equals(b) || b.equals("NULL")) {
            return a;
        }
        if (a.equals("NULL")) {
            return b;
        }
        if ((a.equals("BIGINT") && b.equals("DOUBLE"))
                || (a.equals("DOUBLE") && b.equals("BIGINT"))) {
            return "DOUBLE";
        }
        return "STRING";
    }

    /** The type of a CSV column from its values in the records after the header. */
    static String csvType(List<List<String>> records, int column) {
        boolean isLong = true;
        boolean isDouble = true;
        boolean isBoolean = true;
        int seen = 0;
        for (int r = 1; r < records.size(); r++) {
            if (column >= records.get(r).size()) {
                continue;
            }
            String v = records.get(r).get(column).trim();
            if (v.isEmpty()) {
                continue;
            }
            seen++;
            isLong &= v.matches("[-+]?\\d{1,18}");
            isDouble &= v.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
            isBoolean &= v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false");
        }
        if (seen == 0) {
            return "STRING";
        }
        return isLong ? "BIGINT" : isDouble ? "DOUBLE" : isBoolean ? "BOOLEAN" : "STRING";
    }
}
