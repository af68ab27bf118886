package dev.velo.flink.batching.internal.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.internal.batcher.FlushTimer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.util.function.ThrowingRunnable;
import org.junit.jupiter.api.Test;

/** {@link FlushScheduler}: a timer for a future deadline, one mail for a deadline reached. */
class FlushSchedulerTest {

    private final List<Long> timers = new ArrayList<>();
    private final ArrayDeque<ThrowingRunnable<? extends Exception>> mails = new ArrayDeque<>();
    private int flushes;

    private final TestProcessingTimeService time = new TestProcessingTimeService();
    private final FlushTimer timer =
            new FlushTimer(
                    deadline -> {
                        timers.add(deadline);
                        return time.registerTimer(deadline, t -> {});
                    });

    /** A mailbox that queues mails until the test runs them. */
    private final MailboxExecutor mailbox =
            new MailboxExecutor() {
                @Override
                public void execute(
                        MailOptions options,
                        ThrowingRunnable<? extends Exception> command,
                        String descriptionFormat,
                        Object... descriptionArgs) {
                    mails.add(command);
                }

                @Override
                public void yield() {}

                @Override
                public boolean tryYield() {
                    return false;
                }

                @Override
                public boolean shouldInterrupt() {
                    return false;
                }
            };

    private void runMails() throws Exception {
        while (!mails.isEmpty()) {
            mails.poll().run();
        }
    }

    @Test
    void aFutureDeadlineGetsATimer() {
        FlushScheduler s = new FlushScheduler(timer, mailbox, () -> flushes++);
        s.schedule(150, 100);
        assertThat(timers).containsExactly(150L);
        assertThat(mails).isEmpty();
    }

    @Test
    void aReachedDeadlineGetsOneMailUntilItRan() throws Exception {
        FlushScheduler s = new FlushScheduler(timer, mailbox, () -> flushes++);
        s.schedule(100, 100);
        s.schedule(90, 100);
        assertThat(mails).hasSize(1);
        assertThat(timers).isEmpty();
        runMails();
        assertThat(flushes).isEqualTo(1);
        // the mail ran: the next reached deadline queues a new one
        s.schedule(100, 100);
        assertThat(mails).hasSize(1);
    }

    @Test
    void withoutAMailboxAReachedDeadlineWaitsForATimer() {
        FlushScheduler s = new FlushScheduler(timer, null, () -> flushes++);
        s.schedule(100, 100);
        assertThat(timers).containsExactly(100L);
        assertThat(flushes).isZero();
    }
}
