package dev.velo.flink.sql.dlq;

import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_INHERIT_PROPERTIES;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_PREFIX;

import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * The Kafka client properties of a kafka DLQ: velo's producer defaults and the connection and
 * security properties a DLQ on the velo table's own cluster inherits ({@link
 * DlqOptions#DLQ_INHERIT_PROPERTIES}).
 */
final class DlqKafkaProperties {

    private DlqKafkaProperties() {}

    /**
     * Producer defaults of a kafka DLQ, each overridable with {@code dlq.properties.<key>}. A dead
     * letter carries its error and a stack trace of up to 8 KiB, so Kafka's 16 KiB default batch
     * would put one or two dead letters in a produce request and a burst of them would stall the
     * flush before the next checkpoint; dead letters of one batch repeat the same stack trace, so
     * they compress many times over (lz4-java ships with Flink's runtime).
     */
    static final Map<String, String> KAFKA_DEFAULTS =
            Map.of(
                    "properties.batch.size",
                    String.valueOf(512 * 1024),
                    "properties.compression.type",
                    "lz4");

    /**
     * Record key of a kafka DLQ unless the user sets one: the velo table's name, so the dead
     * letters of one table stay in order in one partition.
     */
    static final Map<String, String> KAFKA_KEY_DEFAULTS =
            Map.of("key.format", "raw", "key.fields", "table_name");

    /** Connectors whose {@code properties.*} are Kafka client properties. */
    static final Set<String> KAFKA_CONNECTORS = Set.of(DlqOptionsUtil.KAFKA, "upsert-kafka");

    private static final String PROPERTIES = "properties.";

    static final String BOOTSTRAP_SERVERS = "bootstrap.servers";

    /** Kafka client properties a DLQ on the table's cluster inherits (connection and security). */
    static final Set<String> INHERITED_PROPERTIES =
            Set.of(BOOTSTRAP_SERVERS, "security.protocol", "client.dns.lookup");

    static final List<String> INHERITED_PROPERTY_PREFIXES = List.of("sasl.", "ssl.");

    /** Puts velo's producer defaults and record key into a kafka DLQ's options it does not set. */
    static void putDefaults(Map<String, String> dlqOptions) {
        KAFKA_DEFAULTS.forEach(dlqOptions::putIfAbsent);
        if (KAFKA_KEY_DEFAULTS.keySet().stream().noneMatch(dlqOptions::containsKey)) {
            dlqOptions.putAll(KAFKA_KEY_DEFAULTS);
        }
    }

    /**
     * Gives a Kafka DLQ on the velo table's own Kafka cluster the table's connection and security
     * properties it does not set itself, as Kafka Connect's DLQ producer inherits its connector's.
     * Values are copied, never logged.
     *
     * @param tableConnector the connector the velo table wraps (null when unknown)
     */
    static void inherit(
            String tableName,
            @Nullable String tableConnector,
            String dlqConnector,
            Map<String, String> tableOptions,
            Map<String, String> dlqOptions) {
        String inheritKey = DLQ_INHERIT_PROPERTIES.key().substring(DLQ_PREFIX.length());
        String inherit = dlqOptions.remove(inheritKey);
        boolean enabled =
                inherit == null
                        ? DLQ_INHERIT_PROPERTIES.defaultValue()
                        : DlqOptionsUtil.typed(
                                tableName,
                                DLQ_INHERIT_PROPERTIES,
                                inherit,
                                " (accepted: true, false).");
        if (!enabled
                || !KAFKA_CONNECTORS.contains(dlqConnector)
                || tableConnector == null
                || !KAFKA_CONNECTORS.contains(tableConnector.trim())) {
            return;
        }
        String bootstrap = PROPERTIES + BOOTSTRAP_SERVERS;
        String own = dlqOptions.get(bootstrap);
        if (own != null && !own.trim().equals(trimmed(tableOptions.get(bootstrap)))) {
            return; // another cluster: its settings are the user's to give
        }
        tableOptions.forEach(
                (key, value) -> {
                    if (key.startsWith(PROPERTIES)
                            && isConnectionProperty(key.substring(PROPERTIES.length()))) {
                        dlqOptions.putIfAbsent(key, value);
                    }
                });
    }

    private static boolean isConnectionProperty(String property) {
        return INHERITED_PROPERTIES.contains(property)
                || INHERITED_PROPERTY_PREFIXES.stream().anyMatch(property::startsWith);
    }

    private static String trimmed(String s) {
        return s == null ? null : s.trim();
    }
}
