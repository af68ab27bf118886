package dev.velo.flink.sql.dialect;

import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.connectors.kafka.table.KafkaConnectorOptions;

/**
 * The connector knowledge the CTAS rewrite needs that {@link Connectors} does not offer yet: the
 * default sink, and the upsert form of a Kafka sink with a primary key. It belongs in {@link
 * Connectors}; kept here, small, until it has a method for it.
 */
@Internal
final class SinkConnectorAdapter {

    /** The connector of a stream that names no sink. */
    static final String DEFAULT_SINK = "print";

    private static final String KAFKA = "kafka";
    private static final String UPSERT_KAFKA = "upsert-kafka";
    private static final String DEFAULT_FORMAT = "json";

    private SinkConnectorAdapter() {}

    /** A sink with a primary key can keep it: only Kafka has an upsert form. */
    static boolean keepsPrimaryKey(Map<String, String> delegate) {
        return KAFKA.equals(delegate.get(VeloKeys.CONNECTOR));
    }

    /** Turns the options of a Kafka sink into those of its upsert form, keyed like its values. */
    static void toUpsert(Map<String, String> delegate) {
        delegate.put(VeloKeys.CONNECTOR, UPSERT_KAFKA);
        delegate.remove(KafkaConnectorOptions.SCAN_STARTUP_MODE.key());
        String format = delegate.remove(VeloKeys.FORMAT);
        String keyed = format == null ? DEFAULT_FORMAT : format;
        delegate.put(KafkaConnectorOptions.KEY_FORMAT.key(), keyed);
        delegate.put(KafkaConnectorOptions.VALUE_FORMAT.key(), keyed);
    }
}
