package dev.velo.flink.batching.sink;

import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.annotation.Nullable;
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
 * delegate's guarantees: it implements {@link SupportsCommitter} and {@link
 * SupportsPostCommitTopology} exactly when the delegate does and delegates them (e.g. an
 * exactly-once KafkaSink stays exactly-once), since the wrapper's own buffer is empty at every
 * snapshot. Delegates with a pre-write or pre-commit topology are rejected.
 *
 * <p>It always implements {@link SupportsWriterState}: its writer state ({@link VeloSinkState}) is
 * the delegate's own states (if it keeps any) plus, under RetryWithBackoff, the records waiting for
 * a retry when the checkpoint is taken, so that a retry does not hold the barrier. Its serializer
 * ({@link VeloSinkStateSerializer}) reads a state the delegate's serializer wrote (a savepoint of
 * the job without velo, or of a velo sink that kept only the delegate's state) as the delegate's.
 * The retry entries keep the parallelism of the writer that stored them: for a sink keyed by its
 * primary key ({@link VeloSinkSettings.Builder#keyedByPrimaryKey}, opt-in; the SQL factory sets it
 * for a table with a primary key) a restore of waiting records at another parallelism fails, since
 * Flink shares writer states out by position, not by key (see {@link RetryRescaleCheck}).
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
                            + " has a "
                            + unsupportedTopology(delegate)
                            + ", which the velo wrapper does not support (the velo writer would"
                            + " bypass it). Write to this sink without velo batching, or use a"
                            + " sink without that topology.");
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
        boolean commit = delegate instanceof SupportsCommitter;
        boolean post = commit && delegate instanceof SupportsPostCommitTopology;
        if (post) {
            return new StatefulCommittingPostCommit(delegate, settings);
        } else if (commit) {
            return new StatefulCommitting(delegate, settings);
        }
        return new Stateful(delegate, settings);
    }

    /** The topologies of {@code delegate} the wrapper does not support, for the error message. */
    private static String unsupportedTopology(Sink<?> delegate) {
        List<String> names = new ArrayList<>();
        if (delegate instanceof SupportsPreWriteTopology) {
            names.add("pre-write topology (SupportsPreWriteTopology)");
        }
        if (delegate instanceof SupportsPreCommitTopology) {
            names.add("pre-commit topology (SupportsPreCommitTopology)");
        }
        return String.join(" and a ", names);
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
        DelegateMailbox.Handoff handoff = DelegateMailbox.handoff(context);
        return wrapWriter(delegate.createWriter(handoff.context()), context, handoff.mailbox());
    }

    /**
     * Wraps a writer of the delegate, created with {@code mailbox} (see {@link DelegateMailbox});
     * closes it when the DLQ writer cannot be created.
     */
    SinkWriter<T> wrapWriter(
            SinkWriter<T> delegateWriter,
            WriterInitContext context,
            @Nullable DelegateMailbox mailbox)
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
        return wrapWriter(delegateWriter, context, dlq, mailbox);
    }

    /** Wraps a writer of the delegate with a DLQ writer; closes both when that fails. */
    SinkWriter<T> wrapWriter(
            SinkWriter<T> delegateWriter,
            WriterInitContext context,
            DeadLetterWriter dlq,
            @Nullable DelegateMailbox mailbox) {
        try {
            return VeloSinkWriters.wrap(delegateWriter, settings, context, dlq, mailbox);
        } catch (RuntimeException e) {
            IOUtils.closeQuietly(dlq);
            IOUtils.closeQuietly(delegateWriter);
            throw e;
        }
    }

    /**
     * A writer of the delegate restored from its states, or created when it keeps no state (then
     * {@code delegateStates} must be empty).
     */
    @SuppressWarnings("unchecked")
    <S> SinkWriter<T> restoreDelegate(DelegateMailbox.Handoff handoff, List<S> delegateStates)
            throws IOException {
        if (delegate instanceof SupportsWriterState) {
            return ((SupportsWriterState<T, S>) delegate)
                    .restoreWriter(handoff.context(), delegateStates);
        }
        if (!delegateStates.isEmpty()) {
            throw new IllegalStateException(
                    "Table '"
                            + settings.tableName()
                            + "': the restored state holds writer state of the wrapped sink "
                            + delegate.getClass().getName()
                            + ", which keeps none.");
        }
        return delegate.createWriter(handoff.context());
    }

    /** The serializer of the delegate's writer state, null when it keeps none. */
    @Nullable
    @SuppressWarnings("unchecked")
    <S> SimpleVersionedSerializer<S> delegateStateSerializer() {
        return delegate instanceof SupportsWriterState
                ? ((SupportsWriterState<T, S>) delegate).getWriterStateSerializer()
                : null;
    }

    /**
     * Refuses restored retry entries that a writer at another parallelism stored when the sink is
     * keyed by its primary key ({@link VeloSinkSettings#keyedByPrimaryKey()}): Flink shares writer
     * states out by position, not by key, so their order per key could not be kept. Entries of
     * unknown origin (an earlier version's state) restore as before. Called before any writer is
     * created.
     *
     * @throws IllegalStateException naming the table, the records this subtask was handed, the old
     *     and the new parallelism and what to do (see {@link RetryRescaleCheck})
     */
    void checkRestoredRetries(
            WriterInitContext context, Collection<? extends VeloSinkState<?>> states) {
        RetryRescaleCheck check =
                new RetryRescaleCheck(
                        settings.tableName(),
                        settings.keyedByPrimaryKey(),
                        context.getTaskInfo().getNumberOfParallelSubtasks());
        for (VeloSinkState<?> s : states) {
            if (s.isRetries() && s.origin().isPresent()) {
                check.waited(s.origin().get().parallelism(), s.retries().size());
            }
        }
        check.check(context.getTaskInfo().getIndexOfThisSubtask());
    }

    /** Hands restored retry entries to a velo writer; closes it when that fails. */
    static <T> void restoreRetries(SinkWriter<T> velo, List<VeloSinkState.RetryEntry> retries)
            throws IOException {
        if (retries.isEmpty()) {
            return;
        }
        try {
            ((VeloSinkWriter<T>) velo).restoreRetries(retries);
        } catch (IOException | RuntimeException e) {
            IOUtils.closeQuietly(velo);
            throw e;
        }
    }

    // ---- capability mix-ins: default methods delegate, one small class per combination ----

    /** Velo's writer state around the delegate's (see the class comment). */
    interface WriterStateSupport<T> extends SupportsWriterState<T, VeloSinkState<Object>> {
        VeloSink<T> self();

        @Override
        @SuppressWarnings("unchecked")
        default StatefulSinkWriter<T, VeloSinkState<Object>> restoreWriter(
                WriterInitContext context, Collection<VeloSinkState<Object>> recoveredState)
                throws IOException {
            VeloSink<T> self = self();
            self.checkRestoredRetries(context, recoveredState);
            List<Object> delegateStates = new ArrayList<>();
            List<VeloSinkState.RetryEntry> retries = new ArrayList<>();
            for (VeloSinkState<Object> s : recoveredState) {
                if (s.isRetries()) {
                    retries.addAll(s.retries());
                } else {
                    delegateStates.add(s.delegate());
                }
            }
            DelegateMailbox.Handoff handoff = DelegateMailbox.handoff(context);
            SinkWriter<T> velo =
                    self.wrapWriter(
                            self.restoreDelegate(handoff, delegateStates),
                            context,
                            handoff.mailbox());
            restoreRetries(velo, retries);
            return (StatefulSinkWriter<T, VeloSinkState<Object>>) velo;
        }

        @Override
        default SimpleVersionedSerializer<VeloSinkState<Object>> getWriterStateSerializer() {
            return new VeloSinkStateSerializer<>(self().delegateStateSerializer());
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

    /** Wrapper of a delegate that does not commit. */
    static final class Stateful<T> extends VeloSink<T> implements WriterStateSupport<T> {
        private static final long serialVersionUID = 1L;

        Stateful(Sink<T> d, VeloSinkSettings<T> s) {
            super(d, s);
        }

        @Override
        public VeloSink<T> self() {
            return this;
        }
    }

    /** Wrapper of a two-phase-committing delegate (e.g. exactly-once Kafka). */
    static final class StatefulCommitting<T, C> extends VeloSink<T>
            implements WriterStateSupport<T>, CommitterSupport<T, C> {
        private static final long serialVersionUID = 1L;

        StatefulCommitting(Sink<T> d, VeloSinkSettings<T> s) {
            super(d, s);
        }

        @Override
        public VeloSink<T> self() {
            return this;
        }
    }

    /** Wrapper of a committing delegate with a post-commit topology (KafkaSink). */
    static final class StatefulCommittingPostCommit<T, C> extends VeloSink<T>
            implements WriterStateSupport<T>, CommitterSupport<T, C>, PostCommitSupport<T, C> {
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
