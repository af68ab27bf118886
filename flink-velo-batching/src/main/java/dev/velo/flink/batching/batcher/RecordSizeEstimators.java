package dev.velo.flink.batching.batcher;

import java.nio.charset.StandardCharsets;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.binary.BinaryRowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/** Ready-made {@link RecordSizeEstimator}s. */
@PublicEvolving
public final class RecordSizeEstimators {

    /** Rough per-object overhead used when nothing better is known. */
    static final long DEFAULT_RECORD_BYTES = 64;

    private RecordSizeEstimators() {}

    /** Every record counts as {@code bytes}. */
    public static <T> RecordSizeEstimator<T> constant(long bytes) {
        return record -> bytes;
    }

    /**
     * Rows without type information: the exact binary size of a {@link BinaryRowData} (O(1)); a
     * {@link org.apache.flink.table.data.GenericRowData} (what JSON and other decoders produce) is
     * walked field by field, strings and byte arrays by their length, nested rows, arrays and maps
     * included. A row that is neither (a joined or projected view) counts a header and 8 bytes per
     * field; use {@link #forRowData(LogicalType)} for those.
     */
    public static RecordSizeEstimator<RowData> forRowData() {
        return RecordSizeEstimatorRowData::row;
    }

    /**
     * Rows of {@code rowType} (a {@link RowType}): like {@link #forRowData()}, and rows of any
     * other implementation are read field by field through their type, so every row is counted by
     * what it holds. A binary row stays O(1); other rows cost a walk of their fields.
     */
    public static RecordSizeEstimator<RowData> forRowData(LogicalType rowType) {
        if (!(rowType instanceof RowType)) {
            return forRowData();
        }
        RecordSizeEstimatorRowData.Typed typed =
                new RecordSizeEstimatorRowData.Typed((RowType) rowType);
        return typed::rowSize;
    }

    /** The serialized size of the record under {@code serializer} (exact but not free). */
    public static <T> RecordSizeEstimator<T> forSerializer(TypeSerializer<T> serializer) {
        return new SerializerEstimator<>(serializer);
    }

    /**
     * Best effort without type information: strings and byte arrays by length, rows by {@link
     * #forRowData()}, anything else a fixed {@value #DEFAULT_RECORD_BYTES} bytes.
     */
    public static <T> RecordSizeEstimator<T> generic() {
        return record -> {
            if (record instanceof RowData) {
                return RecordSizeEstimatorRowData.row((RowData) record);
            }
            if (record instanceof byte[]) {
                return ((byte[]) record).length;
            }
            if (record instanceof CharSequence) {
                return 2L * ((CharSequence) record).length();
            }
            return DEFAULT_RECORD_BYTES;
        };
    }

    /** Serializes into a reused buffer to measure. */
    private static final class SerializerEstimator<T> implements RecordSizeEstimator<T> {
        private static final long serialVersionUID = 1L;
        private final TypeSerializer<T> serializer;
        private transient DataOutputSerializer buffer;

        SerializerEstimator(TypeSerializer<T> serializer) {
            this.serializer = serializer;
        }

        @Override
        public long estimate(T record) {
            if (buffer == null) {
                buffer = new DataOutputSerializer(256);
            }
            buffer.clear();
            try {
                serializer.serialize(record, buffer);
                return buffer.length();
            } catch (Exception e) {
                return String.valueOf(record).getBytes(StandardCharsets.UTF_8).length;
            }
        }
    }
}
