package dev.velo.flink.batching.internal.failure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl;
import org.junit.jupiter.api.Test;

/**
 * A retry wait that yields to the task's mailbox, with a writer that, like Kafka's, reports a
 * failed send both on its next call and through a mail of the task that throws it.
 */
class RetryWaitInMailboxTest {

    private final MailboxExecutorImpl mailbox =
            new MailboxExecutorImpl(
                    new TaskMailboxImpl(Thread.currentThread()),
                    0,
                    StreamTaskActionExecutor.IMMEDIATE);

    /** Sends complete late: a write completes every send but the last one before it. */
    private final class KafkaLikeWriter implements AsyncWriteProcessor<String> {
        final Set<String> failOnce = new HashSet<>();
        final List<String> inFlight = new ArrayList<>();
        final List<String> delivered = new ArrayList<>();
        Exception unreported;

        void completeAllBut(int keep) {
            while (inFlight.size() > keep) {
                String r = inFlight.remove(0);
                if (failOnce.remove(r)) {
                    if (unreported == null) {
                        unreported = new IOException("send of " + r + " failed");
                        // as Kafka's writer: the task also learns of it through a mail
                        mailbox.execute(this::check, "check async error");
                    }
                } else {
                    delivered.add(r);
                }
            }
        }

        void check() throws Exception {
            Exception e = unreported;
            if (e != null) {
                unreported = null;
                throw e;
            }
        }

        @Override
        public void write(String record) throws Exception {
            completeAllBut(1);
            check();
            inFlight.add(record);
        }

        @Override
        public void flush() throws Exception {
            completeAllBut(0);
            check();
        }
    }

    @Test
    void aSendFailingDuringTheWaitIsRetriedNotThrownFromTheWait() throws Exception {
        KafkaLikeWriter w = new KafkaLikeWriter();
        w.failOnce.addAll(List.of("a", "b"));
        MailboxSleeper mailboxSleeper = new MailboxSleeper(mailbox);
        // the sends still in flight complete while the task waits
        Sleeper sleeper =
                millis -> {
                    w.completeAllBut(0);
                    mailboxSleeper.sleep(millis);
                };
        List<DeadLetter> dlq = new ArrayList<>();
        VeloMetrics metrics = VeloMetrics.inMemory();
        FailureHandler<String> h =
                new FailureHandler<>(
                        FailureConfig.builder()
                                .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                                .maxRetries(3)
                                .retryBackoff(Duration.ofMillis(10))
                                .retryJitter(0)
                                .retryExhaustedStrategy(FailureStrategy.SEND_TO_DLQ)
                                .build(),
                        "orders",
                        DeadLetter.SIDE_SINK,
                        null,
                        dlq::add,
                        metrics,
                        sleeper,
                        System::currentTimeMillis,
                        new Random(7));
        // a fails, reported by the write of c while b (failing too) is still in flight
        assertThat(h.write(1, List.of("a", "b", "c", "d"), w, true)).isEqualTo(4);
        assertThat(dlq).isEmpty();
        assertThat(w.delivered).contains("a", "b", "c", "d");
        assertThat(metrics.numRetries().getCount()).isOne();
    }
}
