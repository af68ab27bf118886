package dev.velo.flink.batching.internal.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

/** {@link RecordHolderPool}: its size per strategy and the reuse of its holders. */
class RecordHolderPoolTest {

    @Test
    void theSizeIsOneBatchCappedUnlessMegaBatchReusesItsBuffer() {
        assertThat(RecordHolderPool.size(BatchConfig.disabled())).isEqualTo(1);
        assertThat(
                        RecordHolderPool.size(
                                BatchConfig.builder()
                                        .strategy(new BatchStrategy.FixedSize(10))
                                        .maxBatchSize(10)
                                        .build()))
                .isEqualTo(10);
        assertThat(
                        RecordHolderPool.size(
                                BatchConfig.builder()
                                        .strategy(new BatchStrategy.FixedSize(100_000))
                                        .maxBatchSize(100_000)
                                        .build()))
                .isEqualTo(RecordHolderPool.MAX_POOLED);
        assertThat(
                        RecordHolderPool.size(
                                BatchConfig.builder()
                                        .strategy(new BatchStrategy.MegaBatch(50_000, false, true))
                                        .maxBatchSize(100_000)
                                        .build()))
                .isEqualTo(50_000);
    }

    @Test
    void aPositionReusesItsHolderWithTheNewValueAndTimestamp() {
        RecordHolderPool<String> pool =
                new RecordHolderPool<>(
                        BatchConfig.builder()
                                .strategy(new BatchStrategy.FixedSize(2))
                                .maxBatchSize(2)
                                .build());
        StreamRecord<String> first = pool.holderFor("a", new StreamRecord<>("x", 7L), 0);
        assertThat(first.getValue()).isEqualTo("a");
        assertThat(first.getTimestamp()).isEqualTo(7L);

        StreamRecord<String> again = pool.holderFor("b", new StreamRecord<>("y"), 0);
        assertThat(again).isSameAs(first);
        assertThat(again.getValue()).isEqualTo("b");
        assertThat(again.hasTimestamp()).isFalse();

        // beyond the pool: a fresh holder each time
        StreamRecord<String> beyond = pool.holderFor("c", new StreamRecord<>("z", 9L), 2);
        assertThat(pool.holderFor("c", new StreamRecord<>("z", 9L), 2)).isNotSameAs(beyond);
        assertThat(beyond.getTimestamp()).isEqualTo(9L);
    }
}
