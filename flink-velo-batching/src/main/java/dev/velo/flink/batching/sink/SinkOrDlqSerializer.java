package dev.velo.flink.batching.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.Preconditions;

/**
 * Serializes a {@link SinkOrDlq} with the wrapped sink's or the DLQ's own serializer. Format of
 * {@link #VERSION}: one tag byte (0 sink, 1 DLQ), the inner serializer's version (int), the length
 * of its bytes (int) and the bytes, so each side keeps its own versioning.
 *
 * <p>Bytes written under any other version are the wrapped sink's own: a velo sink's state or
 * committables from before its DLQ committed with the checkpoint (a savepoint of the same job with
 * an at-least-once DLQ) restore as the sink's. {@link #VERSION} is chosen to be far from the small
 * numbers connectors use for their own versions.
 *
 * @param <D> the wrapped sink's type
 * @param <Q> the DLQ's type
 */
@Internal
public final class SinkOrDlqSerializer<D, Q> implements SimpleVersionedSerializer<SinkOrDlq<D, Q>> {

    /** "VEL" and 1. */
    public static final int VERSION = 0x56454C01;

    private static final byte SINK = 0;
    private static final byte DLQ = 1;

    @Nullable private final SimpleVersionedSerializer<D> sink;
    private final SimpleVersionedSerializer<Q> dlq;

    /**
     * @param sink the wrapped sink's serializer, null when the sink has no such values (no state or
     *     no committer)
     */
    public SinkOrDlqSerializer(
            @Nullable SimpleVersionedSerializer<D> sink, SimpleVersionedSerializer<Q> dlq) {
        this.sink = sink;
        this.dlq = Preconditions.checkNotNull(dlq, "dlq");
    }

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(SinkOrDlq<D, Q> value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        if (value.isDlq()) {
            out.writeByte(DLQ);
            write(out, dlq.getVersion(), dlq.serialize(value.dlq()));
        } else {
            out.writeByte(SINK);
            write(out, sinkSerializer().getVersion(), sinkSerializer().serialize(value.sink()));
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static void write(DataOutputStream out, int version, byte[] inner) throws IOException {
        out.writeInt(version);
        out.writeInt(inner.length);
        out.write(inner);
    }

    @Override
    public SinkOrDlq<D, Q> deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            // written by the wrapped sink itself, before the DLQ committed with the checkpoint
            return SinkOrDlq.ofSink(sinkSerializer().deserialize(version, serialized));
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized));
        byte tag = in.readByte();
        int innerVersion = in.readInt();
        byte[] inner = new byte[in.readInt()];
        in.readFully(inner);
        if (in.available() > 0) {
            throw new IOException(
                    "Corrupt velo sink value: " + in.available() + " bytes after its end.");
        }
        switch (tag) {
            case SINK:
                return SinkOrDlq.ofSink(sinkSerializer().deserialize(innerVersion, inner));
            case DLQ:
                return SinkOrDlq.ofDlq(dlq.deserialize(innerVersion, inner));
            default:
                throw new IOException(
                        "Corrupt velo sink value: unknown tag " + tag + " (0 sink, 1 DLQ).");
        }
    }

    private SimpleVersionedSerializer<D> sinkSerializer() throws IOException {
        if (sink == null) {
            throw new IOException(
                    "The wrapped sink has no serializer for this value: it keeps no such state or"
                            + " committables.");
        }
        return sink;
    }
}
