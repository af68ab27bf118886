package dev.velo.flink.sql.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DelegatingConfiguration;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.conversion.DataStructureConverter;
import org.apache.flink.table.data.conversion.DataStructureConverters;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.runtime.connector.source.ScanRuntimeProviderContext;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * Decodes the {@code payload} of sink-side dead letters back into rows of the table they failed in,
 * with that table's own format (the format the payload was encoded with: {@code value.format} or
 * {@code format} with its options, else Flink's {@code json}), and appends the dead letter's {@code
 * attempts}. A payload that does not decode to exactly one row fails the replay with its position,
 * never silently skipped.
 */
final class ReplayDecoder extends RichFlatMapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    /** Format options of a table, the value format first (kafka's key is not the payload). */
    private static final List<ConfigOption<String>> FORMAT_OPTIONS =
            List.of(
                    ConfigOptions.key("value" + FactoryUtil.FORMAT_SUFFIX)
                            .stringType()
                            .noDefaultValue(),
                    FactoryUtil.FORMAT);

    private static final String JSON = "json";

    private final DeserializationSchema<RowData> schema;
    private final DataType rowType;
    private final String format;
    private transient DataStructureConverter<Object, Object> converter;
    private transient List<RowData> decoded;
    private transient Collector<RowData> into;

    private ReplayDecoder(DeserializationSchema<RowData> schema, DataType rowType, String format) {
        this.schema = schema;
        this.rowType = rowType;
        this.format = format;
    }

    /** The decoder of payloads of the table in {@code context} into rows of {@code rowType}. */
    static ReplayDecoder forTable(DynamicTableFactory.Context context, DataType rowType) {
        Map<String, String> options = context.getCatalogTable().getOptions();
        for (ConfigOption<String> formatOption : FORMAT_OPTIONS) {
            String format = options.get(formatOption.key());
            if (format == null) {
                continue;
            }
            try {
                return new ReplayDecoder(
                        decoder(
                                context,
                                format,
                                FactoryUtil.getFormatPrefix(formatOption, format),
                                rowType,
                                options),
                        rowType,
                        format);
            } catch (ValidationException | UnsupportedOperationException e) {
                // a bulk format: the payload was encoded with json (SinkPayloadEncoders)
            }
            break;
        }
        return new ReplayDecoder(
                decoder(context, JSON, JSON + ".", rowType, Map.of()), rowType, JSON);
    }

    private static DeserializationSchema<RowData> decoder(
            DynamicTableFactory.Context context,
            String format,
            String prefix,
            DataType rowType,
            Map<String, String> options) {
        DeserializationFormatFactory factory =
                FactoryUtil.discoverFactory(
                        context.getClassLoader(), DeserializationFormatFactory.class, format);
        DecodingFormat<DeserializationSchema<RowData>> decoding =
                factory.createDecodingFormat(
                        context,
                        new DelegatingConfiguration(Configuration.fromMap(options), prefix));
        return decoding.createRuntimeDecoder(ScanRuntimeProviderContext.INSTANCE, rowType);
    }

    /** The format the payloads are decoded with. */
    String format() {
        return format;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        ClassLoader loader = getRuntimeContext().getUserCodeClassLoader();
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        schema.open(
                new DeserializationSchema.InitializationContext() {
                    @Override
                    public MetricGroup getMetricGroup() {
                        return metrics;
                    }

                    @Override
                    public UserCodeClassLoader getUserCodeClassLoader() {
                        return SimpleUserCodeClassLoader.create(loader);
                    }
                });
        converter = DataStructureConverters.getConverter(rowType);
        converter.open(loader);
        decoded = new ArrayList<>(1);
        into =
                new Collector<>() {
                    @Override
                    public void collect(RowData record) {
                        decoded.add(record);
                    }

                    @Override
                    public void close() {}
                };
    }

    /** In: payload, attempts, the dead letter's place in the DLQ and when it failed. */
    @Override
    public void flatMap(Row letter, Collector<Row> out) throws Exception {
        byte[] payload = (byte[]) letter.getField(0);
        decoded.clear();
        Exception cause = null;
        if (payload != null) {
            try {
                schema.deserialize(payload, into);
            } catch (Exception e) {
                cause = e;
            }
        }
        if (cause != null || decoded.size() != 1) {
            throw new IllegalStateException(
                    String.format(
                            "The dead letter %s cannot be replayed: its payload %s with the"
                                    + " table's format '%s'. Replay only the dead letters that"
                                    + " decode (filter by --error-class, --from, --to).",
                            position(letter),
                            payload == null
                                    ? "is null"
                                    : cause != null
                                            ? "does not decode (" + cause.getMessage() + ")"
                                            : "decodes to " + decoded.size() + " rows, not one,",
                            format),
                    cause);
        }
        Row row = (Row) converter.toExternal(decoded.get(0));
        Row withAttempts = new Row(row.getArity() + 1);
        for (int i = 0; i < row.getArity(); i++) {
            withAttempts.setField(i, row.getField(i));
        }
        withAttempts.setField(row.getArity(), letter.getField(1));
        out.collect(withAttempts);
    }

    private static String position(Row letter) {
        return "in the DLQ at " + letter.getField(2) + " (failed at " + letter.getField(3) + ")";
    }
}
