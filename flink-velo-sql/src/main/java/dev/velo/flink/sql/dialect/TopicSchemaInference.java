package dev.velo.flink.sql.dialect;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The columns of a JSON Kafka source without a schema, from the fields of the first records of its
 * topic (read by a {@link TopicSampler}). Unlike files, where a column whose values disagree
 * becomes STRING, a topic whose records disagree on a field's type is an error naming the field: a
 * guessed STRING column would hide the disagreement.
 */
@Internal
final class TopicSchemaInference {

    /** How long a JSON Kafka source's topic is read for a sample, at most. */
    static final Duration KAFKA_SAMPLE_WAIT = Duration.ofSeconds(10);

    private final SqlLexer lexer;
    private final List<String> notes;
    private final TopicSampler topicSampler;

    TopicSchemaInference(SqlLexer lexer, List<String> notes, TopicSampler topicSampler) {
        this.lexer = lexer;
        this.notes = notes;
        this.topicSampler = topicSampler;
    }

    void inferKafkaJson(String name, Connectors.Mapped mapped, Token at) {
        String topic = mapped.options.get("topic");
        String pin = "; pin it with '" + name + ".schema' = 'col TYPE, ...'";
        List<byte[]> records;
        try {
            records =
                    topicSampler.sample(
                            mapped.options, FileSchemaInference.SAMPLE_ROWS, KAFKA_SAMPLE_WAIT);
        } catch (Exception e) {
            throw lexer.error(
                    at.start,
                    "source '"
                            + name
                            + "' has no schema and topic '"
                            + topic
                            + "' could not be sampled to infer one ("
                            + e.getMessage()
                            + ")"
                            + pin);
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> firstSeen = new LinkedHashMap<>();
        int objects = 0;
        for (byte[] value : records) {
            JsonNode node;
            try {
                node = value == null ? null : json.readTree(value);
            } catch (IOException e) {
                continue; // a malformed record is the failure strategy's business
            }
            if (node == null || !node.isObject()) {
                continue;
            }
            objects++;
            var fields = node.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                String type = ColumnTypes.kafkaJsonType(f.getValue());
                String known = types.get(f.getKey());
                if (known == null) {
                    types.put(f.getKey(), type);
                    firstSeen.put(f.getKey(), f.getValue().toString());
                    continue;
                }
                boolean numbers = ColumnTypes.isNumber(known) && ColumnTypes.isNumber(type);
                if (!known.equals(type)
                        && !known.equals("NULL")
                        && !type.equals("NULL")
                        && !numbers) {
                    throw lexer.error(
                            at.start,
                            "cannot infer the columns of '"
                                    + name
                                    + "' from topic '"
                                    + topic
                                    + "': field '"
                                    + f.getKey()
                                    + "' is "
                                    + describe(known)
                                    + " in one record ("
                                    + abbreviate(firstSeen.get(f.getKey()))
                                    + ") and "
                                    + describe(type)
                                    + " in another ("
                                    + abbreviate(f.getValue().toString())
                                    + ")"
                                    + pin);
                }
                types.put(f.getKey(), ColumnTypes.widen(known, type));
            }
        }
        if (types.isEmpty()) {
            throw lexer.error(
                    at.start,
                    "cannot infer the columns of '"
                            + name
                            + "' from topic '"
                            + topic
                            + "': "
                            + (records.isEmpty()
                                    ? "no record arrived within "
                                            + KAFKA_SAMPLE_WAIT.toSeconds()
                                            + " s"
                                    : "none of its first "
                                            + records.size()
                                            + " records is a JSON object")
                            + pin);
        }
        mapped.columns = ColumnTypes.columnList(types);
        notes.add(
                "'"
                        + name
                        + "': columns inferred from "
                        + objects
                        + " record(s) of topic '"
                        + topic
                        + "': "
                        + mapped.columns
                        + " (pin them with '"
                        + name
                        + ".schema' = '"
                        + mapped.columns
                        + "')");
    }

    private static String describe(String type) {
        switch (type) {
            case "BIGINT":
            case "DOUBLE":
                return "a number";
            case "BOOLEAN":
                return "a boolean";
            case "STRING":
                return "a string";
            default:
                return type.contains("object") ? "an object" : "an array";
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
