package dev.velo.flink.batching.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Serializes a {@link VeloSinkState}. Format of {@link #VERSION}: one tag byte, then
 *
 * <ul>
 *   <li>tag 0, a state of the wrapped writer: its serializer's version (int), the length of its
 *       bytes (int) and the bytes, so the wrapped writer keeps its own versioning;
 *   <li>tag 1, retry entries of unknown origin: their count (int), then per entry its attempt
 *       (int), a byte 1 and the timestamp (long) or a byte 0 when it has none, the length of the
 *       record's bytes (int) and the bytes. Written by earlier versions (and for entries without an
 *       {@link VeloSinkState#origin()}); read as they were written;
 *   <li>tag 2, retry entries and their origin: the parallelism of the writers that took the
 *       checkpoint (int) and the index of the writer that held the entries (int), then the entries
 *       as under tag 1.
 * </ul>
 *
 * <p>Bytes written under any other version are the wrapped writer's own: the state of a job that
 * ran the sink without velo, or with a velo sink that kept only the wrapped writer's state,
 * restores as the wrapped writer's. {@link #VERSION} is far from the small numbers connectors use
 * for their versions and differs from {@link SinkOrDlqSerializer#VERSION}, which wraps this one
 * when the DLQ commits with the checkpoint.
 *
 * @param <S> the wrapped writer's state type
 */
@Internal
public final class VeloSinkStateSerializer<S>
        implements SimpleVersionedSerializer<VeloSinkState<S>> {

    /** "VEL" and 2. */
    public static final int VERSION = 0x56454C02;

    private static final byte DELEGATE = 0;
    private static final byte RETRIES = 1;
    private static final byte RETRIES_WITH_ORIGIN = 2;

    @Nullable private final SimpleVersionedSerializer<S> delegate;

    /**
     * @param delegate the wrapped writer's state serializer, null when it keeps no state
     */
    public VeloSinkStateSerializer(@Nullable SimpleVersionedSerializer<S> delegate) {
        this.delegate = delegate;
    }

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(VeloSinkState<S> value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        if (value.isRetries()) {
            if (value.origin().isPresent()) {
                VeloSinkState.Origin origin = value.origin().get();
                out.writeByte(RETRIES_WITH_ORIGIN);
                out.writeInt(origin.parallelism());
                out.writeInt(origin.subtask());
            } else {
                out.writeByte(RETRIES);
            }
            out.writeInt(value.retries().size());
            for (VeloSinkState.RetryEntry e : value.retries()) {
                out.writeInt(e.attempt());
                if (e.timestamp() == null) {
                    out.writeByte(0);
                } else {
                    out.writeByte(1);
                    out.writeLong(e.timestamp());
                }
                out.writeInt(e.record().length);
                out.write(e.record());
            }
        } else {
            SimpleVersionedSerializer<S> d = delegateSerializer();
            byte[] inner = d.serialize(value.delegate());
            out.writeByte(DELEGATE);
            out.writeInt(d.getVersion());
            out.writeInt(inner.length);
            out.write(inner);
        }
        out.flush();
        return bytes.toByteArray();
    }

    @Override
    public VeloSinkState<S> deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            // written by the wrapped writer's own serializer
            return VeloSinkState.ofDelegate(delegateSerializer().deserialize(version, serialized));
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized));
        byte tag = in.readByte();
        VeloSinkState<S> value;
        switch (tag) {
            case DELEGATE:
                {
                    int innerVersion = in.readInt();
                    byte[] inner = readBytes(in);
                    value =
                            VeloSinkState.ofDelegate(
                                    delegateSerializer().deserialize(innerVersion, inner));
                    break;
                }
            case RETRIES:
                value = VeloSinkState.ofRetries(readEntries(in));
                break;
            case RETRIES_WITH_ORIGIN:
                {
                    int parallelism = in.readInt();
                    int subtask = in.readInt();
                    if (parallelism <= 0 || subtask < 0 || subtask >= parallelism) {
                        throw new IOException(
                                "Corrupt velo sink state: retry entries of subtask "
                                        + subtask
                                        + " of parallelism "
                                        + parallelism
                                        + ".");
                    }
                    value =
                            VeloSinkState.ofRetries(
                                    readEntries(in),
                                    new VeloSinkState.Origin(parallelism, subtask));
                    break;
                }
            default:
                throw new IOException(
                        "Corrupt velo sink state: unknown tag "
                                + tag
                                + " (0 state of the wrapped writer, 1 and 2 retry entries).");
        }
        if (in.available() > 0) {
            throw new IOException(
                    "Corrupt velo sink state: " + in.available() + " bytes after its end.");
        }
        return value;
    }

    /** Retry entries: their count, then each entry (see the class comment). */
    private static List<VeloSinkState.RetryEntry> readEntries(DataInputStream in)
            throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("Corrupt velo sink state: " + n + " retry entries.");
        }
        List<VeloSinkState.RetryEntry> entries = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            int attempt = in.readInt();
            byte hasTimestamp = in.readByte();
            Long timestamp = hasTimestamp == 1 ? in.readLong() : null;
            if (hasTimestamp != 0 && hasTimestamp != 1) {
                throw new IOException(
                        "Corrupt velo sink state: timestamp flag "
                                + hasTimestamp
                                + " (0 none, 1 present).");
            }
            if (attempt < 0) {
                throw new IOException("Corrupt velo sink state: retry attempt " + attempt + ".");
            }
            entries.add(new VeloSinkState.RetryEntry(attempt, timestamp, readBytes(in)));
        }
        return entries;
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException(
                    "Corrupt velo sink state: a length of "
                            + length
                            + " with "
                            + in.available()
                            + " bytes left.");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    private SimpleVersionedSerializer<S> delegateSerializer() throws IOException {
        if (delegate == null) {
            throw new IOException(
                    "The state holds a writer state of the wrapped sink, which keeps none.");
        }
        return delegate;
    }
}
