package dev.velo.flink.sql.format;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

/**
 * The real format's decoder with the table's source failure strategy around the decoding, and
 * around nothing else: rows are decoded into a buffer inside the guard and handed to the
 * connector's collector outside it, so an exception raised downstream (a projection, a UDF, an
 * operator chained to the source) propagates untouched and fails the job as it would without velo.
 */
@Internal
public final class GuardedDeserializationSchema implements DeserializationSchema<RowData> {
    private static final long serialVersionUID = 1L;

    private final DeserializationSchema<RowData> inner;
    private final SourceGuardSettings settings;

    /** Set by {@link GuardedSource} when the connector's source reader is created. */
    @Nullable private volatile String boundKey;

    private transient DecodeGuard guard;
    private transient List<RowData> decoded;

    // made once in open(): deserialize runs for every record of the source
    private transient DecodeGuard.Decode decodeOne;
    private transient DecodeGuard.Decode decodeAll;
    private transient Collector<RowData> buffer;

    GuardedDeserializationSchema(
            DeserializationSchema<RowData> inner, SourceGuardSettings settings) {
        this.inner = inner;
        this.settings = settings;
    }

    SourceGuardSettings settings() {
        return settings;
    }

    /** Whether its failure strategy may dead-letter (then its DLQ writer must be flushed). */
    public boolean mayDeadLetter() {
        return settings.dlq != null && settings.failure.mayDeadLetter();
    }

    /** The id of the planned table source it decodes for. */
    public String guardId() {
        return settings.guardId;
    }

    void bindTo(String key) {
        this.boundKey = key;
    }

    @Override
    public void open(InitializationContext context) throws Exception {
        inner.open(context);
        decoded = new ArrayList<>(2);
        decodeOne = this::decodeOne;
        decodeAll = this::decodeAll;
        buffer =
                new Collector<>() {
                    @Override
                    public void collect(RowData row) {
                        decoded.add(row);
                    }

                    @Override
                    public void close() {}
                };
        String key = boundKey;
        DecodeGuard bound = key == null ? null : DecodeGuard.bound(key);
        guard = bound != null ? bound : DecodeGuard.forDeserializer(settings, context);
    }

    @Override
    public RowData deserialize(byte[] message) throws IOException {
        decoded.clear();
        try {
            if (guard.decode(message, decodeOne)) {
                return decoded.isEmpty() ? null : decoded.get(0);
            }
            return null;
        } finally {
            decoded.clear();
        }
    }

    @Override
    public void deserialize(byte[] message, Collector<RowData> out) throws IOException {
        decoded.clear();
        try {
            if (guard.decode(message, decodeAll)) {
                // outside the guard: what the collector throws is not a decoding failure
                for (RowData row : decoded) {
                    out.collect(row);
                }
            }
        } finally {
            decoded.clear();
        }
    }

    private void decodeOne(byte[] message) throws Exception {
        decoded.clear();
        RowData row = inner.deserialize(message);
        if (row != null) {
            decoded.add(row);
        }
    }

    private void decodeAll(byte[] message) throws Exception {
        decoded.clear();
        inner.deserialize(message, buffer);
    }

    @Override
    public boolean isEndOfStream(RowData nextElement) {
        return inner.isEndOfStream(nextElement);
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return inner.getProducedType();
    }
}
