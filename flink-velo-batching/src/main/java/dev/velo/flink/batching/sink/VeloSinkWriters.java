package dev.velo.flink.batching.sink;

import dev.velo.flink.batching.dlq.DeadLetterWriter;
import java.io.IOException;
import java.util.Collection;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The writer classes of {@link VeloSink}: every velo writer keeps writer state ({@link
 * VeloSinkState}: the delegate's states, if any, and the records waiting for a retry), and commits
 * exactly when the delegate writer does, so the runtime sees the delegate's commit contract.
 */
@Internal
final class VeloSinkWriters {

    private VeloSinkWriters() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    static <T> VeloSinkWriter<T> wrap(
            SinkWriter<T> delegate,
            VeloSinkSettings<T> settings,
            WriterInitContext context,
            @Nullable DeadLetterWriter dlq,
            @Nullable DelegateMailbox mailbox) {
        if (delegate instanceof CommittingSinkWriter) {
            return new Committing(delegate, settings, context, dlq, mailbox);
        }
        return new VeloSinkWriter<>(delegate, settings, context, dlq, mailbox);
    }

    /** Delegates committables. */
    static final class Committing<T, C> extends VeloSinkWriter<T>
            implements CommittingSinkWriter<T, C> {
        Committing(
                SinkWriter<T> d,
                VeloSinkSettings<T> s,
                WriterInitContext c,
                DeadLetterWriter q,
                DelegateMailbox m) {
            super(d, s, c, q, m);
        }

        @Override
        public Collection<C> prepareCommit() throws IOException, InterruptedException {
            return prepareDelegateCommit();
        }
    }
}
