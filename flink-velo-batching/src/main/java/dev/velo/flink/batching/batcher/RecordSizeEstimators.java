package dev.velo.flink.batching.batcher;

import java.nio.charset.StandardCharsets;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.binary.BinaryRowData;

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
     * Rows: the exact binary size of a {@link BinaryRowData}; for other rows a cheap estimate from
     * the arity (8 bytes per field plus a header), avoiding a serialization per record.
     */
    public static RecordSizeEstimator<RowData> forRowData() {
        return row -> {
            if (row instanceof BinaryRowData) {
                return ((BinaryRowData) row).getSizeInBytes();
            }
            return row == null ? 0 : 16L + 8L * row.getArity();
        };
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
                return forRowData().estimate((RowData) record);
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
