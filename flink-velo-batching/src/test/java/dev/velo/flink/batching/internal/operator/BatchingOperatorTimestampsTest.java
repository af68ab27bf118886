package dev.velo.flink.batching.internal.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.internal.metrics.FlushReason;
import dev.velo.flink.batching.operator.RecordFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * The timestamps of buffered records: the operator keeps them beside the values (no StreamRecord
 * holder per buffered record) and every record must still leave with its own timestamp, or none.
 */
class BatchingOperatorTimestampsTest {

    private static final long NONE = -1L;

    /** Stands for a chained downstream operator that sets a timestamp on what it receives. */
    private static final class StampingDownstream<T> implements Output<StreamRecord<T>> {
        final List<T> values = new ArrayList<>();
        final List<Long> timestamps = new ArrayList<>();
        final Set<StreamRecord<T>> instances = Collections.newSetFromMap(new IdentityHashMap<>());
        final List<Long> watermarks = new ArrayList<>();

        @Override
        public void collect(StreamRecord<T> record) {
            values.add(record.getValue());
            timestamps.add(record.hasTimestamp() ? record.getTimestamp() : NONE);
            instances.add(record);
            // as TimestampsAndWatermarksOperator does with the record it is handed
            record.setTimestamp(999);
        }

        @Override
        public <X> void collect(OutputTag<X> tag, StreamRecord<X> record) {}

        @Override
        public void emitWatermark(Watermark mark) {
            watermarks.add(mark.getTimestamp());
        }

        @Override
        public void emitWatermarkStatus(WatermarkStatus status) {}

        @Override
        public void emitLatencyMarker(LatencyMarker marker) {}

        @Override
        public void emitRecordAttributes(RecordAttributes attributes) {}

        @Override
        public void emitWatermark(WatermarkEvent event) {}

        @Override
        public void close() {}
    }

    private static BatchConfig fixed(int size) {
        return BatchConfig.builder()
                .strategy(new BatchStrategy.FixedSize(size))
                .batchTimeout(Duration.ofMillis(1000))
                .build();
    }

