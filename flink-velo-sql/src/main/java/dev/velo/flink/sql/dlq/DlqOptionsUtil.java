package dev.velo.flink.sql.dlq;

import static dev.velo.flink.sql.factory.VeloConnectorOptions.DLQ_CONNECTOR;
import static dev.velo.flink.sql.factory.VeloConnectorOptions.DLQ_DELIVERY_GUARANTEE;
import static dev.velo.flink.sql.factory.VeloConnectorOptions.DLQ_FORMAT;
import static dev.velo.flink.sql.factory.VeloConnectorOptions.DLQ_INHERIT_PROPERTIES;
import static dev.velo.flink.sql.factory.VeloConnectorOptions.DLQ_PREFIX;
import static dev.velo.flink.sql.factory.VeloConnectorOptions.VELO_CONNECTOR;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.connector.sink.abilities.SupportsWritingMetadata;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * Builds the DLQ of a table from its {@code dlq.*} options: the connector named by {@code
 * dlq.connector} is created through its own {@link DynamicTableSinkFactory} for a table with the
 * dead-letter schema whose options are the {@code dlq.*} options without the prefix, so the
 * connector validates them and its sink (relocated client, security options, format, delivery
 * guarantee) is the one that writes. Runs at planning time; the result is serializable.
 */
@Internal
public final class DlqOptionsUtil {

    /** Connectors whose sink is not a single writer and that flink-velo writes itself. */
    static final String FILESYSTEM = "filesystem";

    static final String PRINT = "print";

    static final String KAFKA = "kafka";

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
    static final Set<String> KAFKA_CONNECTORS = Set.of(KAFKA, "upsert-kafka");

    private static final String PROPERTIES = "properties.";

    /** Kafka client properties a DLQ on the table's cluster inherits (connection and security). */
    static final Set<String> INHERITED_PROPERTIES =
            Set.of("bootstrap.servers", "security.protocol", "client.dns.lookup");

    static final List<String> INHERITED_PROPERTY_PREFIXES = List.of("sasl.", "ssl.");

    private static final List<String> EXACTLY_ONCE = List.of("exactly-once", "exactly_once");

    private static final String PRINT_IDENTIFIER = "print-identifier";
    private static final String PRINT_STANDARD_ERROR = "standard-error";
    private static final String PATH = "path";
    private static final String TOPIC = "topic";
    private static final String TRANSACTIONAL_ID_PREFIX = "sink.transactional-id-prefix";

    private DlqOptionsUtil() {}

