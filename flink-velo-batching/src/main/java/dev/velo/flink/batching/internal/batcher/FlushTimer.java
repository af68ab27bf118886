package dev.velo.flink.batching.internal.batcher;

import java.util.concurrent.ScheduledFuture;
import java.util.function.LongFunction;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * The one pending processing-time timer of a batching stage (operator or sink writer). A pending
 * timer that fires no later than a new deadline is kept: the owner's callback checks the batch's
 * real deadline and schedules again, so small batches do not each pay a scheduler round trip.
 */
@Internal
public final class FlushTimer {

    private final LongFunction<ScheduledFuture<?>> register;
    private long scheduledDeadline = Long.MAX_VALUE;
    @Nullable private ScheduledFuture<?> scheduled;

    /**
     * @param register registers the owner's callback for a processing time
     */
    public FlushTimer(LongFunction<ScheduledFuture<?>> register) {
        this.register = register;
    }

    /** Makes sure a timer fires no later than {@code deadline} (none for Long.MAX_VALUE). */
    public void schedule(long deadline) {
        if (deadline == Long.MAX_VALUE || (scheduled != null && scheduledDeadline <= deadline)) {
            return;
        }
        cancel();
        scheduledDeadline = deadline;
        scheduled = register.apply(deadline);
    }

    /** Called first thing in the owner's callback: the timer is no longer pending. */
    public void fired() {
        scheduled = null;
        scheduledDeadline = Long.MAX_VALUE;
    }

    public void cancel() {
        if (scheduled != null) {
            scheduled.cancel(false);
            scheduled = null;
        }
        scheduledDeadline = Long.MAX_VALUE;
    }
}
