package dev.velo.flink.sql.dlq;

import static dev.velo.flink.sql.factory.VeloConnectorOptions.DLQ_CONNECTOR;
import static dev.velo.flink.sql.factory.VeloConnectorOptions.DLQ_FORMAT;
import static dev.velo.flink.sql.factory.VeloConnectorOptions.DLQ_PATH;
import static dev.velo.flink.sql.factory.VeloConnectorOptions.DLQ_PREFIX;
import static dev.velo.flink.sql.factory.VeloConnectorOptions.DLQ_PROPERTIES_PREFIX;
import static dev.velo.flink.sql.factory.VeloConnectorOptions.DLQ_TOPIC;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;

/** Validates the {@code dlq.*} options of a table and builds its dead letter writer factory. */
@Internal
public final class DlqOptionsUtil {

    /** DLQ connectors flink-velo can write to. */
    public static final List<String> SUPPORTED_CONNECTORS =
            List.of("kafka", "filesystem", "print", "blackhole");

    private DlqOptionsUtil() {}

    /**
     * The DLQ of a table, or empty when it declares none.
     *
     * @param required whether a failure strategy of the table may dead-letter
     */
    public static Optional<DlqWriterFactory> create(
            String tableName, Map<String, String> options, boolean required) {
        String connector = options.get(DLQ_CONNECTOR.key());
        if (connector == null) {
            if (required) {
                throw new ValidationException(
                        String.format(
                                "Table '%s': a failure strategy is SendToDLQ but no dead letter"
                                        + " queue is declared. Set '%s' to one of %s and its"
                                        + " options (e.g. 'dlq.topic' and"
                                        + " 'dlq.properties.bootstrap.servers' for kafka,"
                                        + " 'dlq.path' for filesystem).",
                                tableName, DLQ_CONNECTOR.key(), SUPPORTED_CONNECTORS));
            }
            Set<String> stray = dlqKeys(options);
            if (!stray.isEmpty()) {
                throw new ValidationException(
                        String.format(
                                "Table '%s': options %s need '%s' (one of %s).",
                                tableName, stray, DLQ_CONNECTOR.key(), SUPPORTED_CONNECTORS));
            }
            return Optional.empty();
        }
        String format = options.getOrDefault(DLQ_FORMAT.key(), DLQ_FORMAT.defaultValue());
        if (!"json".equalsIgnoreCase(format.trim())) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': invalid value '%s' for option '%s': accepted: json.",
                            tableName, format, DLQ_FORMAT.key()));
        }
        Set<String> allowed = new TreeSet<>(Set.of(DLQ_CONNECTOR.key(), DLQ_FORMAT.key()));
        DlqWriterFactory factory;
        switch (connector.trim().toLowerCase()) {
            case "kafka":
                {
                    String topic = require(tableName, options, DLQ_TOPIC.key(), connector);
                    Map<String, String> props = new HashMap<>();
                    options.forEach(
                            (k, v) -> {
                                if (k.startsWith(DLQ_PROPERTIES_PREFIX)) {
                                    props.put(k.substring(DLQ_PROPERTIES_PREFIX.length()), v);
                                    allowed.add(k);
                                }
                            });
                    if (!props.containsKey("bootstrap.servers")) {
                        throw missing(
                                tableName, DLQ_PROPERTIES_PREFIX + "bootstrap.servers", connector);
                    }
                    allowed.add(DLQ_TOPIC.key());
                    factory = new KafkaDlqWriterFactory(topic, props);
                    break;
                }
            case "filesystem":
                factory =
                        new FileSystemDlqWriterFactory(
                                require(tableName, options, DLQ_PATH.key(), connector), tableName);
                allowed.add(DLQ_PATH.key());
                break;
            case "print":
                factory = new PrintDlqWriterFactory(false);
                break;
            case "blackhole":
                factory = new PrintDlqWriterFactory(true);
                break;
            default:
                throw new ValidationException(
                        String.format(
                                "Table '%s': invalid value '%s' for option '%s': accepted: %s.",
                                tableName, connector, DLQ_CONNECTOR.key(), SUPPORTED_CONNECTORS));
        }
        Set<String> unknown = dlqKeys(options);
        unknown.removeAll(allowed);
        if (!unknown.isEmpty()) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': unsupported options %s for '%s' = '%s'. Supported: %s.",
                            tableName, unknown, DLQ_CONNECTOR.key(), connector, allowed));
        }
        return Optional.of(factory);
    }

    private static Set<String> dlqKeys(Map<String, String> options) {
        Set<String> keys = new TreeSet<>();
        for (String k : options.keySet()) {
            if (k.startsWith(DLQ_PREFIX)) {
                keys.add(k);
            }
        }
        return keys;
    }

    private static String require(
            String tableName, Map<String, String> options, String key, String connector) {
        String v = options.get(key);
        if (v == null || v.isBlank()) {
            throw missing(tableName, key, connector);
        }
        return v.trim();
    }

    private static ValidationException missing(String tableName, String key, String connector) {
        return new ValidationException(
                String.format(
                        "Table '%s': option '%s' is required when '%s' = '%s'.",
                        tableName, key, DLQ_CONNECTOR.key(), connector));
    }
}
