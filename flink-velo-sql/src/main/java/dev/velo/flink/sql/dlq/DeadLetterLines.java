package dev.velo.flink.sql.dlq;

import dev.velo.flink.batching.dlq.DeadLetter;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * Encodes dead letters as lines of a Flink row format: the format's bytes for the dead-letter row
 * and one newline, as the filesystem connector writes a row format.
 */
@Internal
final class DeadLetterLines {

    private final SerializationSchema<RowData> encoder;

    private DeadLetterLines(SerializationSchema<RowData> encoder) {
        this.encoder = encoder;
    }

    /** Opens {@code encoder} (a copy per writer comes with the deserialized factory). */
    static DeadLetterLines open(SerializationSchema<RowData> encoder, MetricGroup callerGroup)
            throws IOException {
        try {
            openSchema(encoder, callerGroup.addGroup(DlqWriterMetricGroup.GROUP));
        } catch (Exception e) {
            throw new IOException("Could not open the DLQ format's encoder", e);
        }
        return new DeadLetterLines(encoder);
    }

    /** Opens a format's encoder outside any operator: its metrics go to {@code group}. */
    static void openSchema(SerializationSchema<?> schema, MetricGroup group) throws Exception {
        UserCodeClassLoader loader =
                SimpleUserCodeClassLoader.create(schema.getClass().getClassLoader());
        schema.open(
                new SerializationSchema.InitializationContext() {
                    @Override
                    public MetricGroup getMetricGroup() {
                        return group;
                    }

                    @Override
                    public UserCodeClassLoader getUserCodeClassLoader() {
                        return loader;
                    }
                });
    }

    /** The dead letter's line, newline included. */
    byte[] encode(DeadLetter deadLetter) {
        byte[] bytes = encoder.serialize(DeadLetterSchema.toRow(deadLetter));
        int end = bytes.length;
        // some formats (csv) end a record with a line separator themselves
        while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
            end--;
        }
        byte[] line = Arrays.copyOf(bytes, end + 1);
        line[end] = '\n';
        return line;
    }
}
