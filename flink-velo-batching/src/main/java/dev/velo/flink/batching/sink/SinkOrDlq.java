package dev.velo.flink.batching.sink;

import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.Preconditions;

/**
 * A committable (or writer state) of a velo sink whose DLQ commits with the checkpoint: either the
 * wrapped sink's or the DLQ's, never both. The committer routes it by {@link #isDlq()}.
 *
 * @param <D> the wrapped sink's type
 * @param <Q> the DLQ's type
 */
@Internal
public final class SinkOrDlq<D, Q> {
    private final D sink;
    private final Q dlq;

    private SinkOrDlq(D sink, Q dlq) {
        this.sink = sink;
        this.dlq = dlq;
    }

    public static <D, Q> SinkOrDlq<D, Q> ofSink(D value) {
        return new SinkOrDlq<>(Preconditions.checkNotNull(value, "value"), null);
    }

    public static <D, Q> SinkOrDlq<D, Q> ofDlq(Q value) {
        return new SinkOrDlq<>(null, Preconditions.checkNotNull(value, "value"));
    }

    public boolean isDlq() {
        return dlq != null;
    }

    /** The wrapped sink's value; fails for a DLQ value. */
    public D sink() {
        Preconditions.checkState(sink != null, "a DLQ value has no sink value");
        return sink;
    }

    /** The DLQ's value; fails for a sink value. */
    public Q dlq() {
        Preconditions.checkState(dlq != null, "a sink value has no DLQ value");
        return dlq;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SinkOrDlq
                && Objects.equals(sink, ((SinkOrDlq<?, ?>) o).sink)
                && Objects.equals(dlq, ((SinkOrDlq<?, ?>) o).dlq);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sink, dlq);
    }

    @Override
    public String toString() {
        return isDlq() ? "dlq(" + dlq + ")" : "sink(" + sink + ")";
    }
}