    @Test
    void aPassThroughBatchLeavesInOneReusedRecordWithEachRecordsOwnTimestamp() throws Exception {
        StampingDownstream<Integer> downstream = new StampingDownstream<>();
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h =
                new OneInputStreamOperatorTestHarness<>(
                        BatchingOperator.passThrough(fixed(4), FailureConfig.defaults(), "t"))) {
            h.setOutputCreator(serializer -> downstream);
            h.open();
            // a batch without timestamps: the downstream's stamp must not stick to the next one
            for (int i = 1; i <= 4; i++) {
                h.processElement(new StreamRecord<>(i));
            }
            // then timestamps arrive, mixed with records without
            h.processElement(5, 105);
            h.processElement(new StreamRecord<>(6));
            h.processElement(7, Long.MIN_VALUE);
            h.processElement(new StreamRecord<>(8));
            h.processElement(new StreamRecord<>(9));
            h.processElement(10, 110);
            h.endInput();
            assertThat(downstream.values).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
            assertThat(downstream.timestamps)
                    .containsExactly(
                            NONE, NONE, NONE, NONE, 105L, NONE, Long.MIN_VALUE, NONE, NONE, 110L);
            assertThat(downstream.instances).as("one StreamRecord for every record").hasSize(1);
        }
    }

    /**
     * A batch the size ends leaves from {@code processElement}'s own loop when its records share
     * one timestamp state, and through the flush otherwise: both leave in the same record, each
     * record with its own timestamp, and count the same (records in and out, batches, flush
     * reasons, the batch size, the watermark released).
     */
    @Test
    void aBatchTheSizeEndsLeavesAsAFlushedOneDoes() throws Exception {
        StampingDownstream<Integer> downstream = new StampingDownstream<>();
        BatchingOperator<Integer, Integer> op =
                BatchingOperator.passThrough(fixed(3), FailureConfig.defaults(), "t");
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h =
                new OneInputStreamOperatorTestHarness<>(op)) {
            h.setOutputCreator(serializer -> downstream);
            h.open();
            // one shared timestamp, then none: both leave from processElement
            for (int i = 1; i <= 3; i++) {
                h.processElement(i, 50);
            }
            h.processElement(new StreamRecord<>(4));
            h.processWatermark(new Watermark(40));
            assertThat(downstream.watermarks).as("held while 4 is buffered").isEmpty();
            h.processElement(new StreamRecord<>(5));
            h.processElement(new StreamRecord<>(6));
            assertThat(downstream.watermarks).as("released once 4 left").containsExactly(40L);
            // mixed: through the flush
            h.processElement(7, 70);
            h.processElement(new StreamRecord<>(8));
            h.processElement(9, 90);
            // a shared timestamp again, ended by the end of input
            h.processElement(10, 100);
            h.processElement(11, 100);
            assertThat(downstream.values).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
            h.endInput();
            assertThat(downstream.values).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
            assertThat(downstream.timestamps)
                    .containsExactly(50L, 50L, 50L, NONE, NONE, NONE, 70L, NONE, 90L, 100L, 100L);
            assertThat(downstream.instances).as("one StreamRecord for every record").hasSize(1);
            assertThat(op.metrics().numRecordsIn().getCount()).isEqualTo(11);
            assertThat(op.metrics().numRecordsOut().getCount()).isEqualTo(11);
            assertThat(op.metrics().numBatches().getCount()).isEqualTo(4);
            assertThat(op.metrics().numFlushes(FlushReason.SIZE)).isEqualTo(3);
            assertThat(op.metrics().numFlushes(FlushReason.END_OF_INPUT)).isEqualTo(1);
            assertThat(op.metrics().batchSize().getStatistics().getMax()).isEqualTo(3);
            assertThat(op.metrics().batchSize().getStatistics().getMin()).isEqualTo(2);
            assertThat(op.bufferedRecords()).isZero();
        }
    }

    /**
     * memory_based keeps a record over the budget that arrives at a non-empty buffer for the next
     * batch: it must leave once, in order, with its own timestamp, and the records after it too
     * (holders pooled by arrival position once lost the record that followed it).
     */
    @Test
    void aTimestampFollowsTheRecordMemoryBasedHoldsForTheNextBatch() throws Exception {
        RecordFunction<String, String> identity = (s, out) -> out.collect(s);
        for (boolean withFunction : new boolean[] {false, true}) {
            BatchConfig cfg =
                    BatchConfig.builder()
                            .strategy(new BatchStrategy.MemoryBased(100))
                            .batchTimeout(Duration.ofMillis(1000))
                            .build();
            BatchingOperatorBuilder<String, String> b =
                    BatchingOperator.<String, String>builder(cfg, FailureConfig.defaults())
                            .tableName("t")
                            .estimator(String::length);
            if (withFunction) {
                b.recordFunction(identity);
            }
            String big = "x".repeat(200);
            StampingDownstream<String> downstream = new StampingDownstream<>();
            try (OneInputStreamOperatorTestHarness<String, String> h =
                    new OneInputStreamOperatorTestHarness<>(b.build())) {
                h.setOutputCreator(serializer -> downstream);
                h.setProcessingTime(0);
                h.open();
                h.processElement("a", 1);
                h.processElement("b", 2);
                // over the budget on its own: a and b go first, big is kept as the next batch
                h.processElement(big, 3);
                assertThat(downstream.values).as("function %s", withFunction).hasSize(2);
                h.processElement(new StreamRecord<>("c"));
                h.processElement("d", 5);
                h.endInput();
                assertThat(downstream.values)
                        .as("function %s", withFunction)
                        .containsExactly("a", "b", big, "c", "d");
                assertThat(downstream.timestamps)
                        .as("function %s", withFunction)
                        .containsExactly(1L, 2L, 3L, NONE, 5L);
            }
        }
    }
}
