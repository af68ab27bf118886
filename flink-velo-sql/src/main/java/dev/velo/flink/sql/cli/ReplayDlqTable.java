package dev.velo.flink.sql.cli;

import dev.velo.flink.sql.dlq.DeadLetterSchema;
import dev.velo.flink.sql.dlq.DlqOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * The DLQ of a velo table as {@code velo replay} reads it back: a bounded table over the table's
 * own {@code dlq.*} options and the filter that keeps the dead letters to replay.
 */
@Internal
final class ReplayDlqTable {

    /** The name of the bounded DLQ table in the replay's environment. */
    static final String VIEW = "velo_replay_dead_letters";

    private static final String PREFIX = DlqOptions.DLQ_PREFIX;

    private ReplayDlqTable() {}

    static String dlqConnector(String table, Map<String, String> options) {
        if (!"velo".equals(options.get(FactoryUtil.CONNECTOR.key()))) {
            throw new ValidationException(
                    String.format(
                            "--table '%s': not a velo table ('connector' = '%s'); replay writes"
                                    + " through a velo table and reads its 'dlq.*' options",
                            table, options.get(FactoryUtil.CONNECTOR.key())));
        }
        String connector = options.get(PREFIX + FactoryUtil.CONNECTOR.key());
        connector = connector == null ? null : connector.trim();
        if (!"kafka".equals(connector) && !"filesystem".equals(connector)) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': invalid value '%s' for option '%s': replay"
                                    + " reads dead letters back from a kafka or filesystem DLQ"
                                    + " (accepted: kafka, filesystem)",
                            table, connector, DlqOptions.DLQ_CONNECTOR.key()));
        }
        return connector;
    }

    /**
     * A bounded source over the table's DLQ: its {@code dlq.*} options without the prefix (the same
     * topic or path, format, security properties), with the dead-letter columns and where each dead
     * letter is in the DLQ.
     */
    static String ddl(ObjectIdentifier id, String connector, Map<String, String> options) {
        Map<String, String> dlq = new LinkedHashMap<>();
        options.forEach(
                (k, v) -> {
                    if (k.startsWith(PREFIX)) {
                        dlq.put(k.substring(PREFIX.length()), v);
                    }
                });
        dlq.put(FactoryUtil.CONNECTOR.key(), connector);
        if (!dlq.containsKey("format") && !dlq.containsKey("value.format")) {
            dlq.put("format", "json");
        }
        String where;
        if ("kafka".equals(connector)) {
            if (dlq.keySet().stream().noneMatch(k -> k.startsWith("key."))) {
                // as the DLQ writes it: key the table name, raw
                dlq.put("key.format", "raw");
                dlq.put("key.fields", "table_name");
            }
            dlq.put("scan.startup.mode", "earliest-offset");
            dlq.put("scan.bounded.mode", "latest-offset");
            dlq.putIfAbsent("properties.group.id", "velo-replay-" + id.getObjectName());
            where =
                    ", velo_replay_partition INT METADATA FROM 'partition' VIRTUAL"
                            + ", velo_replay_offset BIGINT METADATA FROM 'offset' VIRTUAL"
                            + ", velo_replay_where AS 'partition ' ||"
                            + " CAST(velo_replay_partition AS STRING) || ' offset ' ||"
                            + " CAST(velo_replay_offset AS STRING)";
        } else {
            where =
                    ", velo_replay_file STRING METADATA FROM 'file.path' VIRTUAL"
                            + ", velo_replay_where AS 'file ' || velo_replay_file";
        }
        String with =
                dlq.entrySet().stream()
                        .map(e -> literal(e.getKey()) + " = " + literal(e.getValue()))
                        .collect(Collectors.joining(", "));
        return "CREATE TEMPORARY TABLE "
                + VIEW
                + " ("
                + DeadLetterSchema.CREATE_TABLE_COLUMNS
                + where
                + ") WITH ("
                + with
                + ")";
    }

    /** Sink dead letters of the table within the window, of the error class if given. */
    static String filter(String table, ReplayRequest r) {
        StringBuilder sb =
                new StringBuilder("side = 'sink' AND table_name = ").append(literal(table));
        sb.append(" AND failed_at < TO_TIMESTAMP_LTZ(").append(r.toMillis).append(", 3)");
        if (r.fromMillis != null) {
            sb.append(" AND failed_at >= TO_TIMESTAMP_LTZ(").append(r.fromMillis).append(", 3)");
        }
        if (r.errorClass != null) {
            sb.append(" AND error_class = ").append(literal(r.errorClass));
        }
        return sb.toString();
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
