package dev.velo.flink.sql.dlq;

import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DelegatingConfiguration;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.SerializationFormatFactory;
import org.apache.flink.table.types.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encoder of the {@code payload} of a sink-side dead letter: the failed row encoded with the
 * sink table's own format ({@code value.format} or {@code format}, with its options), so the dead
 * letter decodes with the table's format; flink-json's encoder where the table has no row format (a
 * bulk format such as parquet, or a connector without a format).
 */
@Internal
public final class SinkPayloadEncoders {
    private static final Logger LOG = LoggerFactory.getLogger(SinkPayloadEncoders.class);

    /** Format options of a table, the value format first (kafka's key is not the payload). */
    private static final List<ConfigOption<String>> FORMAT_OPTIONS =
            List.of(
                    ConfigOptions.key("value" + FactoryUtil.FORMAT_SUFFIX)
                            .stringType()
                            .noDefaultValue(),
                    FactoryUtil.FORMAT);

    /** The fallback format. */
    static final String JSON = "json";

    private SinkPayloadEncoders() {}

    /**
     * The payload encoder of the sink table in {@code context} for rows of {@code consumedRowType}.
     */
    public static DeadLetterEncoder<RowData> forTable(
            DynamicTableFactory.Context context, DataType consumedRowType) {
        Map<String, String> options = context.getCatalogTable().getOptions();
        for (ConfigOption<String> formatOption : FORMAT_OPTIONS) {
            String format = options.get(formatOption.key());
            if (format == null) {
                continue;
            }
            try {
                return new SerializationSchemaEncoder(
                        encoder(
                                context,
                                format,
                                FactoryUtil.getFormatPrefix(formatOption, format),
                                consumedRowType));
            } catch (ValidationException | UnsupportedOperationException e) {
                // a bulk format (parquet, orc), or one that cannot encode this row type
                LOG.info(
                        "Table '{}': dead-letter payloads are encoded as {}: its format '{}' has"
                                + " no row encoder for it ({}).",
                        context.getObjectIdentifier().getObjectName(),
                        JSON,
                        format,
                        e.getMessage());
            }
            break;
        }
        try {
            return new SerializationSchemaEncoder(
                    encoder(context, JSON, JSON + ".", consumedRowType, Map.of()));
        } catch (ValidationException e) {
            LOG.warn(
                    "Table '{}': flink-json is not on the classpath; dead-letter payloads of"
                            + " failed rows are their text form.",
                    context.getObjectIdentifier().getObjectName());
            return row -> String.valueOf(row).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static SerializationSchema<RowData> encoder(
            DynamicTableFactory.Context context, String format, String prefix, DataType rowType) {
        return encoder(context, format, prefix, rowType, context.getCatalogTable().getOptions());
    }

    /**
     * The runtime encoder of {@code format} for {@code rowType}, configured with the {@code
     * prefix}-ed keys of {@code options}.
     */
    static SerializationSchema<RowData> encoder(
            DynamicTableFactory.Context context,
            String format,
            String prefix,
            DataType rowType,
            Map<String, String> options) {
        SerializationFormatFactory factory =
                FactoryUtil.discoverFactory(
                        context.getClassLoader(), SerializationFormatFactory.class, format);
        EncodingFormat<SerializationSchema<RowData>> encoding =
                factory.createEncodingFormat(
                        context,
                        new DelegatingConfiguration(Configuration.fromMap(options), prefix));
        return encoding.createRuntimeEncoder(PlanningSinkContext.INSTANCE, rowType);
    }

    /** A format's serialization schema as a payload encoder, opened on first use. */
    private static final class SerializationSchemaEncoder implements DeadLetterEncoder<RowData> {
        private static final long serialVersionUID = 1L;
        private final SerializationSchema<RowData> schema;
        private transient boolean open;

        SerializationSchemaEncoder(SerializationSchema<RowData> schema) {
            this.schema = schema;
        }

        @Override
        public byte[] payload(RowData row) {
            if (!open) {
                try {
                    DeadLetterLines.openSchema(
                            schema, new org.apache.flink.metrics.groups.UnregisteredMetricsGroup());
                } catch (Exception e) {
                    throw new IllegalStateException(
                            "Could not open the table format's encoder for dead-letter payloads",
                            e);
                }
                open = true;
            }
            return schema.serialize(row);
        }
    }
}
