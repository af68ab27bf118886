package dev.velo.flink.sql.factory;

import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Options of the {@code 'connector' = 'velo'} wrapper and of its dead letter queue. */
@PublicEvolving
public final class VeloConnectorOptions {

    /** Identifier of the wrapper in {@code 'connector' = 'velo'}. */
    public static final String IDENTIFIER = "velo";

    /** Every key the DLQ sink is configured with starts with this. */
    public static final String DLQ_PREFIX = "dlq.";

    public static final ConfigOption<String> VELO_CONNECTOR =
            ConfigOptions.key("velo.connector")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The Flink connector the velo table wraps, e.g. kafka, upsert-kafka,"
                                    + " filesystem, datagen, print, blackhole. Every option"
                                    + " flink-velo does not own is passed to it unchanged.");

    public static final ConfigOption<String> DLQ_CONNECTOR =
            ConfigOptions.key("dlq.connector")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Where dead letters go: kafka (dlq.topic,"
                                    + " dlq.properties.bootstrap.servers, ...), filesystem"
                                    + " (dlq.path), print or blackhole. Required when a failure"
                                    + " strategy may dead-letter.");

    public static final ConfigOption<String> DLQ_FORMAT =
            ConfigOptions.key("dlq.format")
                    .stringType()
                    .defaultValue("json")
                    .withDescription(
                            "Encoding of a dead letter row. json: one object per dead letter with"
                                    + " the DLQ schema's column names; payload is base64, so the"
                                    + " DLQ reads back with Flink's json format.");

    public static final ConfigOption<String> DLQ_TOPIC =
            ConfigOptions.key("dlq.topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("dlq.connector = kafka: the topic dead letters go to.");

    public static final ConfigOption<String> DLQ_PATH =
            ConfigOptions.key("dlq.path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "dlq.connector = filesystem: the directory dead letters are written"
                                    + " to as JSON lines, one file per subtask and attempt.");

    /** Prefix of the Kafka producer properties of a Kafka DLQ. */
    public static final String DLQ_PROPERTIES_PREFIX = "dlq.properties.";

    /** The wrapper's own options, in documentation order. */
    public static final List<ConfigOption<?>> ALL =
            List.of(VELO_CONNECTOR, DLQ_CONNECTOR, DLQ_FORMAT, DLQ_TOPIC, DLQ_PATH);

    private VeloConnectorOptions() {}
}
