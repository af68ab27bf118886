package dev.velo.flink.batching.sink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.util.IOUtils;

/**
 * The committer of a {@link DlqCommittingSink}: hands each committable to the wrapped sink's
 * committer or to the DLQ's, as a request of that committer's own type whose outcome (committed,
 * failed, retry later, updated) is reported on the original request.
 */
@Internal
final class DlqCommittingCommitter<DC, QC> implements Committer<SinkOrDlq<DC, QC>> {

    @Nullable private final Committer<DC> sink;
    private final Committer<QC> dlq;

    /**
     * @param sink the wrapped sink's committer, null when the wrapped sink does not commit
     */
    DlqCommittingCommitter(@Nullable Committer<DC> sink, Committer<QC> dlq) {
        this.sink = sink;
        this.dlq = dlq;
    }

    @Override
    public void commit(Collection<CommitRequest<SinkOrDlq<DC, QC>>> requests)
            throws IOException, InterruptedException {
        List<CommitRequest<DC>> toSink = new ArrayList<>();
        List<CommitRequest<QC>> toDlq = new ArrayList<>();
        for (CommitRequest<SinkOrDlq<DC, QC>> r : requests) {
            SinkOrDlq<DC, QC> c = r.getCommittable();
            if (c.isDlq()) {
                toDlq.add(new Routed<>(r, c.dlq(), SinkOrDlq::ofDlq));
            } else {
                toSink.add(new Routed<>(r, c.sink(), SinkOrDlq::ofSink));
            }
        }
        if (!toSink.isEmpty()) {
            if (sink == null) {
                throw new IllegalStateException(
                        "A committable of the wrapped sink reached the velo committer, but the"
                                + " wrapped sink has no committer: "
                                + toSink.get(0).getCommittable());
            }
            sink.commit(toSink);
        }
        if (!toDlq.isEmpty()) {
            dlq.commit(toDlq);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (sink != null) {
                sink.close();
            }
        } finally {
            IOUtils.closeQuietly(dlq);
        }
    }

    /** A request of one side, reporting to the combined request it came from. */
    static final class Routed<I, O> implements CommitRequest<I> {
        private final CommitRequest<O> outer;
        private final I committable;
        private final Function<I, O> wrap;

        Routed(CommitRequest<O> outer, I committable, Function<I, O> wrap) {
            this.outer = outer;
            this.committable = committable;
            this.wrap = wrap;
        }

        @Override
        public I getCommittable() {
            return committable;
        }

        @Override
        public int getNumberOfRetries() {
            return outer.getNumberOfRetries();
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            outer.signalFailedWithKnownReason(t);
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            outer.signalFailedWithUnknownReason(t);
        }

        @Override
        public void retryLater() {
            outer.retryLater();
        }

        @Override
        public void updateAndRetryLater(I committable) {
            outer.updateAndRetryLater(wrap.apply(committable));
        }

        @Override
        public void signalAlreadyCommitted() {
            outer.signalAlreadyCommitted();
        }
    }
}
