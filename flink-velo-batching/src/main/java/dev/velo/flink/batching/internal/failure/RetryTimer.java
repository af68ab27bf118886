package dev.velo.flink.batching.internal.failure;

import java.util.concurrent.ScheduledFuture;
import java.util.function.BooleanSupplier;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.util.function.ThrowingRunnable;

/**
 * The one timer of a retry queue under RetryWithBackoff (the batching operator's and the velo sink
 * writer's): a processing-time timer that runs the queue at the retry's deadline, and the wait of
 * {@link #await} that runs it on the task thread when the end of input or back-pressure cannot let
 * the task go on.
 *
 * <p>A cancelled timer that already sits in the mailbox when it is cancelled still runs its mail;
 * each arming has a generation, and a mail of an older generation does nothing. The queue is
 * therefore run once per deadline, by whichever comes first: the timer or the wait.
 */
@Internal
public final class RetryTimer {

    private final ProcessingTimeService time;
    private final Sleeper sleeper;
    // runs the queue: the retry first, then what waits behind it
    private final ThrowingRunnable<Exception> run;

    private long deadline;
    private long generation;
    @Nullable private ScheduledFuture<?> timer;
    private boolean awaiting;

    /**
     * @param time the task's processing-time service, whose timers run as mails on the task thread
     * @param sleeper how {@link #await} waits for the deadline (a mailbox sleeper lets timers and
     *     checkpoint notifications run meanwhile)
     * @param run what the timer or {@link #await} runs at the deadline
     */
    public RetryTimer(
            ProcessingTimeService time, Sleeper sleeper, ThrowingRunnable<Exception> run) {
        this.time = time;
        this.sleeper = sleeper;
        this.run = run;
    }

    /** The current processing time. */
    public long now() {
        return time.getCurrentProcessingTime();
    }

    /** Runs the queue at {@code at} (at once for a time already passed), replacing any timer. */
    public void arm(long at) {
        cancel();
        deadline = at;
        long armed = generation;
        timer =
                time.registerTimer(
                        at,
                        t -> {
                            if (armed == generation) {
                                timer = null;
                                run.run();
                            }
                        });
    }

    /** Cancels the timer; a timer already queued in the mailbox then does nothing. */
    public void cancel() {
        generation++;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /**
     * Waits while {@code pending}: sleeps until the deadline, then runs the queue on this thread
     * unless the timer ran it meanwhile (the sleeper may let the timer's mail run). A call from
     * within the wait (the queue's run flushing again) returns at once.
     */
    public void await(BooleanSupplier pending) throws Exception {
        if (awaiting) {
            return;
        }
        awaiting = true;
        try {
            while (pending.getAsBoolean()) {
                long wait = deadline - now();
                long armed = generation;
                if (wait > 0) {
                    sleeper.sleep(wait);
                }
                if (armed == generation && pending.getAsBoolean()) {
                    // the timer did not run meanwhile and the deadline has passed: run here
                    cancel();
                    run.run();
                }
            }
        } finally {
            awaiting = false;
        }
    }
}
