package dev.velo.flink.batching.internal.batcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * fixed_size's and mega_batch's {@code addAtSameTime} (the per-record path of a batching stage
 * between two clock readings) against {@code add} with the deadline check on every record: on the
 * same records and the same fake clock, both end the same batches at the same records.
 */
class AddAtSameTimeTest {

    private static final int RECORDS = 200_000;

    @Test
    void fixedSizeEndsTheSameBatches() {
        for (long seed = 1; seed <= 5; seed++) {
            assertSameFlushes(() -> new FixedSizeBatcher<>(100, 1000, 20), seed, 8);
            assertSameFlushes(() -> new FixedSizeBatcher<>(5_000, 10_000, 3), seed, 64);
            assertSameFlushes(() -> new FixedSizeBatcher<>(10, 1000, 0), seed, 4);
        }
    }

    @Test
    void megaBatchEndsTheSameBatches() {
        for (long seed = 1; seed <= 5; seed++) {
            assertSameFlushes(() -> new MegaBatchBatcher<>(1_000, 100_000, 20, true), seed, 64);
            assertSameFlushes(() -> new MegaBatchBatcher<>(1_000, 100_000, 20, false), seed, 64);
            assertSameFlushes(() -> new MegaBatchBatcher<>(50_000, 100_000, 5, true), seed, 4096);
        }
    }

    /** The record indexes at which each path's batches end; the clock moves at random. */
    private static void assertSameFlushes(
            Supplier<? extends Batcher<Integer>> create, long seed, int stride) {
        List<Integer> everyRecord = run(create.get(), seed, stride, false);
        List<Integer> sameTime = run(create.get(), seed, stride, true);
        assertThat(everyRecord)
                .as("seed %d stride %d: batches must end by size and by deadline", seed, stride)
                .hasSizeGreaterThan(10);
        assertThat(sameTime).as("seed %d stride %d", seed, stride).isEqualTo(everyRecord);
    }

    private static List<Integer> run(
            Batcher<Integer> batcher, long seed, int stride, boolean atSameTime) {
        Random random = new Random(seed);
        long[] time = {0};
        ArrivalClock clock = new ArrivalClock(() -> time[0], stride);
        List<Integer> ends = new ArrayList<>();
        int buffered = 0;
        for (int i = 0; i < RECORDS; i++) {
            // the clock stands still for runs of records, then jumps by up to 9 ms
            if (random.nextInt(50) == 0) {
                time[0] += random.nextInt(10);
            }
            boolean full;
            if (atSameTime && !clock.due(buffered)) {
                full =
                        batcher instanceof FixedSizeBatcher<Integer> f
                                ? f.addAtSameTime(i)
                                : ((MegaBatchBatcher<Integer>) batcher).addAtSameTime(i);
            } else {
                long now = atSameTime ? clock.read() : clock.arrival(buffered);
                full = batcher.add(i, now);
            }
            buffered++;
            if (full) {
                ends.add(i);
                List<Integer> batch = batcher.drain();
                assertThat(batch).hasSize(buffered);
                assertThat(batch.get(buffered - 1)).isEqualTo(i);
                buffered = 0;
            }
        }
        return ends;
    }
}
