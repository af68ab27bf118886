package dev.velo.flink.batching.internal.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.failure.VeloFailureRatioExceededException;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FailureRatioGuardTest {

    private final List<DeadLetter> dlq = new ArrayList<>();
    private final VeloMetrics metrics = VeloMetrics.inMemory();
    private long now = 1_000_000;

    private FailureHandler<Integer> handler(FailureConfig config) {
        return new FailureHandler<>(
                config,
                "orders",
                DeadLetter.SIDE_SOURCE,
                null,
                dlq::add,
                metrics,
                millis -> {},
                () -> now);
    }

    private static FailureConfig guarded(long minRecords) {
        return FailureConfig.builder()
                .strategy(FailureStrategy.SEND_TO_DLQ)
                .maxFailureRatio(0.05)
                .failureRatioMinRecords(minRecords)
                .build();
    }

    /** Feeds rows 0..n-1 one per batch (as guarded decoding does); the listed rows fail. */
    private int feed(FailureHandler<Integer> h, int n, Set<Integer> bad) throws Exception {
        int passed = 0;
        for (int i = 0; i < n; i++) {
            now += 1;
            passed +=
                    h.process(
                            i,
                            List.of(i),
                            new BatchProcessor<>() {
                                @Override
                                public void processRecord(Integer row) {
                                    if (bad.contains(row)) {
                                        throw new IllegalArgumentException("bad row " + row);
                                    }
                                }

                                @Override
                                public void finishBatch() {}
                            });
        }
        return passed;
    }

    @Test
    void threeBadRowsFirstAmong500DoNotTripFivePercent() throws Exception {
        // the worst place for them: the very first rows, where the share starts at 100 %
        assertThat(feed(handler(guarded(100)), 500, Set.of(0, 1, 2))).isEqualTo(497);
        assertThat(dlq).hasSize(3);
        assertThat(metrics.numRecordsDeadLettered().getCount()).isEqualTo(3);
    }

    @Test
    void withoutAMinimumSampleTheFirstBadRowTrips() {
        // the behaviour the minimum prevents: a restart would re-read row 0 and trip again
        assertThatThrownBy(() -> feed(handler(guarded(1)), 500, Set.of(0, 1, 2)))
                .isInstanceOf(VeloFailureRatioExceededException.class)
                .hasMessageContaining("100.00%");
    }

    @Test
    void aBrokenInputStillTripsOnceTheMinimumIsReached() throws Exception {
        FailureHandler<Integer> h = handler(guarded(100));
        Set<Integer> everyTenth = new java.util.HashSet<>();
        for (int i = 0; i < 500; i += 10) {
            everyTenth.add(i);
        }
        assertThatThrownBy(() -> feed(h, 500, everyTenth))
                .isInstanceOf(VeloFailureRatioExceededException.class)
                .hasMessageContaining("'orders'")
                .hasMessageContaining("at least 100 records")
                .hasMessageContaining("max_failure_ratio 5.00%");
        // it tripped when the window first held 100 records, not before and not later
        assertThat(dlq).hasSize(10);
    }

    @Test
    void theMinimumCountsTheWindowNotTheLifetime() {
        FailureRatioGuard g = new FailureRatioGuard(0.05, 1_000, 100);
        assertThat(g.record(99, 99, 0)).as("below the minimum").isEqualTo(-1);
        assertThat(g.record(1, 0, 10)).isGreaterThan(0.05);
        // later, the old records fell out of the window: 50 fresh ones are below the minimum again
        assertThat(g.record(50, 50, 5_000)).isEqualTo(-1);
        assertThat(g.record(50, 0, 5_010)).isEqualTo(0.5);
    }

    @Test
    void defaultsAreAMinimumOf100AndAOneMinuteWindow() {
        FailureConfig config = FailureConfig.builder().maxFailureRatio(0.1).build();
        assertThat(config.failureRatioMinRecords()).isEqualTo(100);
        assertThat(config.failureRatioWindow()).isEqualTo(Duration.ofMinutes(1));
    }
}
