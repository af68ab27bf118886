package dev.velo.flink.batching.internal.failure;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.MailboxExecutor;

/**
 * Waits out a retry backoff on the task thread the way Flink's asynchronous sinks wait for
 * capacity: by yielding to the task's mailbox until the delay has passed, instead of sleeping.
 * While it waits the task runs its mails of this operator's priority and above: processing-time
 * timers of this operator and of the operators chained after it, checkpoint-complete and -aborted
 * notifications, and the control mails of a cancel. It does not run input, so no record and no
 * checkpoint barrier of this task is processed during the wait (a barrier waits for the retry, see
 * the retry section of the semantics docs).
 *
 * <p>The wait ends when the delay has passed (a wake-up mail is put into the mailbox at the
 * deadline from a JDK timer thread), or with an {@link InterruptedException} when the task thread
 * is interrupted (a cancel interrupts it at once) or after {@link #close()}. The wake-up of an
 * abandoned wait is harmless: an empty mail, dropped when the mailbox is closed.
 */
@Internal
public final class MailboxSleeper implements Sleeper {

    private final MailboxExecutor mailbox;
    private volatile boolean closed;

    public MailboxSleeper(MailboxExecutor mailbox) {
        this.mailbox = mailbox;
    }

    @Override
    public void sleep(long millis) throws InterruptedException {
        if (millis <= 0) {
            return;
        }
        WakeUp wakeUp = new WakeUp(mailbox);
        CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS).execute(wakeUp);
        while (!wakeUp.due) {
            if (closed) {
                throw new InterruptedException("closed during a retry backoff");
            }
            mailbox.yield();
        }
    }

    /** Ends a wait in progress at its next mail and refuses new waits. */
    public void close() {
        closed = true;
        try {
            mailbox.execute(() -> {}, "velo retry backoff closed");
        } catch (RejectedExecutionException | IllegalStateException taskEnded) {
            // no mailbox, no wait
        }
    }

    /** Marks the deadline and puts an empty mail into the mailbox to end a blocking yield. */
    private static final class WakeUp implements Runnable {
        private final MailboxExecutor mailbox;
        volatile boolean due;

        WakeUp(MailboxExecutor mailbox) {
            this.mailbox = mailbox;
        }

        @Override
        public void run() {
            due = true;
            try {
                mailbox.execute(() -> {}, "velo retry backoff elapsed");
            } catch (RejectedExecutionException | IllegalStateException taskEnded) {
                // the task is gone; nobody waits any more
            }
        }
    }
}
