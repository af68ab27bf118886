package dev.velo.flink.batching.sink;

import dev.velo.flink.batching.dlq.DeadLetterWriter;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The writer classes of {@link VeloSink}, one per capability of the delegate writer (state,
 * committables), so the runtime sees the same writer contract as without the wrapper.
 */
@Internal
final class VeloSinkWriters {

    private VeloSinkWriters() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    static <T> VeloSinkWriter<T> wrap(
            SinkWriter<T> delegate,
            VeloSinkSettings<T> settings,
            WriterInitContext context,
            @Nullable DeadLetterWriter dlq) {
        boolean stateful = delegate instanceof StatefulSinkWriter;
        boolean committing = delegate instanceof CommittingSinkWriter;
        if (stateful && committing) {
            return new StatefulCommitting(delegate, settings, context, dlq);
        } else if (stateful) {
            return new Stateful(delegate, settings, context, dlq);
        } else if (committing) {
            return new Committing(delegate, settings, context, dlq);
        }
        return new VeloSinkWriter<>(delegate, settings, context, dlq);
    }

    /**
     * Delegates writer state; the buffer is drained before (it is empty after the pre-barrier
     * flush).
     */
    static final class Stateful<T, S> extends VeloSinkWriter<T>
            implements StatefulSinkWriter<T, S> {
        Stateful(SinkWriter<T> d, VeloSinkSettings<T> s, WriterInitContext c, DeadLetterWriter q) {
            super(d, s, c, q);
        }

        @Override
        public List<S> snapshotState(long checkpointId) throws IOException {
            return snapshotDelegateState(checkpointId);
        }
    }

    /** Delegates committables. */
    static final class Committing<T, C> extends VeloSinkWriter<T>
            implements CommittingSinkWriter<T, C> {
        Committing(
                SinkWriter<T> d, VeloSinkSettings<T> s, WriterInitContext c, DeadLetterWriter q) {
            super(d, s, c, q);
        }

        @Override
        public Collection<C> prepareCommit() throws IOException, InterruptedException {
            return prepareDelegateCommit();
        }
    }

    /** Delegates writer state and committables. */
    static final class StatefulCommitting<T, S, C> extends VeloSinkWriter<T>
            implements StatefulSinkWriter<T, S>, CommittingSinkWriter<T, C> {
        StatefulCommitting(
                SinkWriter<T> d, VeloSinkSettings<T> s, WriterInitContext c, DeadLetterWriter q) {
            super(d, s, c, q);
        }

        @Override
        public List<S> snapshotState(long checkpointId) throws IOException {
            return snapshotDelegateState(checkpointId);
        }

        @Override
        public Collection<C> prepareCommit() throws IOException, InterruptedException {
            return prepareDelegateCommit();
        }
    }
}
