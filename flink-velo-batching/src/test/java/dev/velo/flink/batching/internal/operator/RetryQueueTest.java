package dev.velo.flink.batching.internal.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.internal.failure.Sleeper;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamElement;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RetryQueue} on a manual processing-time clock. */
class RetryQueueTest {

    private final TestProcessingTimeService time = new TestProcessingTimeService();
    private final List<String> runs = new ArrayList<>();
    private final List<Long> sleeps = new ArrayList<>();
    private int retriesCounted;
    private int drains;
    private RetryQueue<Integer> queue;
    // the batch the runner sends back for a retry (once), as a failing retriable batch would
    private List<Integer> failAgain = List.of();

    @BeforeEach
    void setUp() throws Exception {
        time.setCurrentTime(0);
        queue = new RetryQueue<>();
        Sleeper sleeper = sleeps::add;
        queue.open(
                time,
                sleeper,
                new RetryQueue.Runner<>() {
                    @Override
                    public void run(List<StreamRecord<Integer>> batch, int retriesDone) {
                        List<Integer> values = values(batch);
                        runs.add(retriesDone + ":" + values);
                        if (values.equals(failAgain)) {
                            failAgain = List.of();
                            queue.retryLater(
                                    batch, retriesDone + 1, time.getCurrentProcessingTime() + 50);
                        }
                    }

                    @Override
                    public void countRetries(int records) {
                        retriesCounted += records;
                    }
                },
                () -> drains++);
    }

    private static List<StreamRecord<Integer>> records(int... values) {
        List<StreamRecord<Integer>> out = new ArrayList<>();
        for (int v : values) {
            out.add(new StreamRecord<>(v, 1000L + v));
        }
        return out;
    }

    private static List<Integer> values(List<StreamRecord<Integer>> batch) {
        return batch.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    @Test
    void theRetryBatchRunsAtItsDeadlineThenTheBatchesBehindItInOrder() throws Exception {
        queue.retryLater(records(1, 2), 1, 100);
        queue.enqueue(records(3));
        queue.enqueue(records(4, 5));
        assertThat(queue.isPending()).isTrue();
        assertThat(queue.queuedRecords()).isEqualTo(3);
        assertThat(queue.recordsAwaitingRetry()).isEqualTo(5);

        time.setCurrentTime(99);
        assertThat(runs).isEmpty();

        time.setCurrentTime(100);
        assertThat(runs).containsExactly("1:[1, 2]", "0:[3]", "0:[4, 5]");
        assertThat(retriesCounted).isEqualTo(2);
        assertThat(drains).isEqualTo(1);
        assertThat(queue.isPending()).isFalse();
        assertThat(queue.recordsAwaitingRetry()).isZero();
    }

    @Test
    void aBatchBehindThatFailsAgainStopsTheQueueUntilItsOwnRetry() throws Exception {
        failAgain = List.of(3);
        queue.retryLater(records(1), 1, 100);
        queue.enqueue(records(3));
        queue.enqueue(records(4));

        time.setCurrentTime(100);
        assertThat(runs).containsExactly("1:[1]", "0:[3]");
        assertThat(queue.isPending()).isTrue();
        assertThat(queue.recordsAwaitingRetry()).isEqualTo(2);
        assertThat(drains).isZero();

        time.setCurrentTime(150);
        assertThat(runs).containsExactly("1:[1]", "0:[3]", "1:[3]", "0:[4]");
        assertThat(drains).isEqualTo(1);
    }

    @Test
    void theStateEntriesAreTheRetryBatchWithItsAttemptThenTheRecordsBehindWithZero() {
        queue.retryLater(records(1, 2), 3, 100);
        queue.enqueue(records(7));
        List<Tuple2<Integer, StreamElement>> entries = queue.entries();
        assertThat(entries).extracting(e -> e.f0).containsExactly(3, 3, 0);
        assertThat(entries)
                .extracting(e -> e.f1.<Integer>asRecord().getValue())
                .containsExactly(1, 2, 7);
        assertThat(entries)
                .extracting(e -> e.f1.<Integer>asRecord().getTimestamp())
                .containsExactly(1001L, 1002L, 1007L);
    }

    @Test
    void keptRecordsDoNotShareTheHoldersOfTheFlush() {
        StreamRecord<Integer> holder = new StreamRecord<>(1, 5L);
        queue.enqueue(List.of(holder));
        holder.replace(9, 6L);
        StreamRecord<Integer> kept = queue.entries().get(0).f1.asRecord();
        assertThat(kept.getValue()).isEqualTo(1);
        assertThat(kept.getTimestamp()).isEqualTo(5L);
    }

    @Test
    void awaitRetriesOnTheCallingThreadOnceTheDeadlineHasPassed() throws Exception {
        time.setCurrentTime(10);
        queue.retryLater(records(1), 1, 100);
        queue.enqueue(records(2));

        queue.await();

        assertThat(sleeps).containsExactly(90L);
        assertThat(runs).containsExactly("1:[1]", "0:[2]");
        assertThat(queue.isPending()).isFalse();
        // the timer was cancelled: it does not run the (empty) queue again
        time.setCurrentTime(100);
        assertThat(runs).hasSize(2);
        assertThat(drains).isEqualTo(1);
    }

    /**
     * The layout of the operator state {@value RetryQueue#STATE_NAME}: savepoints taken before must
     * restore, so the bytes of an entry must not change.
     */
    @Test
    void theStateEntryLayoutIsStable() throws Exception {
        TypeSerializer<Tuple2<Integer, StreamElement>> s =
                RetryQueue.entrySerializer(IntSerializer.INSTANCE);
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(Tuple2.of(2, new StreamRecord<>(7, 100L)), out);
        s.serialize(Tuple2.of(0, new StreamRecord<>(8)), out);
        assertThat(HexFormat.of().formatHex(out.getCopyOfBuffer()))
                .isEqualTo(
                        // attempt 2, record with timestamp 100, value 7
                        "00000002"
                                + "00"
                                + "0000000000000064"
                                + "00000007"
                                // attempt 0, record without timestamp, value 8
                                + "00000000"
                                + "01"
                                + "00000008");
        assertThat(RetryQueue.STATE_NAME).isEqualTo("velo-retry-queue");
        assertThat(BatchingOperator.RETRY_STATE).isEqualTo(RetryQueue.STATE_NAME);
    }
}
