package dev.velo.flink.batching.internal.batcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.batcher.RecordSizeEstimators;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.MemorySegmentFactory;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.binary.BinaryRowData;
import org.junit.jupiter.api.Test;

/** Every strategy's triggers and edges with a fake clock (times are passed explicitly). */
class BatchersTest {

    private static void fill(Batcher<Integer> b, int from, int to, long now) {
        for (int i = from; i < to; i++) {
            assertThat(b.add(i, now)).as("record %s must not flush", i).isFalse();
        }
    }

    @Test
    void fixedSizeFlushesAtSizeAndKeepsOrder() {
        Batcher<Integer> b = new FixedSizeBatcher<>(3, 1000, 500);
        assertThat(b.flushDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(b.isEmpty()).isTrue();
        assertThat(b.add(1, 100)).isFalse();
        assertThat(b.flushDeadline()).isEqualTo(600);
        assertThat(b.add(2, 150)).isFalse();
        assertThat(b.flushDeadline()).as("deadline counts from the first record").isEqualTo(600);
        assertThat(b.add(3, 200)).isTrue();
        assertThat(b.drain()).containsExactly(1, 2, 3);
        assertThat(b.isEmpty()).isTrue();
        assertThat(b.flushDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(b.add(4, 1000)).isFalse();
        assertThat(b.flushDeadline()).isEqualTo(1500);
    }

    @Test
    void fixedSizeWithReusedListsKeepsADrainedBatchUntilTheNextDrain() {
        FixedSizeBatcher<Integer> b = new FixedSizeBatcher<>(3, 1000, 500);
        b.reuseDrainedLists();
        fill(b, 1, 3, 0);
        assertThat(b.add(3, 0)).isTrue();
        List<Integer> first = b.drain();
        fill(b, 4, 6, 0);
        assertThat(first).as("valid while the next batch fills").containsExactly(1, 2, 3);
        assertThat(b.add(6, 0)).isTrue();
        List<Integer> second = b.drain();
        assertThat(second).isNotSameAs(first).containsExactly(4, 5, 6);
        fill(b, 7, 9, 0);
        assertThat(b.add(9, 0)).isTrue();
        List<Integer> third = b.drain();
        assertThat(third).as("the two lists take turns").isSameAs(first).containsExactly(7, 8, 9);
        assertThat(second).as("cleared by the drain after the one that returned it").isEmpty();
        assertThat(b.isEmpty()).isTrue();
        assertThat(b.add(10, 0)).isFalse();
        assertThat(b.drain()).isSameAs(second).containsExactly(10);
    }

    @Test
    void fixedSizeIsCappedByMaxBatchSize() {
        FixedSizeBatcher<Integer> b = new FixedSizeBatcher<>(100, 2, 500);
        assertThat(b.batchSize()).isEqualTo(2);
        assertThat(b.add(1, 0)).isFalse();
        assertThat(b.add(2, 0)).isTrue();
    }

    @Test
    void sizeOneFlushesEveryRecord() {
        Batcher<Integer> b = new FixedSizeBatcher<>(1, 1000, 500);
        assertThat(b.add(1, 0)).isTrue();
        assertThat(b.drain()).containsExactly(1);
        assertThat(b.add(2, 0)).isTrue();
        assertThat(b.drain()).containsExactly(2);
    }

    @Test
    void timeoutZeroMeansDeadlineNow() {
        Batcher<Integer> b = new FixedSizeBatcher<>(10, 1000, 0);
        assertThat(b.add(1, 42)).isFalse();
        assertThat(b.flushDeadline()).isEqualTo(42);
        assertThat(b.add(2, 43)).as("overdue batch flushes on the next add").isTrue();
        assertThat(b.drain()).containsExactly(1, 2);
    }

    @Test
    void overdueBatchFlushesOnAdd() {
        Batcher<Integer> b = new FixedSizeBatcher<>(10, 1000, 100);
        assertThat(b.add(1, 0)).isFalse();
        assertThat(b.add(2, 100)).as("at the deadline: the timer flushes").isFalse();
        assertThat(b.add(3, 101)).isTrue();
    }

    @Test
    void timeWindowBoundaries() {
        Batcher<Integer> b = new TimeWindowBatcher<>(1000, 1000);
        assertThat(b.add(1, 5000)).isFalse();
        assertThat(b.flushDeadline()).isEqualTo(6000);
        assertThat(b.add(2, 5999)).isFalse();
        assertThat(b.add(3, 6000)).as("the window's last millisecond is inclusive").isFalse();
        assertThat(b.drain()).containsExactly(1, 2, 3);
        assertThat(b.add(4, 6001)).isFalse();
        assertThat(b.flushDeadline()).as("a new window starts at the next record").isEqualTo(7001);
        assertThat(b.add(5, 7002)).as("late record closes an overdue window").isTrue();
        assertThat(b.drain()).containsExactly(4, 5);
    }

    @Test
    void timeWindowRespectsMaxBatchSize() {
        Batcher<Integer> b = new TimeWindowBatcher<>(60_000, 3);
        fill(b, 0, 2, 0);
        assertThat(b.add(2, 0)).isTrue();
        assertThat(b.drain()).hasSize(3);
    }

    @Test
    void memoryBasedFlushesAtBudget() {
        MemoryBasedBatcher<Integer> b =
                new MemoryBasedBatcher<>(100, 1000, 1000, RecordSizeEstimators.constant(30));
        assertThat(b.add(1, 0)).isFalse();
        assertThat(b.add(2, 0)).isFalse();
        assertThat(b.add(3, 0)).isFalse();
        assertThat(b.bytes()).isEqualTo(90);
        assertThat(b.add(4, 0)).isTrue();
        assertThat(b.drain()).containsExactly(1, 2, 3, 4);
        assertThat(b.bytes()).isZero();
        assertThat(b.flushDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void memoryBasedHugeRecordFlushesAlone() {
        MemoryBasedBatcher<String> b =
                new MemoryBasedBatcher<>(1024, 1000, 1000, s -> (long) s.length());
        assertThat(b.add("x".repeat(10_000), 7)).isTrue();
        assertThat(b.drain()).hasSize(1);
    }

    @Test
    void memoryBasedTimeoutAndCap() {
        MemoryBasedBatcher<Integer> b =
                new MemoryBasedBatcher<>(1 << 20, 2, 250, RecordSizeEstimators.constant(1));
        assertThat(b.add(1, 10)).isFalse();
        assertThat(b.flushDeadline()).isEqualTo(260);
        assertThat(b.add(2, 11)).as("max_size cap").isTrue();
    }

    @Test
    void rowDataEstimatorUsesBinarySize() {
        BinaryRowData row = new BinaryRowData(2);
        row.pointTo(MemorySegmentFactory.wrap(new byte[48]), 0, 48);
        assertThat(RecordSizeEstimators.forRowData().estimate(row)).isEqualTo(row.getSizeInBytes());
        assertThat(RecordSizeEstimators.forRowData().estimate(GenericRowData.of(1, 2, 3)))
                .as("header, three slots, three boxed ints")
                .isEqualTo(16 + 3 * 8 + 3 * 16);
        assertThat(RecordSizeEstimators.forSerializer(StringSerializer.INSTANCE).estimate("abc"))
                .isEqualTo(4);
    }

    @Test
    void adaptiveGrowsTowardsTargetWhenBatchesAreFast() {
        AdaptiveSizeBatcher<Integer> b = new AdaptiveSizeBatcher<>(10, 5000, 100, 1000);
        assertThat(b.currentTargetSize()).isEqualTo(10);
        // latency = 0.2 ms per record -> ideal size 500
        for (int i = 0; i < 20; i++) {
            int n = runBatch(b);
            b.onBatchProcessed(n, Math.round(n * 0.2));
        }
        assertThat(b.currentTargetSize()).isBetween(400, 600);
    }

    @Test
    void adaptiveShrinksWhenBatchesAreSlow() {
        AdaptiveSizeBatcher<Integer> b = new AdaptiveSizeBatcher<>(10, 5000, 100, 1000);
        for (int i = 0; i < 30; i++) {
            b.onBatchProcessed(b.currentTargetSize(), b.currentTargetSize() / 20);
        }
        assertThat(b.currentTargetSize()).isGreaterThan(1000);
        // now each record costs 1 ms -> ideal 100
        for (int i = 0; i < 20; i++) {
            int n = b.currentTargetSize();
            b.onBatchProcessed(n, n);
        }
        assertThat(b.currentTargetSize()).isBetween(80, 120);
    }

    @Test
    void adaptiveStaysWithinBounds() {
        AdaptiveSizeBatcher<Integer> b = new AdaptiveSizeBatcher<>(10, 50, 100, 1000);
        for (int i = 0; i < 20; i++) {
            b.onBatchProcessed(b.currentTargetSize(), 0);
        }
        assertThat(b.currentTargetSize()).isEqualTo(50);
        for (int i = 0; i < 20; i++) {
            b.onBatchProcessed(b.currentTargetSize(), 100_000);
        }
        assertThat(b.currentTargetSize()).isEqualTo(10);
    }

    private static int runBatch(AdaptiveSizeBatcher<Integer> b) {
        int i = 0;
        while (!b.add(i++, 0)) {
            // fill until the size trigger fires
        }
        int n = b.drain().size();
        assertThat(n).isEqualTo(i);
        return n;
    }

    @Test
    void lowLatencyEagerFlushesWhenThreadIsFree() {
        Batcher<Integer> b = new LowLatencyBatcher<>(5, 1000, 10, true);
        assertThat(b.add(1, 100)).isFalse();
        assertThat(b.flushDeadline()).as("deadline = now").isEqualTo(100);
        assertThat(b.add(2, 100)).isFalse();
        assertThat(b.add(3, 101)).as("the thread moved on: flush").isTrue();
    }

    @Test
    void lowLatencyWaitAndMaxSize() {
        Batcher<Integer> b = new LowLatencyBatcher<>(3, 1000, 10, false);
        assertThat(b.add(1, 100)).isFalse();
        assertThat(b.flushDeadline()).isEqualTo(110);
        assertThat(b.add(2, 105)).isFalse();
        assertThat(b.add(3, 106)).isTrue();
        Batcher<Integer> one = new LowLatencyBatcher<>(1, 1000, 1, true);
        assertThat(one.add(1, 0)).isTrue();
    }

    @Test
    void megaBatchReusesRingArrays() {
        MegaBatchBatcher<Integer> b = new MegaBatchBatcher<>(3, 1000, 100, true);
        Object[][] seen = new Object[4][];
        for (int round = 0; round < 4; round++) {
            assertThat(b.add(round * 10, 0)).isFalse();
            assertThat(b.add(round * 10 + 1, 0)).isFalse();
            assertThat(b.add(round * 10 + 2, 0)).isTrue();
            List<Integer> batch = b.drain();
            assertThat(batch).containsExactly(round * 10, round * 10 + 1, round * 10 + 2);
            seen[round] = MegaBatchBatcher.backingArrayOf(batch);
            assertThat(seen[round]).isNotNull();
        }
        // one array for every batch: each drained view is done with before the next add
        assertThat(seen[1]).isSameAs(seen[0]);
        assertThat(seen[2]).isSameAs(seen[0]);
        assertThat(seen[3]).isSameAs(seen[0]);
    }

    @Test
    void megaBatchPartialDrainAndTimeout() {
        MegaBatchBatcher<Integer> b = new MegaBatchBatcher<>(100, 1000, 100, true);
        assertThat(b.add(1, 50)).isFalse();
        assertThat(b.flushDeadline()).isEqualTo(150);
        List<Integer> batch = b.drain();
        assertThat(batch).containsExactly(1);
        assertThat(b.flushDeadline()).isEqualTo(Long.MAX_VALUE);
        MegaBatchBatcher<Integer> plain = new MegaBatchBatcher<>(2, 1000, 100, false);
        plain.add(1, 0);
        plain.add(2, 0);
        assertThat(MegaBatchBatcher.backingArrayOf(plain.drain())).isNull();
    }

    @Test
    void factoryCreatesEveryStrategy() {
        assertThat(Batchers.<Integer>create(BatchConfig.defaults(), null))
                .isInstanceOf(FixedSizeBatcher.class);
        assertThat(Batchers.<Integer>create(BatchConfig.disabled(), null))
                .isInstanceOf(PassThroughBatcher.class);
        assertThat(create(new BatchStrategy.TimeWindow(Duration.ofSeconds(1))))
                .isInstanceOf(TimeWindowBatcher.class);
        assertThat(create(new BatchStrategy.MemoryBased(1024)))
                .isInstanceOf(MemoryBasedBatcher.class);
        assertThat(create(new BatchStrategy.AdaptiveSize(10, 100, Duration.ofMillis(50))))
                .isInstanceOf(AdaptiveSizeBatcher.class);
        assertThat(create(new BatchStrategy.LowLatency(1, Duration.ofMillis(1), true)))
                .isInstanceOf(LowLatencyBatcher.class);
        assertThat(create(new BatchStrategy.MegaBatch(10, true, true)))
                .isInstanceOf(MegaBatchBatcher.class);
        Batcher<Integer> capped =
                Batchers.create(
                        BatchConfig.builder()
                                .strategy(new BatchStrategy.MegaBatch(50_000, true, true))
                                .maxBatchSize(2)
                                .build(),
                        null);
        assertThat(((MegaBatchBatcher<Integer>) capped).batchSize()).isEqualTo(2);
        Batcher<Integer> pass = Batchers.create(BatchConfig.disabled(), null);
        assertThat(pass.add(7, 0)).isTrue();
        assertThat(pass.drain()).containsExactly(7);
    }

    private static Batcher<Integer> create(BatchStrategy s) {
        return Batchers.create(BatchConfig.builder().strategy(s).build(), null);
    }
}