    /**
     * The DLQ of the table in {@code context}, or empty when it declares none.
     *
     * @param required whether a failure strategy of the table may dead-letter
     */
    public static Optional<DlqWriterFactory> create(
            DynamicTableFactory.Context context,
            String tableName,
            Map<String, String> options,
            boolean required) {
        String connector = options.get(DLQ_CONNECTOR.key());
        if (connector == null || connector.isBlank()) {
            if (required) {
                throw new ValidationException(
                        String.format(
                                "Table '%s': a failure strategy is SendToDLQ but no dead letter"
                                        + " queue is declared. Set '%s' to a Flink table connector"
                                        + " (e.g. kafka, filesystem, print, blackhole) and its"
                                        + " options as 'dlq.<option>' (e.g. 'dlq.topic' and"
                                        + " 'dlq.properties.bootstrap.servers' for kafka,"
                                        + " 'dlq.path' for filesystem).",
                                tableName, DLQ_CONNECTOR.key()));
            }
            Set<String> stray = new TreeSet<>();
            options.keySet().stream().filter(k -> k.startsWith(DLQ_PREFIX)).forEach(stray::add);
            if (!stray.isEmpty()) {
                throw new ValidationException(
                        String.format(
                                "Table '%s': options %s need '%s' (the Flink table connector"
                                        + " dead letters are written with).",
                                tableName, stray, DLQ_CONNECTOR.key()));
            }
            return Optional.empty();
        }
        connector = connector.trim();
        boolean exactlyOnce = exactlyOnce(tableName, connector, options);

        DynamicTableSinkFactory factory;
        try {
            factory =
                    FactoryUtil.discoverFactory(
                            context.getClassLoader(), DynamicTableSinkFactory.class, connector);
        } catch (ValidationException e) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': invalid value '%s' for option '%s': no Flink table"
                                    + " connector with a sink has that name. %s",
                            tableName, connector, DLQ_CONNECTOR.key(), e.getMessage()),
                    e);
        }
        Map<String, String> dlqOptions = connectorOptions(factory, options);
        inheritKafkaProperties(tableName, factory.factoryIdentifier(), options, dlqOptions);
        // a kafka DLQ writes Kafka Connect's DLQ headers through the connector's metadata column
        boolean headers = KAFKA.equals(factory.factoryIdentifier());
        ResolvedSchema schema =
                headers
                        ? KafkaConnectHeaders.schemaWithHeaders()
                        : DeadLetterSchema.RESOLVED_SCHEMA;
        ObjectIdentifier id = context.getObjectIdentifier();
        String prefix =
                exactlyOnce ? transactionalIdPrefix(factory, id, options, dlqOptions) : null;
        ResolvedCatalogTable table =
                new ResolvedCatalogTable(
                        CatalogTable.newBuilder()
                                .schema(Schema.newBuilder().fromResolvedSchema(schema).build())
                                .comment("dead letters of " + id.asSummaryString())
                                .options(dlqOptions)
                                .build(),
                        schema);
        ObjectIdentifier dlqId =
                ObjectIdentifier.of(
                        id.getCatalogName(), id.getDatabaseName(), id.getObjectName() + "_dlq");
        String identifier = factory.factoryIdentifier();
        DlqWriterFactory dlq;
        try {
            DynamicTableSink sink =
                    FactoryUtil.createDynamicTableSink(
                            factory,
                            dlqId,
                            table,
                            Map.of(),
                            context.getConfiguration(),
                            context.getClassLoader(),
                            true);
            if (headers) {
                ((SupportsWritingMetadata) sink)
                        .applyWritableMetadata(
                                List.of(KafkaConnectHeaders.METADATA_KEY),
                                KafkaConnectHeaders.consumedDataType());
            }
            dlq =
                    writerFactory(
                            context, tableName, identifier, dlqOptions, sink, exactlyOnce, prefix);
        } catch (ValidationException e) {
            throw rejected(tableName, identifier, factory, dlqOptions, e);
        }
        return Optional.of(ReplayAttempts.wrap(tableName, options, dlq));
    }

    /**
     * Gives a Kafka DLQ on the velo table's own Kafka cluster the table's connection and security
     * properties it does not set itself, as Kafka Connect's DLQ producer inherits its connector's.
     * Values are copied, never logged.
     */
    static void inheritKafkaProperties(
            String tableName,
            String dlqConnector,
            Map<String, String> tableOptions,
            Map<String, String> dlqOptions) {
        String inheritKey = DLQ_INHERIT_PROPERTIES.key().substring(DLQ_PREFIX.length());
        String inherit = dlqOptions.remove(inheritKey);
        boolean enabled = DLQ_INHERIT_PROPERTIES.defaultValue();
        if (inherit != null) {
            String v = inherit.trim().toLowerCase(Locale.ROOT);
            if (!v.equals("true") && !v.equals("false")) {
                throw new ValidationException(
                        String.format(
                                "Table '%s': invalid value '%s' for option '%s' (accepted: true,"
                                        + " false).",
                                tableName, inherit, DLQ_INHERIT_PROPERTIES.key()));
            }
            enabled = v.equals("true");
        }
        String tableConnector = tableOptions.get(VELO_CONNECTOR.key());
        if (!enabled
                || !KAFKA_CONNECTORS.contains(dlqConnector)
                || tableConnector == null
                || !KAFKA_CONNECTORS.contains(tableConnector.trim())) {
            return;
        }
        String bootstrap = PROPERTIES + "bootstrap.servers";
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

    /** The connector's options: {@code dlq.<key>} as {@code <key>}, with velo's defaults. */
    private static Map<String, String> connectorOptions(
            DynamicTableSinkFactory factory, Map<String, String> options) {
        Map<String, String> dlqOptions = new HashMap<>();
        options.forEach(
                (k, v) -> {
                    if (k.startsWith(DLQ_PREFIX)) {
                        dlqOptions.put(k.substring(DLQ_PREFIX.length()), v);
                    }
                });
        dlqOptions.put(
                FactoryUtil.CONNECTOR.key(), dlqOptions.get(FactoryUtil.CONNECTOR.key()).trim());
        Set<String> keys = optionKeys(factory);
        String formatKey = FactoryUtil.FORMAT.key();
        String valueFormatKey = "value" + FactoryUtil.FORMAT_SUFFIX;
        if (keys.contains(formatKey)
                && !dlqOptions.containsKey(formatKey)
                && !dlqOptions.containsKey(valueFormatKey)) {
            dlqOptions.put(formatKey, DLQ_FORMAT.defaultValue());
        } else if (!keys.contains(formatKey)
                && DLQ_FORMAT.defaultValue().equalsIgnoreCase(dlqOptions.get(formatKey))) {
            // 'dlq.format' = 'json' was accepted for every DLQ before; print still writes json
            dlqOptions.remove(formatKey);
        }
        if (KAFKA.equals(factory.factoryIdentifier())) {
            KAFKA_DEFAULTS.forEach(dlqOptions::putIfAbsent);
            if (KAFKA_KEY_DEFAULTS.keySet().stream().noneMatch(dlqOptions::containsKey)) {
                dlqOptions.putAll(KAFKA_KEY_DEFAULTS);
            }
        }
        return dlqOptions;
    }

    private static DlqWriterFactory writerFactory(
            DynamicTableFactory.Context context,
            String tableName,
            String identifier,
            Map<String, String> dlqOptions,
            DynamicTableSink sink,
            boolean exactlyOnce,
            @Nullable String transactionalIdPrefix) {
        String formatKey = FactoryUtil.FORMAT.key();
        switch (identifier) {
            case FILESYSTEM:
                {
                    String format = dlqOptions.get(formatKey);
                    return new FileSystemDlqWriterFactory(
                            dlqOptions.get(PATH),
                            tableName,
                            format,
                            rowFormat(context, tableName, format, dlqOptions));
                }
            case PRINT:
                return new PrintDlqWriterFactory(
                        dlqOptions.getOrDefault(PRINT_IDENTIFIER, "DLQ"),
                        Boolean.parseBoolean(dlqOptions.get(PRINT_STANDARD_ERROR)),
                        rowFormat(
                                context,
                                tableName,
                                SinkPayloadEncoders.JSON,
                                Map.of(formatKey, SinkPayloadEncoders.JSON)));
            default:
                break;
        }
        DynamicTableSink.SinkRuntimeProvider provider =
                sink.getSinkRuntimeProvider(PlanningSinkContext.INSTANCE);
        if (provider instanceof SinkV2Provider) {
            @SuppressWarnings("unchecked")
            Sink<RowData> writerSink = (Sink<RowData>) ((SinkV2Provider) provider).createSink();
            if (KAFKA.equals(identifier)) {
                writerSink = KafkaConnectHeaders.wrap(writerSink);
            }
            String topic = dlqOptions.get(TOPIC);
            String description = identifier + (topic == null ? "" : " topic '" + topic + "'");
            if (exactlyOnce) {
                if (!(writerSink instanceof SupportsCommitter)) {
                    throw new ValidationException(
                            String.format(
                                    "Table '%s': '%s' = 'exactly-once' needs a DLQ connector"
                                            + " that commits its writes with the checkpoint, but"
                                            + " the sink of '%s' (%s) has no committer. Use"
                                            + " 'at-least-once' with this connector.",
                                    tableName,
                                    DLQ_DELIVERY_GUARANTEE.key(),
                                    identifier,
                                    writerSink.getClass().getName()));
                }
                return new SinkDlqWriterFactory.Committing(
                        writerSink, description, tableName, transactionalIdPrefix);
            }
            return new SinkDlqWriterFactory(writerSink, description);
        }
        throw new ValidationException(
                String.format(
                        "Table '%s': the DLQ connector '%s' (from '%s') writes through a %s, which"
                                + " cannot run inside the velo table's writer or decoder. A DLQ"
                                + " connector needs a Sink (V2) writer (e.g. kafka, blackhole);"
                                + " %s and %s are supported as well.",
                        tableName,
                        identifier,
                        DLQ_CONNECTOR.key(),
                        provider.getClass().getSimpleName().isEmpty()
                                ? provider.getClass().getName()
                                : provider.getClass().getSimpleName(),
                        FILESYSTEM,
                        PRINT));
    }

    /** The row format's encoder of dead-letter rows, configured with its dlq options. */
    private static SerializationSchema<RowData> rowFormat(
            DynamicTableFactory.Context context,
            String tableName,
            String format,
            Map<String, String> dlqOptions) {
        try {
            return SinkPayloadEncoders.encoder(
                    context,
                    format,
                    FactoryUtil.getFormatPrefix(FactoryUtil.FORMAT, format),
                    DeadLetterSchema.DATA_TYPE,
                    dlqOptions);
        } catch (ValidationException e) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': invalid value '%s' for option '%s': a filesystem or"
                                    + " print DLQ is written one line per dead letter and needs a"
                                    + " row format with a serialization schema (e.g. json, csv):"
                                    + " %s",
                            tableName, format, DLQ_FORMAT.key(), e.getMessage()),
                    e);
        }
    }

    /**
     * Whether {@code dlq.sink.delivery-guarantee} asks for exactly-once. Filesystem and print DLQs
     * are written by flink-velo itself, flushed before every barrier, and reject it.
     */
    private static boolean exactlyOnce(
            String tableName, String connector, Map<String, String> options) {
        String guarantee = options.get(DLQ_DELIVERY_GUARANTEE.key());
        if (guarantee == null
                || !EXACTLY_ONCE.contains(guarantee.trim().toLowerCase(Locale.ROOT))) {
            return false;
        }
        if (FILESYSTEM.equalsIgnoreCase(connector) || PRINT.equalsIgnoreCase(connector)) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': invalid value '%s' for option '%s' with '%s' = '%s': a"
                                    + " %s DLQ is written by flink-velo and flushed before every"
                                    + " checkpoint barrier, at least once (accepted:"
                                    + " at-least-once, none). Exactly-once dead letters need a"
                                    + " connector that commits with the checkpoint, e.g. kafka.",
                            tableName,
                            guarantee,
                            DLQ_DELIVERY_GUARANTEE.key(),
                            DLQ_CONNECTOR.key(),
                            connector,
                            connector));
        }
        return true;
    }

    /**
     * The transactional-id prefix of an exactly-once DLQ whose connector has one: {@code
     * dlq.sink.transactional-id-prefix}, else {@code velo-dlq-<catalog>.<database>.<table>} (set
     * into the connector's options). It must differ from the table's own {@code
     * sink.transactional-id-prefix}: transactions under one prefix are aborted as lingering by the
     * other writer on restore.
     */
    @Nullable
    private static String transactionalIdPrefix(
            DynamicTableSinkFactory factory,
            ObjectIdentifier id,
            Map<String, String> options,
            Map<String, String> dlqOptions) {
        if (!optionKeys(factory).contains(TRANSACTIONAL_ID_PREFIX)) {
            return null;
        }
        String prefix = dlqOptions.get(TRANSACTIONAL_ID_PREFIX);
        if (prefix == null || prefix.isBlank()) {
            prefix = "velo-dlq-" + id.asSummaryString();
            dlqOptions.put(TRANSACTIONAL_ID_PREFIX, prefix);
        }
        String own = options.get(TRANSACTIONAL_ID_PREFIX);
        if (own != null && own.trim().equals(prefix.trim())) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': invalid value '%s' for option '%s%s': it is the table's"
                                    + " own '%s'. The DLQ's transactions need a prefix of their"
                                    + " own (each writer aborts the other's open transactions"
                                    + " under a shared prefix on restore); remove the option to"
                                    + " use 'velo-dlq-%s'.",
                            id.getObjectName(),
                            prefix,
                            DLQ_PREFIX,
                            TRANSACTIONAL_ID_PREFIX,
                            TRANSACTIONAL_ID_PREFIX,
                            id.asSummaryString()));
        }
        return prefix;
    }

    private static Set<String> optionKeys(DynamicTableSinkFactory factory) {
        Set<String> keys = new TreeSet<>();
        for (ConfigOption<?> o : factory.requiredOptions()) {
            keys.add(o.key());
        }
        for (ConfigOption<?> o : factory.optionalOptions()) {
            keys.add(o.key());
        }
        return keys;
    }

    /**
     * The connector's rejection, in the terms of the velo table: its option keys as the {@code
     * dlq.}-prefixed keys the user wrote, and never the value of a sensitive option.
     */
    static ValidationException rejected(
            String tableName,
            String connector,
            DynamicTableSinkFactory factory,
            Map<String, String> dlqOptions,
            Throwable e) {
        // FactoryUtil's own wrapper (the outermost, listing every option) is left out
        StringBuilder chain = new StringBuilder();
        for (Throwable c = e.getCause() == null ? e : e.getCause(); c != null; c = c.getCause()) {
            if (c.getMessage() != null && chain.indexOf(c.getMessage()) < 0) {
                chain.append(chain.length() == 0 ? "" : " ").append(c.getMessage());
            }
        }
        String reason = chain.toString();
        Set<String> keys = optionKeys(factory);
        keys.addAll(dlqOptions.keySet());
        reason = withDlqKeys(String.valueOf(reason), keys);
        for (Map.Entry<String, String> o : dlqOptions.entrySet()) {
            if (GlobalConfiguration.isSensitive(o.getKey())
                    && o.getValue() != null
                    && !o.getValue().isEmpty()) {
                reason = reason.replace(o.getValue(), GlobalConfiguration.HIDDEN_CONTENT);
            }
        }
        // the velo factory surfaces the deepest cause: this message must be that cause
        return new ValidationException(
                String.format(
                        "Table '%s': the DLQ connector '%s' (from '%s') rejected the dead-letter"
                                + " table: %s",
                        tableName, connector, DLQ_CONNECTOR.key(), reason));
    }

    /** Puts {@code dlq.} before every option key the message quotes or lists on a line. */
    static String withDlqKeys(String message, Set<String> keys) {
        String out = message;
        List<String> byLength =
                keys.stream().sorted(Comparator.comparing(String::length).reversed()).toList();
        for (String key : byLength) {
            String q = Pattern.quote(key);
            out =
                    Pattern.compile("(?<=')" + q + "(?=')|(?m)^(\\s*)" + q + "\\s*$")
                            .matcher(out)
                            .replaceAll(
                                    m ->
                                            Matcher.quoteReplacement(
                                                    (m.group(1) == null ? "" : m.group(1))
                                                            + DLQ_PREFIX
                                                            + key));
        }
        return out;
    }
}
