package dev.velo.flink.batching.internal.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import java.util.List;
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
        BatchTimestamps timestamps = new BatchTimestamps();
        timestamps.record(0, new StreamRecord<>("x", 7L));
        timestamps.record(1, new StreamRecord<>("y"));
        List<StreamRecord<String>> first = pool.wrap(List.of("a", "b"), timestamps);
        assertThat(first).extracting(StreamRecord::getValue).containsExactly("a", "b");
        assertThat(first.get(0).getTimestamp()).isEqualTo(7L);
        assertThat(first.get(1).hasTimestamp()).isFalse();

        timestamps.record(0, new StreamRecord<>("z"));
        timestamps.record(1, new StreamRecord<>("w", 8L));
        timestamps.record(2, new StreamRecord<>("v", 9L));
        List<StreamRecord<String>> again = pool.wrap(List.of("c", "d", "e"), timestamps);
        assertThat(again.get(0)).isSameAs(first.get(0));
        assertThat(again.get(1)).isSameAs(first.get(1));
        assertThat(again).extracting(StreamRecord::getValue).containsExactly("c", "d", "e");
        assertThat(again.get(0).hasTimestamp()).isFalse();
        assertThat(again.get(1).getTimestamp()).isEqualTo(8L);
        // beyond the pool: a fresh holder each time
        assertThat(again.get(2).getTimestamp()).isEqualTo(9L);
        assertThat(pool.wrap(List.of("c", "d", "e"), timestamps).get(2)).isNotSameAs(again.get(2));
    }
}
