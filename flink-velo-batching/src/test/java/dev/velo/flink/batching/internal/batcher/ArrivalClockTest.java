package dev.velo.flink.batching.internal.batcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ArrivalClockTest {

    @Test
    void readsTheClockForTheFirstRecordOfABatchAndAtEveryStrideThPositionAfter() {
        AtomicLong time = new AtomicLong(1000);
        AtomicLong reads = new AtomicLong();
        ArrivalClock clock =
                new ArrivalClock(
                        () -> {
                            reads.incrementAndGet();
                            return time.get();
                        });

        assertThat(clock.arrival(0)).isEqualTo(1000);
        time.set(2000);
        for (int i = 1; i < ArrivalClock.STRIDE; i++) {
            assertThat(clock.arrival(i)).as("record %d reuses the reading", i).isEqualTo(1000);
        }
        assertThat(reads).hasValue(1);
        assertThat(clock.arrival(ArrivalClock.STRIDE))
                .as("the record at the stride-th position reads again")
                .isEqualTo(2000);
        assertThat(reads).hasValue(2);

        time.set(3000);
        assertThat(clock.arrival(0)).as("a new batch always reads").isEqualTo(3000);
        assertThat(clock.arrival(1)).isEqualTo(3000);
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
                        4);
        clock.arrival(0);
        time.set(2000);
        assertThat(clock.arrival(1)).isEqualTo(1000);
        assertThat(clock.arrival(2)).isEqualTo(1000);
        assertThat(clock.arrival(3)).isEqualTo(1000);
        assertThat(clock.arrival(4)).as("the fourth position reads again").isEqualTo(2000);
        assertThat(clock.arrival(8)).isEqualTo(2000);
        assertThat(reads).hasValue(3);
    }

    @Test
    void dueSaysWhichPositionsReadAndLastKeepsTheReading() {
        AtomicLong time = new AtomicLong(1000);
        ArrivalClock clock = new ArrivalClock(time::get, 4);
        assertThat(clock.due(0)).isTrue();
        assertThat(clock.read()).isEqualTo(1000);
        time.set(2000);
        assertThat(clock.due(1)).isFalse();
        assertThat(clock.due(3)).isFalse();
        assertThat(clock.last())
                .as("a record that is not due arrives at the last reading")
                .isEqualTo(1000);
        assertThat(clock.due(4)).isTrue();
        assertThat(clock.due(12)).isTrue();
        assertThat(clock.read()).isEqualTo(2000);
    }

    @Test
    void theStrideIsAPowerOfTwo() {
        assertThatThrownBy(() -> new ArrivalClock(() -> 0, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two, got 3");
        assertThatThrownBy(() -> new ArrivalClock(() -> 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
