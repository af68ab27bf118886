package dev.velo.flink.sql.dlq;

import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The {@code dlq.*} options of a velo table: its dead letter queue. Declared with the DLQ so that
 * the dlq package needs nothing of the table factory's; {@code
 * dev.velo.flink.sql.factory.VeloConnectorOptions} lists them among the wrapper's options.
 */
@PublicEvolving
public final class DlqOptions {

    /** Every key the DLQ sink is configured with starts with this. */
    public static final String DLQ_PREFIX = "dlq.";

    public static final ConfigOption<String> DLQ_CONNECTOR =
            ConfigOptions.key("dlq.connector")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The Flink table connector dead letters are written with, e.g. kafka,"
                                    + " filesystem, print, blackhole or any other connector on the"
                                    + " classpath whose sink has a Sink (V2) writer. It is created"
                                    + " through its own factory for a table with the dead-letter"
                                    + " schema; every other dlq.<key> is passed to it as <key>"
                                    + " (dlq.topic as topic, dlq.properties.bootstrap.servers as"
                                    + " properties.bootstrap.servers, ...), so it validates them"
                                    + " itself. Required when a failure strategy may"
                                    + " dead-letter.");

    public static final ConfigOption<String> DLQ_FORMAT =
            ConfigOptions.key("dlq.format")
                    .stringType()
                    .defaultValue("json")
                    .withDescription(
                            "The Flink format dead letters are encoded with, passed to the DLQ"
                                    + " connector as format (its options as dlq.<format>.<key>)."
                                    + " The default applies only to connectors that take a"
                                    + " format. With json a dead letter is one object whose"
                                    + " payload is base64, so it reads back with SQL.");

    public static final ConfigOption<String> DLQ_TOPIC =
            ConfigOptions.key("dlq.topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Passed as topic: the topic of a kafka DLQ (required by the kafka"
                                    + " connector).");

    public static final ConfigOption<String> DLQ_PATH =
            ConfigOptions.key("dlq.path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Passed as path: the directory of a filesystem DLQ (required by the"
                                    + " filesystem connector). Dead letters are written in"
                                    + " dlq.format (a row format such as json or csv), one file"
                                    + " per subtask and attempt, and read back with a filesystem"
                                    + " table with the dead-letter schema.");

    public static final ConfigOption<String> DLQ_DELIVERY_GUARANTEE =
            ConfigOptions.key("dlq.sink.delivery-guarantee")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Passed as sink.delivery-guarantee to DLQ connectors that have it"
                                    + " (kafka: at-least-once by default): dead letters are"
                                    + " written at least once, durable before the checkpoint that"
                                    + " skips their record. exactly-once (kafka DLQ of a velo"
                                    + " sink) commits them with the sink's checkpoint: a restore"
                                    + " neither loses nor repeats one; transactional ids start"
                                    + " with dlq.sink.transactional-id-prefix, else"
                                    + " velo-dlq-<catalog>.<database>.<table>. Not for a velo"
                                    + " source or a legacy sink function (print), nor for"
                                    + " filesystem or print DLQs.");

    public static final ConfigOption<Boolean> DLQ_INHERIT_PROPERTIES =
            ConfigOptions.key("dlq.inherit-properties")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "When the velo table and its DLQ are both kafka or upsert-kafka and"
                                    + " the DLQ is on the same cluster (no"
                                    + " dlq.properties.bootstrap.servers, or the table's), the DLQ"
                                    + " producer takes the table's connection and security"
                                    + " properties (properties.bootstrap.servers,"
                                    + " properties.security.protocol, properties.sasl.*,"
                                    + " properties.ssl.*, properties.client.dns.lookup) unless"
                                    + " dlq.properties.<key> sets them, so a secured cluster's"
                                    + " settings are written once. false: the DLQ gets only its"
                                    + " own dlq.* options.");

    /** Prefix of the connector properties of a DLQ ({@code properties.*} of kafka). */
    public static final String DLQ_PROPERTIES_PREFIX = "dlq.properties.";

    /** The DLQ's options, in documentation order. */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    DLQ_CONNECTOR,
                    DLQ_FORMAT,
                    DLQ_TOPIC,
                    DLQ_PATH,
                    DLQ_DELIVERY_GUARANTEE,
                    DLQ_INHERIT_PROPERTIES);

    private DlqOptions() {}
}
