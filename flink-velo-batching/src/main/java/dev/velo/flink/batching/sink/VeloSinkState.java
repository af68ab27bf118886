package dev.velo.flink.batching.sink;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.Preconditions;

/**
 * A writer state of a velo sink: either one of the wrapped writer's own states, or the records the
 * velo writer holds for a retry under RetryWithBackoff (the batch waiting for its retry and the
 * records queued behind it, in order). Serialized by {@link VeloSinkStateSerializer}.
 *
 * @param <S> the wrapped writer's state type
 */
@Internal
public final class VeloSinkState<S> {

    /**
     * One record held for a retry: the retries it had ({@code attempt}: the next one is {@code
     * attempt}; 0 for a record queued behind the retry), its timestamp, and the record as the
     * writer's input serializer wrote it.
     */
    public record RetryEntry(int attempt, @Nullable Long timestamp, byte[] record) {
        public RetryEntry {
            Preconditions.checkArgument(attempt >= 0, "attempt must be >= 0, was %s", attempt);
            Preconditions.checkNotNull(record, "record");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RetryEntry e
                    && attempt == e.attempt
                    && Objects.equals(timestamp, e.timestamp)
                    && Arrays.equals(record, e.record);
        }

        @Override
        public int hashCode() {
            return Objects.hash(attempt, timestamp, Arrays.hashCode(record));
        }

        @Override
        public String toString() {
            // the record's bytes may hold data: never printed
            return "RetryEntry{attempt=" + attempt + ", bytes=" + record.length + "}";
        }
    }

    /**
     * Where retry entries were written: the parallelism of the writers that took the checkpoint and
     * the index of the one that held them. A restore at another parallelism shares the entries out
     * as list state, not by key (see {@link VeloSink#restoreWriter}).
     */
    public record Origin(int parallelism, int subtask) {
        public Origin {
            Preconditions.checkArgument(
                    parallelism > 0, "parallelism must be positive, was %s", parallelism);
            Preconditions.checkArgument(
                    subtask >= 0 && subtask < parallelism,
                    "subtask must be in [0, %s), was %s",
                    parallelism,
                    subtask);
        }
    }

    @Nullable private final S delegate;
    @Nullable private final List<RetryEntry> retries;
    @Nullable private final Origin origin;

    private VeloSinkState(
            @Nullable S delegate, @Nullable List<RetryEntry> retries, @Nullable Origin origin) {
        this.delegate = delegate;
        this.retries = retries;
        this.origin = origin;
    }

    public static <S> VeloSinkState<S> ofDelegate(S state) {
        return new VeloSinkState<>(Preconditions.checkNotNull(state, "state"), null, null);
    }

    /**
     * The records a writer holds for a retry, in order (one value per writer and checkpoint), of
     * unknown origin: as a state written before the origin was kept restores.
     */
    public static <S> VeloSinkState<S> ofRetries(List<RetryEntry> entries) {
        return new VeloSinkState<>(null, List.copyOf(entries), null);
    }

    /** The records a writer holds for a retry, in order, and the writer that held them. */
    public static <S> VeloSinkState<S> ofRetries(List<RetryEntry> entries, Origin origin) {
        return new VeloSinkState<>(
                null, List.copyOf(entries), Preconditions.checkNotNull(origin, "origin"));
    }

    public boolean isRetries() {
        return retries != null;
    }

    /** The wrapped writer's state; fails for retry entries. */
    public S delegate() {
        Preconditions.checkState(delegate != null, "retry entries hold no state of the delegate");
        return delegate;
    }

    /** The retry entries; fails for a state of the delegate. */
    public List<RetryEntry> retries() {
        Preconditions.checkState(retries != null, "a state of the delegate holds no retry entries");
        return retries;
    }

    /**
     * The writer that held the retry entries; empty for a state of the delegate and for entries a
     * version that did not keep it wrote.
     */
    public Optional<Origin> origin() {
        return Optional.ofNullable(origin);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VeloSinkState<?> s
                && Objects.equals(delegate, s.delegate)
                && Objects.equals(retries, s.retries)
                && Objects.equals(origin, s.origin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(delegate, retries, origin);
    }

    @Override
    public String toString() {
        return isRetries()
                ? "retries(" + retries + (origin == null ? "" : ", " + origin) + ")"
                : "delegate(" + delegate + ")";
    }
}
