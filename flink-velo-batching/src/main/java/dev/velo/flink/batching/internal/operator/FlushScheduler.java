package dev.velo.flink.batching.internal.operator;

import dev.velo.flink.batching.internal.batcher.FlushTimer;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.util.function.ThrowingRunnable;

/**
 * Arranges the flush of a {@link BatchingOperator}'s current batch by its deadline: a
 * processing-time timer ({@link FlushTimer}), or, for a deadline already reached (eager
 * low_latency: "as soon as the task thread is free"), a mail on the task's mailbox, which runs
 * before the next input is processed. A timer registered at "now" would fire at the earliest 1 ms
 * later (Flink delays every timer by 1 ms). At most one such mail is queued at a time.
 */
@Internal
final class FlushScheduler {

    private final FlushTimer timer;
    @Nullable private final MailboxExecutor mailbox;
    private final ThrowingRunnable<Exception> eagerFlush;
    // a flush of the current batch is queued on the mailbox
    private boolean eagerFlushQueued;

    /**
     * @param mailbox the task's mailbox; null: every flush waits for a timer
     * @param eagerFlush the flush a mail runs
     */
    FlushScheduler(
            FlushTimer timer,
            @Nullable MailboxExecutor mailbox,
            ThrowingRunnable<Exception> eagerFlush) {
        this.timer = timer;
        this.mailbox = mailbox;
        this.eagerFlush = eagerFlush;
    }

    /** Arranges a flush at {@code deadline}; {@code now} is the current processing time. */
    void schedule(long deadline, long now) {
        if (mailbox != null && deadline <= now) {
            if (!eagerFlushQueued) {
                eagerFlushQueued = true;
                mailbox.execute(
                        () -> {
                            eagerFlushQueued = false;
                            eagerFlush.run();
                        },
                        "velo eager flush");
            }
            return;
        }
        timer.schedule(deadline);
    }

    /** The flush timer fired. */
    void fired() {
        timer.fired();
    }

    void cancel() {
        timer.cancel();
    }
}
