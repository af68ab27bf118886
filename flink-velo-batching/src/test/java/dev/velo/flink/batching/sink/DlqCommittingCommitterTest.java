package dev.velo.flink.batching.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.Committer.CommitRequest;
import org.junit.jupiter.api.Test;

/** Routing of combined committables to the wrapped sink's and the DLQ's committers. */
class DlqCommittingCommitterTest {

    /** A commit request that records what the committer reported on it. */
    static final class Request implements CommitRequest<SinkOrDlq<String, String>> {
        final SinkOrDlq<String, String> committable;
        final List<String> outcomes = new ArrayList<>();

        Request(SinkOrDlq<String, String> committable) {
            this.committable = committable;
        }

        @Override
        public SinkOrDlq<String, String> getCommittable() {
            return committable;
        }

        @Override
        public int getNumberOfRetries() {
            return 2;
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            outcomes.add("known:" + t.getMessage());
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            outcomes.add("unknown:" + t.getMessage());
        }

        @Override
        public void retryLater() {
            outcomes.add("retry");
        }

        @Override
        public void updateAndRetryLater(SinkOrDlq<String, String> c) {
            outcomes.add("update:" + c);
        }

        @Override
        public void signalAlreadyCommitted() {
            outcomes.add("already");
        }
    }

    /** Records the committables it gets and applies {@code action} to each request. */
    static final class Recording implements Committer<String> {
        final List<String> committed = new ArrayList<>();
        final Consumer<CommitRequest<String>> action;
        boolean closed;

        Recording(Consumer<CommitRequest<String>> action) {
            this.action = action;
        }

        @Override
        public void commit(Collection<CommitRequest<String>> requests) {
            for (CommitRequest<String> r : requests) {
                committed.add(r.getCommittable() + "#" + r.getNumberOfRetries());
                action.accept(r);
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void eachCommittableGoesToItsOwnCommitterAndOutcomesReachTheOriginalRequest() throws Exception {
        Recording sink = new Recording(r -> r.updateAndRetryLater(r.getCommittable() + "'"));
        Recording dlq =
                new Recording(
                        r -> {
                            if (r.getCommittable().equals("d2")) {
                                r.signalFailedWithKnownReason(new RuntimeException("fenced"));
                            } else {
                                r.signalAlreadyCommitted();
                            }
                        });
        Request s1 = new Request(SinkOrDlq.ofSink("s1"));
        Request d1 = new Request(SinkOrDlq.ofDlq("d1"));
        Request d2 = new Request(SinkOrDlq.ofDlq("d2"));
        try (DlqCommittingCommitter<String, String> committer =
                new DlqCommittingCommitter<>(sink, dlq)) {
            committer.commit(List.of(d1, s1, d2));
        }

        assertThat(sink.committed).containsExactly("s1#2");
        assertThat(dlq.committed).containsExactly("d1#2", "d2#2");
        assertThat(s1.outcomes).containsExactly("update:sink(s1')");
        assertThat(d1.outcomes).containsExactly("already");
        assertThat(d2.outcomes).containsExactly("known:fenced");
        assertThat(sink.closed).isTrue();
        assertThat(dlq.closed).isTrue();
    }

    @Test
    void retriesAndUpdatesOfTheDlqStayDlqCommittables() throws Exception {
        Recording dlq =
                new Recording(
                        r -> {
                            r.retryLater();
                            r.updateAndRetryLater("next");
                            r.signalFailedWithUnknownReason(new RuntimeException("?"));
                        });
        Request d = new Request(SinkOrDlq.ofDlq("d"));
        new DlqCommittingCommitter<String, String>(null, dlq).commit(List.of(d));
        assertThat(d.outcomes).containsExactly("retry", "update:dlq(next)", "unknown:?");
    }

    @Test
    void aSinkCommittableWithoutSinkCommitterIsAnError() {
        Recording dlq = new Recording(r -> {});
        DlqCommittingCommitter<String, String> committer = new DlqCommittingCommitter<>(null, dlq);
        assertThatThrownBy(() -> committer.commit(List.of(new Request(SinkOrDlq.ofSink("s")))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no committer");
        assertThat(dlq.committed).isEmpty();
    }
}
