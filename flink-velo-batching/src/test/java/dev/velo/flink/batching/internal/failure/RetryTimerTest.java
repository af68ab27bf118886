package dev.velo.flink.batching.internal.failure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.util.function.ThrowingRunnable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The retry timer shared by the batching operator's and the sink writer's retry queues. */
class RetryTimerTest {

    private final TestProcessingTimeService time = new TestProcessingTimeService();
    private final List<Long> sleeps = new ArrayList<>();
    // processing times at which the queue ran
    private final List<Long> runs = new ArrayList<>();
    private Sleeper sleeper = sleeps::add;
    private boolean pending;
    private RetryTimer timer;

    @BeforeEach
    void setUp() throws Exception {
        time.setCurrentTime(0);
        timer = newTimer();
    }

    private RetryTimer newTimer() {
        return timerRunning(
                () -> {
                    runs.add(time.getCurrentProcessingTime());
                    pending = false;
                });
    }

    /** A timer on the test's clock and sleeper that runs {@code run} as the queue. */
    private RetryTimer timerRunning(ThrowingRunnable<Exception> run) {
        return new RetryTimer(time, ms -> sleeper.sleep(ms), run);
    }

    /**
     * A sleeper that lets the timers due by the end of its sleep run, as a mailbox sleeper does.
     */
    private void sleepRunningTimers() {
        sleeper =
                ms -> {
                    sleeps.add(ms);
                    advance(ms);
                };
    }

    /** Moves the clock on, running the timers due by then (as a mailbox sleeper lets them run). */
    private void advance(long ms) {
        try {
            time.setCurrentTime(time.getCurrentProcessingTime() + ms);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void runsTheQueueAtTheDeadlineOnce() throws Exception {
        timer.arm(100);
        time.setCurrentTime(99);
        assertThat(runs).isEmpty();
        time.setCurrentTime(100);
        time.setCurrentTime(300);
        assertThat(runs).containsExactly(100L);
    }

    @Test
    void aNewArmingReplacesTheTimer() throws Exception {
        timer.arm(100);
        timer.arm(50);
        time.setCurrentTime(50);
        time.setCurrentTime(200);
        assertThat(runs).containsExactly(50L);
    }

    @Test
    void aCancelledTimerDoesNotRun() throws Exception {
        timer.arm(100);
        timer.cancel();
        time.setCurrentTime(200);
        assertThat(runs).isEmpty();
    }

    /**
     * A timer's mail may already sit in the mailbox when the timer is cancelled or replaced (the
     * future's cancel then comes too late): that mail must not run the queue.
     */
    @Test
    void aTimerMailQueuedBeforeItsCancelDoesNothing() throws Exception {
        List<ProcessingTimeService.ProcessingTimeCallback> mails = new ArrayList<>();
        ProcessingTimeService queuedMails =
                new ProcessingTimeService() {
                    @Override
                    public long getCurrentProcessingTime() {
                        return time.getCurrentProcessingTime();
                    }

                    @Override
                    public ScheduledFuture<?> registerTimer(
                            long at, ProcessingTimeService.ProcessingTimeCallback callback) {
                        mails.add(callback);
                        // a future that never fires: the test runs the mails itself
                        return time.registerTimer(Long.MAX_VALUE, t -> {});
                    }
                };
        timer = new RetryTimer(queuedMails, sleeps::add, () -> runs.add(-1L));

        timer.arm(100);
        timer.cancel();
        mails.get(0).onProcessingTime(100);
        assertThat(runs).isEmpty();

        timer.arm(200);
        timer.arm(300);
        mails.get(1).onProcessingTime(200);
        assertThat(runs).isEmpty();
        mails.get(2).onProcessingTime(300);
        assertThat(runs).containsExactly(-1L);
    }

    @Test
    void awaitSleepsUntilTheDeadlineAndRunsTheQueueOnTheCallingThread() throws Exception {
        time.setCurrentTime(10);
        timer.arm(100);
        pending = true;

        timer.await(() -> pending);

        assertThat(sleeps).containsExactly(90L);
        assertThat(runs).containsExactly(10L);
        // the timer was cancelled when the wait ran the queue
        time.setCurrentTime(100);
        assertThat(runs).hasSize(1);
    }

    @Test
    void awaitDoesNotRunTheQueueAgainWhenTheTimerRanItDuringTheSleep() throws Exception {
        sleepRunningTimers();
        timer.arm(100);
        pending = true;

        timer.await(() -> pending);

        assertThat(sleeps).containsExactly(100L);
        assertThat(runs).containsExactly(100L);
    }

    @Test
    void awaitWaitsForEveryNewDeadlineTheQueueArms() throws Exception {
        // the first run defers again: the queue arms a second deadline and stays pending
        List<Long> deadlines = new ArrayList<>(List.of(250L));
        timer =
                timerRunning(
                        () -> {
                            runs.add(time.getCurrentProcessingTime());
                            if (deadlines.isEmpty()) {
                                pending = false;
                            } else {
                                timer.arm(deadlines.remove(0));
                            }
                        });
        sleepRunningTimers();
        timer.arm(100);
        pending = true;

        timer.await(() -> pending);

        assertThat(sleeps).containsExactly(100L, 150L);
        assertThat(runs).containsExactly(100L, 250L);
    }

    @Test
    void awaitCalledFromWithinTheWaitReturnsAtOnce() throws Exception {
        List<String> inner = new ArrayList<>();
        timer =
                timerRunning(
                        () -> {
                            // the queue's run flushes again, which waits for the queue again
                            timer.await(() -> true);
                            inner.add("returned");
                            pending = false;
                        });
        timer.arm(100);
        pending = true;

        timer.await(() -> pending);

        assertThat(inner).containsExactly("returned");
    }
}
