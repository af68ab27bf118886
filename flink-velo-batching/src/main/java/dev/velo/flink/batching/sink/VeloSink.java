package dev.velo.flink.batching.sink;

import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreWriteTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.IOUtils;
import org.apache.flink.util.Preconditions;

/**
 * Puts batching and failure handling in front of any Sink V2 writer. The returned sink keeps the
 * delegate's guarantees: it implements {@link SupportsWriterState}, {@link SupportsCommitter} and
 * {@link SupportsPostCommitTopology} exactly when the delegate does and delegates them (e.g. an
 * exactly-once KafkaSink stays exactly-once), since the wrapper's own buffer is empty at every
 * snapshot. Delegates with a pre-write or pre-commit topology are rejected.
 *
 * <p>With a DLQ that commits with the checkpoint ({@link DeadLetterWriterFactory.Committing}, e.g.
 * an exactly-once Kafka DLQ) the sink is a {@link DlqCommittingSink}: its writer state and
 * committables carry the delegate's and the DLQ's side by side.
 */
@PublicEvolving
public class VeloSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    final Sink<T> delegate;
    final VeloSinkSettings<T> settings;

    VeloSink(Sink<T> delegate, VeloSinkSettings<T> settings) {
        this.delegate = Preconditions.checkNotNull(delegate, "delegate");
        this.settings = Preconditions.checkNotNull(settings, "settings");
    }

    /**
     * Wraps {@code delegate}.
     *
     * @throws IllegalStateException when the failure strategy may dead-letter but no {@link
     *     DeadLetterWriterFactory} is set
     * @throws IllegalArgumentException when the delegate needs a pre-write or pre-commit topology
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T> Sink<T> wrap(Sink<T> delegate, VeloSinkSettings<T> settings) {
        Preconditions.checkNotNull(delegate, "delegate");
        Preconditions.checkNotNull(settings, "settings");
        if (settings.failureConfig().mayDeadLetter()
                && settings.deadLetterWriterFactory() == null) {
            throw new IllegalStateException(
                    "Table '"
                            + settings.tableName()
                            + "': failure strategy "
                            + settings.failureConfig().strategy().displayName()
                            + " may send records to a DLQ, but no dead-letter writer is"
                            + " configured.");
        }
        if (delegate instanceof SupportsPreWriteTopology
                || delegate instanceof SupportsPreCommitTopology) {
            throw new IllegalArgumentException(
                    "Table '"
                            + settings.tableName()
                            + "': the sink "
                            + delegate.getClass().getName()
                            + " uses a pre-write or pre-commit topology, which the velo wrapper"
                            + " does not support.");
        }
        if (settings.deadLetterWriterFactory() instanceof DeadLetterWriterFactory.Committing) {
            if (delegate instanceof SupportsPostCommitTopology
                    && !DlqCommittingSink.postCommitOnlyColocates(delegate)) {
                throw new IllegalArgumentException(
                        "Table '"
                                + settings.tableName()
                                + "': the sink "
                                + delegate.getClass().getName()
                                + " has a post-commit topology, which cannot be combined with a"
                                + " DLQ that commits with the checkpoint (an exactly-once DLQ)."
                                + " Use an at-least-once DLQ with this sink.");
            }
            return new DlqCommittingSink<>(delegate, settings);
        }
        boolean state = delegate instanceof SupportsWriterState;
        boolean commit = delegate instanceof SupportsCommitter;
        boolean post = commit && delegate instanceof SupportsPostCommitTopology;
        if (state && post) {
            return new StatefulCommittingPostCommit(delegate, settings);
        } else if (state && commit) {
            return new StatefulCommitting(delegate, settings);
        } else if (state) {
            return new Stateful(delegate, settings);
        } else if (post) {
            return new CommittingPostCommit(delegate, settings);
        } else if (commit) {
            return new Committing(delegate, settings);
        }
        return new VeloSink<>(delegate, settings);
    }

    /** The wrapped sink. */
    public Sink<T> getDelegate() {
        return delegate;
    }

    public VeloSinkSettings<T> getSettings() {
        return settings;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return wrapWriter(delegate.createWriter(DelegateMailbox.delegateContext(context)), context);
    }

    /** Wraps a writer of the delegate; closes it when the DLQ writer cannot be created. */
    SinkWriter<T> wrapWriter(SinkWriter<T> delegateWriter, WriterInitContext context)
            throws IOException {
        DeadLetterWriter dlq = null;
        try {
            DeadLetterWriterFactory factory = settings.deadLetterWriterFactory();
            if (factory != null) {
                dlq = factory.create(context);
            }
        } catch (IOException | RuntimeException e) {
            IOUtils.closeQuietly(delegateWriter);
            throw e;
        }
        return wrapWriter(delegateWriter, context, dlq);
    }

    /** Wraps a writer of the delegate with a DLQ writer; closes both when that fails. */
    SinkWriter<T> wrapWriter(
            SinkWriter<T> delegateWriter, WriterInitContext context, DeadLetterWriter dlq) {
        try {
            return VeloSinkWriters.wrap(delegateWriter, settings, context, dlq);
        } catch (RuntimeException e) {
            IOUtils.closeQuietly(dlq);
            IOUtils.closeQuietly(delegateWriter);
            throw e;
        }
    }

    // ---- capability mix-ins: default methods delegate, one small class per combination ----

    /** Delegates {@link SupportsWriterState}. */
    interface WriterStateSupport<T, S> extends SupportsWriterState<T, S> {
        VeloSink<T> self();

        @Override
        @SuppressWarnings("unchecked")
        default StatefulSinkWriter<T, S> restoreWriter(
                WriterInitContext context, Collection<S> recoveredState) throws IOException {
            VeloSink<T> self = self();
            StatefulSinkWriter<T, S> restored =
                    ((SupportsWriterState<T, S>) self.delegate)
                            .restoreWriter(
                                    DelegateMailbox.delegateContext(context), recoveredState);
            return (StatefulSinkWriter<T, S>) self.wrapWriter(restored, context);
        }

        @Override
        @SuppressWarnings("unchecked")
        default SimpleVersionedSerializer<S> getWriterStateSerializer() {
            return ((SupportsWriterState<T, S>) self().delegate).getWriterStateSerializer();
        }
    }

    /** Delegates {@link SupportsCommitter}. */
    interface CommitterSupport<T, C> extends SupportsCommitter<C> {
        VeloSink<T> self();

        @Override
        @SuppressWarnings("unchecked")
        default Committer<C> createCommitter(CommitterInitContext context) throws IOException {
            return ((SupportsCommitter<C>) self().delegate).createCommitter(context);
        }

        @Override
        @SuppressWarnings("unchecked")
        default SimpleVersionedSerializer<C> getCommittableSerializer() {
            return ((SupportsCommitter<C>) self().delegate).getCommittableSerializer();
        }
    }

    /** Delegates {@link SupportsPostCommitTopology}. */
    interface PostCommitSupport<T, C> extends SupportsPostCommitTopology<C> {
        VeloSink<T> self();

        @Override
        @SuppressWarnings("unchecked")
        default void addPostCommitTopology(DataStream<CommittableMessage<C>> committables) {
            ((SupportsPostCommitTopology<C>) self().delegate).addPostCommitTopology(committables);
        }
    }

    /** Wrapper of a delegate with writer state. */
    static final class Stateful<T, S> extends VeloSink<T> implements WriterStateSupport<T, S> {
        private static final long serialVersionUID = 1L;

        Stateful(Sink<T> d, VeloSinkSettings<T> s) {
            super(d, s);
        }

        @Override
        public VeloSink<T> self() {
            return this;
        }
    }

    /** Wrapper of a two-phase-committing delegate. */
    static final class Committing<T, C> extends VeloSink<T> implements CommitterSupport<T, C> {
        private static final long serialVersionUID = 1L;

        Committing(Sink<T> d, VeloSinkSettings<T> s) {
            super(d, s);
        }

        @Override
        public VeloSink<T> self() {
            return this;
        }
    }

    /** Wrapper of a two-phase-committing delegate with a post-commit topology. */
    static final class CommittingPostCommit<T, C> extends VeloSink<T>
            implements CommitterSupport<T, C>, PostCommitSupport<T, C> {
        private static final long serialVersionUID = 1L;

        CommittingPostCommit(Sink<T> d, VeloSinkSettings<T> s) {
            super(d, s);
        }

        @Override
        public VeloSink<T> self() {
            return this;
        }
    }

    /** Wrapper of a stateful, two-phase-committing delegate (e.g. exactly-once Kafka). */
    static final class StatefulCommitting<T, S, C> extends VeloSink<T>
            implements WriterStateSupport<T, S>, CommitterSupport<T, C> {
        private static final long serialVersionUID = 1L;

        StatefulCommitting(Sink<T> d, VeloSinkSettings<T> s) {
            super(d, s);
        }

        @Override
        public VeloSink<T> self() {
            return this;
        }
    }

    /** Wrapper of a stateful, committing delegate with a post-commit topology (KafkaSink). */
    static final class StatefulCommittingPostCommit<T, S, C> extends VeloSink<T>
            implements WriterStateSupport<T, S>, CommitterSupport<T, C>, PostCommitSupport<T, C> {
        private static final long serialVersionUID = 1L;

        StatefulCommittingPostCommit(Sink<T> d, VeloSinkSettings<T> s) {
            super(d, s);
        }

        @Override
        public VeloSink<T> self() {
            return this;
        }
    }

    /** Lists the Sink V2 capabilities this wrapper mirrors, for messages and tests. */
    static List<String> capabilities(Sink<?> sink) {
        List<String> caps = new ArrayList<>();
        if (sink instanceof SupportsWriterState) {
            caps.add("SupportsWriterState");
        }
        if (sink instanceof SupportsCommitter) {
            caps.add("SupportsCommitter");
        }
        if (sink instanceof SupportsPostCommitTopology) {
            caps.add("SupportsPostCommitTopology");
        }
        return caps;
    }
}
