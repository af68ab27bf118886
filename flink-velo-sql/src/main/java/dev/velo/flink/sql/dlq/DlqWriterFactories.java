package dev.velo.flink.sql.dlq;

import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_CONNECTOR;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_DELIVERY_GUARANTEE;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_FORMAT;
import static dev.velo.flink.sql.dlq.DlqOptionsUtil.FILESYSTEM;
import static dev.velo.flink.sql.dlq.DlqOptionsUtil.KAFKA;
import static dev.velo.flink.sql.dlq.DlqOptionsUtil.PRINT;

import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * The {@link DlqWriterFactory} for the sink {@link DlqOptionsUtil} created from a table's {@code
 * dlq.*} options: filesystem and print DLQs are written by flink-velo itself, one line per dead
 * letter in a row format; every other connector writes through its own Sink (V2), with a committer
 * when the DLQ is exactly-once.
 */
final class DlqWriterFactories {

    private static final String PRINT_IDENTIFIER = "print-identifier";
    private static final String PRINT_STANDARD_ERROR = "standard-error";
    private static final String PATH = "path";
    private static final String TOPIC = "topic";

    private DlqWriterFactories() {}

    static DlqWriterFactory writerFactory(
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
}
