package dev.velo.flink.batching.internal.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

/** The shared timestamp state of a batch and its move to columns. */
class BatchTimestampsTest {

    private static final long NONE = Long.MAX_VALUE;

    /** The timestamp of position i as a record leaving the batch carries it (NONE: none). */
    private static long at(BatchTimestamps t, int i) {
        StreamRecord<String> r = t.fill(new StreamRecord<>("old", 99L), "v", i);
        assertThat(r.getValue()).isEqualTo("v");
        return r.hasTimestamp() ? r.getTimestamp() : NONE;
    }

    @Test
    void recordsOfASourceWithoutAssignerShareOneState() {
        BatchTimestamps t = new BatchTimestamps();
        for (int i = 0; i < 1000; i++) {
            // what Flink's source output sets without a timestamp assigner
            t.record(i, new StreamRecord<>("x", Long.MIN_VALUE));
        }
        assertThat(t.uniform()).isTrue();
        assertThat(t.sharedHas()).isTrue();
        assertThat(t.sharedTimestamp()).isEqualTo(Long.MIN_VALUE);
        assertThat(at(t, 0)).isEqualTo(Long.MIN_VALUE);
        assertThat(at(t, 999)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void recordsWithoutTimestampLeaveWithout() {
        BatchTimestamps t = new BatchTimestamps();
        t.record(0, new StreamRecord<>("x"));
        t.record(1, new StreamRecord<>("y"));
        assertThat(t.uniform()).isTrue();
        assertThat(t.sharedHas()).isFalse();
        assertThat(at(t, 1)).as("an earlier timestamp on the holder is erased").isEqualTo(NONE);
    }

    @Test
    void theFirstDifferentRecordMovesTheBatchToColumnsKeepingEveryEarlierPosition() {
        BatchTimestamps t = new BatchTimestamps();
        for (int i = 0; i < 100; i++) {
            t.record(i, new StreamRecord<>("x", 5L));
        }
        t.record(100, new StreamRecord<>("y"));
        t.record(101, new StreamRecord<>("z", 5L));
        t.record(102, new StreamRecord<>("w", 6L));
        assertThat(t.uniform()).isFalse();
        assertThat(at(t, 0)).isEqualTo(5L);
        assertThat(at(t, 99)).isEqualTo(5L);
        assertThat(at(t, 100)).isEqualTo(NONE);
        assertThat(at(t, 101)).isEqualTo(5L);
        assertThat(at(t, 102)).isEqualTo(6L);

        // the next batch starts shared again; stale column entries do not leak into it
        t.record(0, new StreamRecord<>("a", 7L));
        t.record(1, new StreamRecord<>("b", 7L));
        assertThat(t.uniform()).isTrue();
        assertThat(at(t, 1)).isEqualTo(7L);
        t.record(2, new StreamRecord<>("c", 8L));
        assertThat(at(t, 0)).isEqualTo(7L);
        assertThat(at(t, 1)).isEqualTo(7L);
        assertThat(at(t, 2)).isEqualTo(8L);
    }

    @Test
    void aTimestampNoneAndMinValueAreNotTheSameState() {
        BatchTimestamps t = new BatchTimestamps();
        t.record(0, new StreamRecord<>("x"));
        t.record(1, new StreamRecord<>("y", Long.MIN_VALUE));
        assertThat(t.uniform()).isFalse();
        assertThat(at(t, 0)).isEqualTo(NONE);
        assertThat(at(t, 1)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void keptRecordsMoveToTheFrontInBothStates() {
        BatchTimestamps shared = new BatchTimestamps();
        shared.record(0, new StreamRecord<>("a", 3L));
        shared.record(1, new StreamRecord<>("b", 3L));
        shared.record(2, new StreamRecord<>("c", 3L));
        shared.keep(2, 1);
        shared.record(1, new StreamRecord<>("d", 4L));
        assertThat(at(shared, 0)).as("the kept record keeps the shared timestamp").isEqualTo(3L);
        assertThat(at(shared, 1)).isEqualTo(4L);

        BatchTimestamps columns = new BatchTimestamps();
        columns.record(0, new StreamRecord<>("a", 1L));
        columns.record(1, new StreamRecord<>("b", 2L));
        columns.record(2, new StreamRecord<>("c", 3L));
        columns.keep(2, 1);
        columns.record(1, new StreamRecord<>("d", 4L));
        assertThat(at(columns, 0)).isEqualTo(3L);
        assertThat(at(columns, 1)).isEqualTo(4L);
    }

    @Test
    void columnsGrowForALargeBatch() {
        BatchTimestamps t = new BatchTimestamps();
        for (int i = 0; i < 10_000; i++) {
            t.record(i, new StreamRecord<>("x", (long) i));
        }
        assertThat(at(t, 0)).isEqualTo(0L);
        assertThat(at(t, 64)).isEqualTo(64L);
        assertThat(at(t, 9_999)).isEqualTo(9_999L);
    }
}
