package dev.velo.flink.sql.factory;

import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.batching.config.FailureStrategy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.abilities.SupportsReadingMetadata;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;

/**
 * Source-side failure handling: the wrapped connector reads raw bytes ({@code 'format' = 'raw'},
 * with Kafka's topic/partition/offset metadata when it offers them) and flink-velo decodes them
 * with the table's real format in its own operator, where a record that cannot be decoded gets
 * {@code source.failure_strategy}.
 */
@Internal
final class SourceDecoding {

    static final String PAYLOAD = "payload";
    static final List<String> KAFKA_METADATA = List.of("topic", "partition", "offset");

    private final ResolvedCatalogTable rawTable;
    private final DecodingFormat<DeserializationSchema<RowData>> format;
    private final String formatName;
    private List<String> metadataKeys = List.of();

    private SourceDecoding(
            ResolvedCatalogTable rawTable,
            DecodingFormat<DeserializationSchema<RowData>> format,
            String formatName) {
        this.rawTable = rawTable;
        this.format = format;
        this.formatName = formatName;
    }

    /**
     * Null when decoding failures are left to the wrapped connector: FailBatch by default. A
     * FailBatch the table asks for explicitly is decoded here when the connector has a value
     * format, so the failure names the table and the record's position (e.g. Kafka topic,
     * partition, offset) as DESIGN.md §5 promises, which the wrapped format's error does not.
     */
    static SourceDecoding plan(DynamicTableFactory.Context context, VeloTableSettings settings) {
        FailureStrategy strategy = settings.velo.sourceFailure().strategy();
        Map<String, String> options = settings.delegateOptions;
        String strategyKey =
                FailureOptions.sideKey(
                        FailureOptions.SOURCE_PREFIX, FailureOptions.FAILURE_STRATEGY);
        String formatKey =
                options.containsKey("value.format")
                        ? "value.format"
                        : options.containsKey(FactoryUtil.FORMAT.key())
                                ? FactoryUtil.FORMAT.key()
                                : null;
        if (strategy == FailureStrategy.FAIL_BATCH) {
            Map<String, String> given = context.getCatalogTable().getOptions();
            boolean explicit =
                    given.containsKey(strategyKey)
                            || given.containsKey(FailureOptions.FAILURE_STRATEGY.key());
            if (!explicit || formatKey == null || options.containsKey("key.format")) {
                return null;
            }
        }
        if (formatKey == null) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': '%s' = '%s' cannot be honoured for connector '%s': it"
                                    + " decodes no bytes with a 'format'. Source failure handling"
                                    + " needs a format-based connector such as kafka or"
                                    + " filesystem; remove the option or use FailBatch.",
                            settings.tableName,
                            strategyKey,
                            strategy.displayName(),
                            settings.delegateConnector));
        }
        if (options.containsKey("key.format")) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': '%s' = '%s' cannot be combined with 'key.format': only the"
                                    + " value format is decoded by flink-velo.",
                            settings.tableName, strategyKey, strategy.displayName()));
        }
        String formatName = options.get(formatKey).trim();
        String formatPrefix = (formatKey.equals("value.format") ? "value." : "") + formatName + ".";

        DeserializationFormatFactory formatFactory =
                FactoryUtil.discoverFactory(
                        context.getClassLoader(), DeserializationFormatFactory.class, formatName);
        Map<String, String> formatOptions = new HashMap<>();
        Map<String, String> rawOptions = new HashMap<>();
        options.forEach(
                (k, v) -> {
                    if (k.startsWith(formatPrefix)) {
                        formatOptions.put(k.substring(formatPrefix.length()), v);
                    } else {
                        rawOptions.put(k, v);
                    }
                });
        rawOptions.put(formatKey, "raw");
        Configuration formatConfig = Configuration.fromMap(formatOptions);
        FactoryUtil.validateFactoryOptions(formatFactory, formatConfig);
        DecodingFormat<DeserializationSchema<RowData>> format =
                formatFactory.createDecodingFormat(context, formatConfig);

        ResolvedSchema rawSchema = ResolvedSchema.of(Column.physical(PAYLOAD, DataTypes.BYTES()));
        CatalogTable rawOrigin =
                CatalogTable.newBuilder()
                        .schema(Schema.newBuilder().fromResolvedSchema(rawSchema).build())
                        .comment(context.getCatalogTable().getComment())
                        .partitionKeys(List.of())
                        .options(rawOptions)
                        .build();
        return new SourceDecoding(
                new ResolvedCatalogTable(rawOrigin, rawSchema), format, formatName);
    }

    ResolvedCatalogTable rawTable() {
        return rawTable;
    }

    String formatName() {
        return formatName;
    }

    /** The metadata columns after the payload, e.g. Kafka's topic, partition, offset. */
    List<String> metadataKeys() {
        return metadataKeys;
    }

    /** Asks the raw source for Kafka provenance when it offers it. */
    void applyMetadata(ScanTableSource rawSource) {
        if (!(rawSource instanceof SupportsReadingMetadata)) {
            return;
        }
        SupportsReadingMetadata reading = (SupportsReadingMetadata) rawSource;
        Map<String, DataType> available = reading.listReadableMetadata();
        if (!available.keySet().containsAll(KAFKA_METADATA)) {
            return;
        }
        List<DataTypes.Field> fields = new ArrayList<>();
        fields.add(DataTypes.FIELD(PAYLOAD, DataTypes.BYTES()));
        for (String key : KAFKA_METADATA) {
            fields.add(DataTypes.FIELD(key, available.get(key)));
        }
        reading.applyReadableMetadata(KAFKA_METADATA, DataTypes.ROW(fields).notNull());
        metadataKeys = KAFKA_METADATA;
    }

    /** The real format's decoder for the table's physical row type. */
    DeserializationSchema<RowData> createDecoder(
            DynamicTableSource.Context context, DataType physicalRowType) {
        return format.createRuntimeDecoder(context, physicalRowType);
    }
}
