package dev.velo.flink.batching.internal.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl;
import org.junit.jupiter.api.Test;

/** The backoff wait on a real task mailbox: it runs mails, ends on time, on close and interrupt. */
class MailboxSleeperTest {

    private final TaskMailbox mailbox = new TaskMailboxImpl(Thread.currentThread());
    private final MailboxExecutorImpl executor =
            new MailboxExecutorImpl(mailbox, 0, StreamTaskActionExecutor.IMMEDIATE);

    @Test
    void waitsTheDelayWhileRunningMailsOnTheWaitingThread() throws Exception {
        MailboxSleeper sleeper = new MailboxSleeper(executor);
        Thread waiting = Thread.currentThread();
        AtomicLong ranAt = new AtomicLong();
        // a timer of the task, due in the middle of the wait
        CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)
                .execute(
                        () ->
                                executor.execute(
                                        () -> {
                                            assertThat(Thread.currentThread()).isSameAs(waiting);
                                            ranAt.set(System.nanoTime());
                                        },
                                        "timer"));
        long start = System.nanoTime();
        sleeper.sleep(400);
        long end = System.nanoTime();
        assertThat(ranAt.get()).as("the mail ran during the wait").isBetween(start, end);
        assertThat(TimeUnit.NANOSECONDS.toMillis(end - start)).isGreaterThanOrEqualTo(400);
    }

    @Test
    void closeEndsAWaitInProgress() {
        MailboxSleeper sleeper = new MailboxSleeper(executor);
        CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(sleeper::close);
        long start = System.nanoTime();
        assertThatThrownBy(() -> sleeper.sleep(60_000)).isInstanceOf(InterruptedException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
    }

    @Test
    void anInterruptEndsTheWait() {
        MailboxSleeper sleeper = new MailboxSleeper(executor);
        Thread waiting = Thread.currentThread();
        CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(waiting::interrupt);
        long start = System.nanoTime();
        try {
            assertThatThrownBy(() -> sleeper.sleep(60_000))
                    .isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
    }
}
