package dev.velo.flink.batching.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.metrics.HistogramStatistics;
import org.junit.jupiter.api.Test;

class BatchSizeHistogramTest {

    @Test
    void statisticsOfTheSizesSoFar() {
        BatchSizeHistogram h = new BatchSizeHistogram(8);
        assertThat(h.getCount()).isZero();
        assertThat(h.getStatistics().size()).isZero();
        h.update(100);
        h.update(100);
        h.update(40);
        HistogramStatistics s = h.getStatistics();
        assertThat(h.getCount()).isEqualTo(3);
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.getMin()).isEqualTo(40);
        assertThat(s.getMax()).isEqualTo(100);
        assertThat(s.getMean()).isEqualTo(80.0);
        assertThat(s.getQuantile(0.5)).isEqualTo(100.0);
    }

    @Test
    void keepsTheLatestWindowAndCountsEveryUpdate() {
        BatchSizeHistogram h = new BatchSizeHistogram(4);
        for (int i = 1; i <= 10; i++) {
            h.update(i);
        }
        assertThat(h.getCount()).isEqualTo(10);
        HistogramStatistics s = h.getStatistics();
        assertThat(s.size()).isEqualTo(4);
        assertThat(s.getValues()).containsExactlyInAnyOrder(7, 8, 9, 10);
    }

    @Test
    void theWindowIsAPowerOfTwo() {
        assertThatThrownBy(() -> new BatchSizeHistogram(1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two, got 1000");
    }

    @Test
    void aReporterReadingWhileTheTaskWritesSeesOnlySizesThatWereWritten() throws Exception {
        BatchSizeHistogram h = new BatchSizeHistogram(64);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> wrong = new AtomicReference<>();
        Thread reporter =
                new Thread(
                        () -> {
                            while (!done.get()) {
                                for (long v : h.getStatistics().getValues()) {
                                    if (v != 100 && v != 7) {
                                        wrong.set("read " + v);
                                    }
                                }
                            }
                        });
        reporter.start();
        for (int i = 0; i < 2_000_000; i++) {
            h.update(i % 2 == 0 ? 100 : 7);
        }
        done.set(true);
        reporter.join(10_000);
        assertThat(reporter.isAlive()).isFalse();
        assertThat(wrong.get()).isNull();
        assertThat(h.getCount()).isEqualTo(2_000_000);
    }
}
