package dev.velo.flink.batching.internal.batcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ArrivalClockTest {

    @Test
    void readsTheClockForTheFirstRecordOfABatchAndOnceEveryStrideAfter() {
        AtomicLong time = new AtomicLong(1000);
        AtomicLong reads = new AtomicLong();
        ArrivalClock clock =
                new ArrivalClock(
                        () -> {
                            reads.incrementAndGet();
                            return time.get();
                        });

        assertThat(clock.arrival(true)).isEqualTo(1000);
        time.set(2000);
        for (int i = 1; i < ArrivalClock.STRIDE; i++) {
            assertThat(clock.arrival(false)).as("record %d reuses the reading", i).isEqualTo(1000);
        }
        assertThat(reads).hasValue(1);
        assertThat(clock.arrival(false)).as("the stride-th record reads again").isEqualTo(2000);
        assertThat(reads).hasValue(2);

        time.set(3000);
        assertThat(clock.arrival(true)).as("a new batch always reads").isEqualTo(3000);
        assertThat(clock.arrival(false)).isEqualTo(3000);
        assertThat(reads).hasValue(3);
    }

    @Test
    void aStageMayReadLessOften() {
        AtomicLong time = new AtomicLong(1000);
        AtomicLong reads = new AtomicLong();
        ArrivalClock clock =
                new ArrivalClock(
                        () -> {
                            reads.incrementAndGet();
                            return time.get();
                        },
                        3);
        clock.arrival(true);
        time.set(2000);
        assertThat(clock.arrival(false)).isEqualTo(1000);
        assertThat(clock.arrival(false)).isEqualTo(1000);
        assertThat(clock.arrival(false)).as("the third record reads again").isEqualTo(2000);
        assertThat(reads).hasValue(2);
    }
}
