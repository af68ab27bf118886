package dev.velo.flink.sql.dlq;

import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_CONNECTOR;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_DELIVERY_GUARANTEE;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_FORMAT;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_PATH;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_PREFIX;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_PROPERTIES_PREFIX;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_TOPIC;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.abilities.SupportsWritingMetadata;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * Builds the DLQ of a table from its {@code dlq.*} options: the connector named by {@code
 * dlq.connector} is created through its own {@link DynamicTableSinkFactory} for a table with the
 * dead-letter schema whose options are the {@code dlq.*} options without the prefix, so the
 * connector validates them and its sink (relocated client, security options, format, delivery
 * guarantee) is the one that writes ({@link DlqWriterFactories} picks the writer for that sink).
 * Runs at planning time; the result is serializable.
 */
@Internal
public final class DlqOptionsUtil {

    /** Connectors whose sink is not a single writer and that flink-velo writes itself. */
    static final String FILESYSTEM = "filesystem";

    static final String PRINT = "print";

    static final String KAFKA = "kafka";

    private static final List<String> EXACTLY_ONCE = List.of("exactly-once", "exactly_once");

    private static final String TRANSACTIONAL_ID_PREFIX = "sink.transactional-id-prefix";

    private DlqOptionsUtil() {}

    /**
     * The DLQ of the table in {@code context}, or empty when it declares none.
     *
     * @param tableConnector the connector the velo table wraps (its {@code velo.connector})
     * @param required whether a failure strategy of the table may dead-letter
     */
    public static Optional<DlqWriterFactory> create(
            DynamicTableFactory.Context context,
            String tableName,
            @Nullable String tableConnector,
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
                                        + " options as '%s<option>' (e.g. '%s' and"
                                        + " '%s%s' for kafka, '%s' for filesystem).",
                                tableName,
                                DLQ_CONNECTOR.key(),
                                DLQ_PREFIX,
                                DLQ_TOPIC.key(),
                                DLQ_PROPERTIES_PREFIX,
                                DlqKafkaProperties.BOOTSTRAP_SERVERS,
                                DLQ_PATH.key()));
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
        DlqKafkaProperties.inherit(
                tableName, tableConnector, factory.factoryIdentifier(), options, dlqOptions);
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
                    DlqWriterFactories.writerFactory(
                            context, tableName, identifier, dlqOptions, sink, exactlyOnce, prefix);
        } catch (ValidationException e) {
            throw DlqRejection.of(tableName, identifier, optionKeys(factory), dlqOptions, e);
        }
        return Optional.of(ReplayAttempts.wrap(tableName, options, dlq));
    }

    /**
     * {@code value} of {@code option} converted by Flink's {@link Configuration} (after trimming),
     * or the {@link #invalid} error with {@code accepted}.
     */
    static <T> T typed(String tableName, ConfigOption<T> option, String value, String accepted) {
        try {
            return Configuration.fromMap(Map.of(option.key(), value.trim())).get(option);
        } catch (IllegalArgumentException e) {
            throw invalid(tableName, option, value, accepted);
        }
    }

    /**
     * {@code Table '<t>': invalid value '<v>' for option '<key>'<accepted>}; {@code accepted} says
     * what is accepted, with its own punctuation (e.g. {@code ": expected ..."}).
     */
    static ValidationException invalid(
            String tableName, ConfigOption<?> option, String value, String accepted) {
        return new ValidationException(
                String.format(
                        "Table '%s': invalid value '%s' for option '%s'%s",
                        tableName, value, option.key(), accepted));
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
            DlqKafkaProperties.putDefaults(dlqOptions);
        }
        return dlqOptions;
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

    static Set<String> optionKeys(DynamicTableSinkFactory factory) {
        Set<String> keys = new TreeSet<>();
        for (ConfigOption<?> o : factory.requiredOptions()) {
            keys.add(o.key());
        }
        for (ConfigOption<?> o : factory.optionalOptions()) {
            keys.add(o.key());
        }
        return keys;
    }
}
