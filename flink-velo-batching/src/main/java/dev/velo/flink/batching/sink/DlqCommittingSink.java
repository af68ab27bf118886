package dev.velo.flink.batching.sink;

import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessageTypeInfo;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.IOUtils;

/**
 * A velo sink whose DLQ commits with the checkpoint ({@link DeadLetterWriterFactory.Committing},
 * e.g. Kafka with {@code exactly-once}). Whatever the wrapped sink supports, this sink has writer
 * state, a committer and a post-commit topology, over {@link SinkOrDlq} values:
 *
 * <ul>
 *   <li>writer state: the velo writer's ({@link VeloSinkState}: the wrapped writer's states, if it
 *       has any, and the records waiting for a retry) and the DLQ writer's; a restore gives each
 *       its own, so the DLQ writer finds (and aborts) its lingering transactions;
 *   <li>committables: the wrapped writer's (if it commits) and the DLQ's transactions, routed by
 *       {@link DlqCommittingCommitter} to the committer they belong to;
 *   <li>post-commit topology: the wrapped sink's (only one that merely co-locates writer and
 *       committer is accepted, see {@link VeloSink#wrap}); then the writer and committer are
 *       co-located under the DLQ's key unless the wrapped sink already did.
 * </ul>
 */
@Internal
final class DlqCommittingSink<T, DC, QS, QC> extends VeloSink<T>
        implements SupportsWriterState<T, SinkOrDlq<VeloSinkState<Object>, QS>>,
                SupportsCommitter<SinkOrDlq<DC, QC>>,
                SupportsPostCommitTopology<SinkOrDlq<DC, QC>> {
    private static final long serialVersionUID = 1L;

    /**
     * The wrapped sinks whose post-commit topology only co-locates the writer with its committer
     * and never reads the committables, so it may be given the combined stream. Kafka's sets a
     * co-location key (by its transactional-id prefix) on the sink's transformations.
     */
    static final List<String> COLOCATING_POST_COMMIT =
            List.of("org.apache.flink.connector.kafka.sink.KafkaSink");

    DlqCommittingSink(Sink<T> delegate, VeloSinkSettings<T> settings) {
        super(delegate, settings);
    }

    @SuppressWarnings("unchecked")
    private DeadLetterWriterFactory.Committing<QC, QS> dlqFactory() {
        return (DeadLetterWriterFactory.Committing<QC, QS>) settings.deadLetterWriterFactory();
    }

    /** Whether {@code sink}'s post-commit topology may be handed the combined committables. */
    static boolean postCommitOnlyColocates(Sink<?> sink) {
        for (Class<?> c = sink.getClass(); c != null; c = c.getSuperclass()) {
            if (COLOCATING_POST_COMMIT.contains(c.getName())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        DelegateMailbox.Handoff handoff = DelegateMailbox.handoff(context);
        return withDlq(
                delegate.createWriter(handoff.context()),
                handoff.mailbox(),
                context,
                List.of(),
                List.of());
    }

    @Override
    @SuppressWarnings("unchecked")
    public StatefulSinkWriter<T, SinkOrDlq<VeloSinkState<Object>, QS>> restoreWriter(
            WriterInitContext context,
            Collection<SinkOrDlq<VeloSinkState<Object>, QS>> recoveredState)
            throws IOException {
        checkRestoredRetries(
                context,
                recoveredState.stream().filter(s -> !s.isDlq()).map(SinkOrDlq::sink).toList());
        List<Object> sinkStates = new ArrayList<>();
        List<VeloSinkState.RetryEntry> retries = new ArrayList<>();
        List<QS> dlqStates = new ArrayList<>();
        for (SinkOrDlq<VeloSinkState<Object>, QS> s : recoveredState) {
            if (s.isDlq()) {
                dlqStates.add(s.dlq());
            } else if (s.sink().isRetries()) {
                retries.addAll(s.sink().retries());
            } else {
                sinkStates.add(s.sink().delegate());
            }
        }
        DelegateMailbox.Handoff handoff = DelegateMailbox.handoff(context);
        return withDlq(
                restoreDelegate(handoff, sinkStates),
                handoff.mailbox(),
                context,
                dlqStates,
                retries);
    }

    private DlqCommittingWriter<T, DC, QS, QC> withDlq(
            SinkWriter<T> delegateWriter,
            @Nullable DelegateMailbox mailbox,
            WriterInitContext context,
            Collection<QS> dlqStates,
            List<VeloSinkState.RetryEntry> retries)
            throws IOException {
        DeadLetterWriter.Committing<QC, QS> dlq;
        try {
            dlq = dlqFactory().restore(context, dlqStates);
        } catch (IOException | RuntimeException e) {
            IOUtils.closeQuietly(delegateWriter);
            throw e;
        }
        SinkWriter<T> velo = wrapWriter(delegateWriter, context, dlq, mailbox);
        restoreRetries(velo, retries);
        return new DlqCommittingWriter<>(velo, dlq);
    }

    @Override
    @SuppressWarnings("unchecked")
    public SimpleVersionedSerializer<SinkOrDlq<VeloSinkState<Object>, QS>>
            getWriterStateSerializer() {
        return new SinkOrDlqSerializer<>(
                new VeloSinkStateSerializer<>(delegateStateSerializer()),
                dlqFactory().getWriterStateSerializer());
    }

    @Override
    @SuppressWarnings("unchecked")
    public Committer<SinkOrDlq<DC, QC>> createCommitter(CommitterInitContext context)
            throws IOException {
        Committer<DC> sinkCommitter =
                delegate instanceof SupportsCommitter
                        ? ((SupportsCommitter<DC>) delegate).createCommitter(context)
                        : null;
        try {
            return new DlqCommittingCommitter<>(
                    sinkCommitter, dlqFactory().createCommitter(context));
        } catch (IOException | RuntimeException e) {
            IOUtils.closeQuietly(sinkCommitter);
            throw e;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public SimpleVersionedSerializer<SinkOrDlq<DC, QC>> getCommittableSerializer() {
        return new SinkOrDlqSerializer<>(
                delegate instanceof SupportsCommitter
                        ? ((SupportsCommitter<DC>) delegate).getCommittableSerializer()
                        : null,
                dlqFactory().getCommittableSerializer());
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void addPostCommitTopology(DataStream<CommittableMessage<SinkOrDlq<DC, QC>>> stream) {
        if (delegate instanceof SupportsPostCommitTopology) {
            // accepted only when it merely co-locates (VeloSink.wrap checks)
            ((SupportsPostCommitTopology) delegate).addPostCommitTopology((DataStream) stream);
        }
        String key = dlqFactory().colocationKey();
        if (key == null) {
            return;
        }
        // The DLQ's writer (in the velo writer) and its committer share a subtask's in-JVM
        // channel of finished transactions: keep the sink's operators of committables together.
        Transformation<?> t = stream.getTransformation();
        while (t.getOutputType() instanceof CommittableMessageTypeInfo
                && t.getCoLocationGroupKey() == null) {
            t.setCoLocationGroupKey(key);
            if (t.getInputs().isEmpty()) {
                break;
            }
            t = t.getInputs().get(0);
        }
    }
}
