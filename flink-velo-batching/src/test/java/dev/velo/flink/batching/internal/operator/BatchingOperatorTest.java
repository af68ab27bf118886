package dev.velo.flink.batching.internal.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.failure.VeloBatchFailedException;
import dev.velo.flink.batching.internal.metrics.FlushReason;
import dev.velo.flink.batching.operator.BatchFunction;
import dev.velo.flink.batching.operator.RecordFunction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.java.tuple.Tuple1;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/** {@link BatchingOperator} in a test harness with a controlled processing-time clock. */
class BatchingOperatorTest {

    private static BatchConfig fixed(int size, long timeoutMs) {
        return BatchConfig.builder()
                .strategy(new BatchStrategy.FixedSize(size))
                .batchTimeout(Duration.ofMillis(timeoutMs))
                .build();
    }

    /** An operator with one function (or none), as the tests need it. */
    private static <IN, OUT> BatchingOperator<IN, OUT> operator(
            BatchConfig batch,
            FailureConfig failure,
            String name,
            BatchFunction<IN, OUT> batchFunction,
            RecordFunction<IN, OUT> recordFunction) {
        BatchingOperatorBuilder<IN, OUT> b =
                BatchingOperator.<IN, OUT>builder(batch, failure).tableName(name);
        if (batchFunction != null) {
            b.batchFunction(batchFunction);
        }
        if (recordFunction != null) {
            b.recordFunction(recordFunction);
        }
        return b.build();
    }

    private static <T> OneInputStreamOperatorTestHarness<T, T> passThrough(BatchConfig cfg)
            throws Exception {
        OneInputStreamOperatorTestHarness<T, T> h =
                new OneInputStreamOperatorTestHarness<>(
                        BatchingOperator.passThrough(cfg, FailureConfig.defaults(), "t"));
        h.setProcessingTime(0);
        h.open();
        return h;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> values(OneInputStreamOperatorTestHarness<?, T> h) {
        return h.getOutput().stream()
                .filter(o -> o instanceof StreamRecord)
                .map(o -> ((StreamRecord<T>) o).getValue())
                .collect(Collectors.toList());
    }

    private static <IN, OUT> BatchingOperator<IN, OUT> op(
            OneInputStreamOperatorTestHarness<IN, OUT> h) {
        return (BatchingOperator<IN, OUT>) h.getOneInputOperator();
    }

    @Test
    void flushesBySizeInOrder() throws Exception {
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h = passThrough(fixed(3, 1000))) {
            h.processElement(1, 0);
            h.processElement(2, 0);
            assertThat(values(h)).isEmpty();
            h.processElement(3, 0);
            assertThat(values(h)).containsExactly(1, 2, 3);
            assertThat(op(h).metrics().numFlushes(FlushReason.SIZE)).isEqualTo(1);
            assertThat(op(h).bufferedRecords()).isZero();
        }
    }

    @Test
    void flushesByTimer() throws Exception {
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h = passThrough(fixed(100, 500))) {
            h.setProcessingTime(100);
            h.processElement(1, 0);
            h.setProcessingTime(300);
            h.processElement(2, 0);
            h.setProcessingTime(599);
            assertThat(values(h)).isEmpty();
            h.setProcessingTime(600);
            assertThat(values(h)).containsExactly(1, 2);
            assertThat(op(h).metrics().numFlushes(FlushReason.TIMER)).isEqualTo(1);
            assertThat(op(h).metrics().batchLatencyMs()).isEqualTo(500);
            // the next batch gets its own deadline
            h.processElement(3, 0);
            h.setProcessingTime(1099);
            assertThat(values(h)).hasSize(2);
            h.setProcessingTime(1100);
            assertThat(values(h)).containsExactly(1, 2, 3);
        }
    }

    @Test
    void timeWindowAndLowLatencyEager() throws Exception {
        BatchConfig window =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.TimeWindow(Duration.ofMillis(1000)))
                        .build();
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h = passThrough(window)) {
            for (int i = 0; i < 50; i++) {
                h.processElement(i, 0);
            }
            h.setProcessingTime(999);
            assertThat(values(h)).isEmpty();
            h.setProcessingTime(1000);
            assertThat(values(h)).hasSize(50);
        }
        BatchConfig eager =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.LowLatency(10, Duration.ofMillis(50), true))
                        .build();
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h = passThrough(eager)) {
            h.processElement(1, 0);
            h.processElement(2, 0);
            assertThat(values(h)).isEmpty();
            // no timer at "now" (Flink runs it 1 ms later at the earliest): a mail, which the task
            // runs as soon as its thread is free, before the next input
            assertThat(h.getProcessingTimeService().getNumActiveTimers()).isZero();
            assertThat(runMails(h)).isEqualTo(1);
            assertThat(values(h)).containsExactly(1, 2);
            assertThat(op(h).metrics().numFlushes(FlushReason.TIMER)).isEqualTo(1);
            // the next batch queues its own flush
            h.processElement(3, 0);
            assertThat(runMails(h)).isEqualTo(1);
            assertThat(values(h)).containsExactly(1, 2, 3);
        }
    }

    /** Runs the mails queued on the harness task's mailbox; returns how many ran. */
    private static int runMails(OneInputStreamOperatorTestHarness<?, ?> h) throws Exception {
        TaskMailbox mailbox = h.getTaskMailbox();
        int ran = 0;
        for (Optional<Mail> m = mailbox.tryTake(TaskMailbox.MIN_PRIORITY);
                m.isPresent();
                m = mailbox.tryTake(TaskMailbox.MIN_PRIORITY)) {
            m.get().run();
            ran++;
        }
        return ran;
    }

    @Test
    void eagerLowLatencyFlushesWithoutAProcessingTimeTimer() throws Exception {
        // a batch function sees whatever arrived before the task thread was free again
        BatchConfig eager =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.LowLatency(3, Duration.ofMillis(50), true))
                        .build();
        List<Integer> sizes = new ArrayList<>();
        BatchFunction<Integer, Integer> sizeOf =
                (batch, out) -> {
                    sizes.add(batch.size());
                    batch.forEach(out::collect);
                };
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h =
                new OneInputStreamOperatorTestHarness<>(
                        operator(eager, FailureConfig.defaults(), "t", sizeOf, null))) {
            h.setProcessingTime(0);
            h.open();
            h.processElement(1, 0);
            h.processElement(2, 0);
            runMails(h);
            h.processElement(3, 0);
            h.processElement(4, 0);
            h.processElement(5, 0); // size 3 reached: flushed at once
            h.processElement(6, 0);
            runMails(h);
            assertThat(values(h)).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(sizes).containsExactly(2, 3, 1);
            assertThat(h.getProcessingTimeService().getNumActiveTimers()).isZero();
        }
    }

    /**
     * Flink's outputs drop a watermark emitted while the announced status is IDLE. A watermark held
     * behind a batch must therefore leave before an IDLE status that arrives while it is held.
     */
    @Test
    void holdsAnIdleStatusUntilTheHeldWatermarkIsOut() throws Exception {
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h = passThrough(fixed(100, 500))) {
            h.processElement(1, 10);
            h.processWatermark(new Watermark(20));
            h.processWatermarkStatus(WatermarkStatus.IDLE);
            assertThat(h.getOutput()).isEmpty();
            h.setProcessingTime(500); // the batch's timer
            assertThat(new ArrayList<>(h.getOutput()))
                    .containsExactly(
                            new StreamRecord<>(1, 10), new Watermark(20), WatermarkStatus.IDLE);
            // with nothing held, statuses pass at once
            h.processWatermarkStatus(WatermarkStatus.ACTIVE);
            assertThat(new ArrayList<>(h.getOutput())).endsWith(WatermarkStatus.ACTIVE);
        }
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h = passThrough(fixed(100, 500))) {
            // IDLE then ACTIVE again while the watermark is held: downstream never goes idle
            h.processElement(1, 10);
            h.processWatermark(new Watermark(20));
            h.processWatermarkStatus(WatermarkStatus.IDLE);
            h.processWatermarkStatus(WatermarkStatus.ACTIVE);
            h.processElement(2, 30);
            h.endInput();
            assertThat(new ArrayList<>(h.getOutput()))
                    .containsExactly(
                            new StreamRecord<>(1, 10),
                            new StreamRecord<>(2, 30),
                            new Watermark(20));
        }
    }

    @Test
    void flushesBeforeSnapshotAndHoldsNoState() throws Exception {
        OperatorSubtaskState snapshot;
        List<Integer> before;
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h =
                passThrough(fixed(100, 10_000))) {
            h.processElement(1, 0);
            h.processElement(2, 0);
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 10);
            assertThat(values(h)).containsExactly(1, 2);
            assertThat(op(h).bufferedRecords()).isZero();
            assertThat(op(h).metrics().numFlushes(FlushReason.CHECKPOINT)).isEqualTo(1);
            h.processElement(3, 0); // after the checkpoint: lost with the task, replayed on restore
            before = values(h);
        }
        assertThat(snapshot.getManagedOperatorState()).isEmpty();
        assertThat(snapshot.getRawOperatorState()).isEmpty();
        assertThat(snapshot.getManagedKeyedState()).isEmpty();
        assertThat(snapshot.getRawKeyedState()).isEmpty();

        OneInputStreamOperatorTestHarness<Integer, Integer> restored =
                new OneInputStreamOperatorTestHarness<>(
                        BatchingOperator.passThrough(
                                fixed(100, 10_000), FailureConfig.defaults(), "t"));
        restored.setProcessingTime(0);
        restored.initializeState(snapshot);
        restored.open();
        restored.processElement(3, 0); // the source replays what followed the checkpoint
        restored.endInput();
        List<Integer> all = new ArrayList<>(before);
        all.addAll(values(restored));
        assertThat(all).containsExactly(1, 2, 3);
        restored.close();
    }

    @Test
    void flushesAtEndOfInput() throws Exception {
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h =
                passThrough(fixed(100, 10_000))) {
            h.processElement(1, 0);
            h.endInput();
            assertThat(values(h)).containsExactly(1);
            assertThat(op(h).metrics().numFlushes(FlushReason.END_OF_INPUT)).isEqualTo(1);
        }
    }

    @Test
    void holdsWatermarkUntilTheBatchIsFlushed() throws Exception {
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h =
                passThrough(fixed(2, 10_000))) {
            h.processWatermark(new Watermark(5));
            assertThat(h.getOutput()).containsExactly(new Watermark(5));
            h.processElement(1, 10);
            h.processWatermark(new Watermark(20));
            assertThat(h.getOutput()).hasSize(1);
            h.processElement(2, 11);
            assertThat(new ArrayList<>(h.getOutput()))
                    .containsExactly(
                            new Watermark(5),
                            new StreamRecord<>(1, 10),
                            new StreamRecord<>(2, 11),
                            new Watermark(20));
        }
    }

    @Test
    void batchFunctionGetsWholeBatch() throws Exception {
        BatchFunction<Integer, String> sum =
                (batch, out) -> out.collect("sum=" + batch.stream().mapToInt(i -> i).sum());
        try (OneInputStreamOperatorTestHarness<Integer, String> h =
                new OneInputStreamOperatorTestHarness<>(
                        operator(fixed(3, 1000), FailureConfig.defaults(), "t", sum, null))) {
            h.open();
            for (int i = 1; i <= 7; i++) {
                h.processElement(i, 0);
            }
            h.endInput();
            assertThat(values(h)).containsExactly("sum=6", "sum=15", "sum=7");
        }
    }

    @Test
    void recordFunctionFailuresGoToDeadLetterSideOutput() throws Exception {
        RecordFunction<Integer, Integer> fn =
                (x, out) -> {
                    out.collect(x * 10);
                    if (x % 3 == 0) {
                        throw new IllegalArgumentException("multiple of three: " + x);
                    }
                };
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h =
                new OneInputStreamOperatorTestHarness<>(
                        operator(
                                fixed(4, 1000),
                                FailureConfig.of(FailureStrategy.SEND_TO_DLQ),
                                "t",
                                null,
                                fn))) {
            h.open();
            for (int i = 1; i <= 8; i++) {
                h.processElement(i, 0);
            }
            h.endInput();
            assertThat(values(h)).containsExactly(10, 20, 40, 50, 70, 80);
            List<DeadLetter> dls =
                    h.getSideOutput(BatchingOperator.DEAD_LETTERS).stream()
                            .map(StreamRecord::getValue)
                            .collect(Collectors.toList());
            assertThat(dls)
                    .extracting(d -> new String(d.getPayload(), StandardCharsets.UTF_8))
                    .containsExactly("3", "6");
            assertThat(dls.get(0).getSide()).isEqualTo("process");
            assertThat(dls.get(0).getBatchId()).isNotEqualTo(dls.get(1).getBatchId());
            assertThat(op(h).metrics().numRecordsIn().getCount()).isEqualTo(8);
            assertThat(op(h).metrics().numRecordsOut().getCount()).isEqualTo(6);
            assertThat(op(h).metrics().numRecordsDeadLettered().getCount()).isEqualTo(2);
            assertThat(op(h).metrics().numBatches().getCount()).isEqualTo(2);
        }
    }

    @Test
    void failBatchFailsTheTask() throws Exception {
        RecordFunction<Integer, Integer> fn =
                (x, out) -> {
                    throw new IllegalStateException("boom");
                };
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h =
                new OneInputStreamOperatorTestHarness<>(
                        operator(fixed(1, 1000), FailureConfig.defaults(), "orders", null, fn))) {
            h.open();
            assertThatThrownBy(() -> h.processElement(1, 0))
                    .isInstanceOf(VeloBatchFailedException.class)
                    .hasMessageContaining("'orders'")
                    .hasMessageContaining("record index 0");
        }
    }

    @Test
    void copiesBufferedRecordsWhenObjectReuseIsOn() throws Exception {
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializer<Tuple1<Integer>> typed =
                (TypeSerializer)
                        Types.TUPLE(Types.INT).createSerializer(new SerializerConfigImpl());
        try (OneInputStreamOperatorTestHarness<Tuple1<Integer>, Tuple1<Integer>> h =
                new OneInputStreamOperatorTestHarness<>(
                        BatchingOperator.<Tuple1<Integer>>passThrough(
                                fixed(2, 1000), FailureConfig.defaults(), "t"),
                        typed)) {
            h.getExecutionConfig().enableObjectReuse();
            h.open();
            Tuple1<Integer> reused = Tuple1.of(1);
            h.processElement(reused, 0);
            reused.f0 = 2; // the runtime reuses the instance for the next record
            h.processElement(reused, 0);
            assertThat(values(h)).extracting(t -> t.f0).containsExactly(1, 2);
        }
    }

    @Test
    void megaBatchWithReusedBufferKeepsValuesAndTimestampsAcrossBatches() throws Exception {
        BatchConfig cfg =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.MegaBatch(3, false, true))
                        .batchTimeout(Duration.ofMillis(1000))
                        .build();
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h = passThrough(cfg)) {
            for (int i = 1; i <= 7; i++) {
                if (i % 2 == 0) {
                    h.processElement(new StreamRecord<>(i));
                } else {
                    h.processElement(i, 100 + i);
                }
            }
            assertThat(values(h)).containsExactly(1, 2, 3, 4, 5, 6);
            h.endInput();
            List<StreamRecord<?>> records = new ArrayList<>();
            h.getOutput().stream()
                    .filter(o -> o instanceof StreamRecord)
                    .forEach(o -> records.add((StreamRecord<?>) o));
            assertThat(records)
                    .extracting(r -> r.hasTimestamp() ? r.getTimestamp() : -1L)
                    .containsExactly(101L, -1L, 103L, -1L, 105L, -1L, 107L);
            assertThat(values(h)).containsExactly(1, 2, 3, 4, 5, 6, 7);
        }
    }

    @Test
    void keepsOneTimerAcrossSizeFlushesAndStillFlushesAtTheRealDeadline() throws Exception {
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h = passThrough(fixed(2, 1000))) {
            for (int i = 1; i <= 40; i++) {
                h.processElement(i, 0);
            }
            h.setProcessingTime(10);
            h.processElement(41, 0);
            assertThat(values(h)).hasSize(40);
            assertThat(h.getProcessingTimeService().getNumActiveTimers()).isEqualTo(1);
            // the timer of the first batch fires early for record 41 (deadline 1010) and re-arms
            h.setProcessingTime(1000);
            assertThat(values(h)).hasSize(40);
            assertThat(h.getProcessingTimeService().getNumActiveTimers()).isEqualTo(1);
            h.setProcessingTime(1010);
            assertThat(values(h)).hasSize(41).endsWith(41);
            assertThat(op(h).metrics().numFlushes(FlushReason.TIMER)).isEqualTo(1);
        }
    }

    /** An output that stands for a chained downstream operator: it throws on one value. */
    private static final class ThrowingDownstream<T> implements Output<StreamRecord<T>> {
        final List<T> values = new ArrayList<>();
        final T poison;

        ThrowingDownstream(T poison) {
            this.poison = poison;
        }

        @Override
        public void collect(StreamRecord<T> record) {
            if (poison.equals(record.getValue())) {
                throw new ArithmeticException("/ by zero");
            }
            values.add(record.getValue());
        }

        @Override
        public <X> void collect(OutputTag<X> tag, StreamRecord<X> record) {
            throw new AssertionError("nothing may be dead-lettered: " + record.getValue());
        }

        @Override
        public void emitWatermark(Watermark mark) {}

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

    private static final java.util.concurrent.atomic.AtomicInteger FAILURES_LEFT =
            new java.util.concurrent.atomic.AtomicInteger();

    private static FailureConfig retryAfter(Duration backoff) {
        return FailureConfig.builder()
                .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                .maxRetries(3)
                .retryBackoff(backoff)
                .retryBackoffMax(backoff)
                .retryJitter(0)
                .build();
    }

    /** Record 2 fails (retriably) while FAILURES_LEFT > 0. */
    private static OneInputStreamOperatorTestHarness<Integer, Integer> failingOnTwo(
            Duration backoff) throws Exception {
        RecordFunction<Integer, Integer> fn =
                (x, out) -> {
                    if (x == 2 && FAILURES_LEFT.getAndDecrement() > 0) {
                        throw new java.io.IOException("transient");
                    }
                    out.collect(x);
                };
        OneInputStreamOperatorTestHarness<Integer, Integer> h =
                new OneInputStreamOperatorTestHarness<>(
                        operator(fixed(3, 1000), retryAfter(backoff), "t", null, fn),
                        IntSerializer.INSTANCE);
        h.setProcessingTime(0);
        return h;
    }

    @Test
    void aRetryWaitsOnATimerWithLaterBatchesBehindItAndTheWatermarkHeld() throws Exception {
        FAILURES_LEFT.set(2);
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h =
                failingOnTwo(Duration.ofSeconds(30))) {
            h.open();
            h.processElement(1, 0);
            h.processElement(2, 0);
            h.processElement(3, 0);
            // the call returned: 1 and 3 went on, 2 waits for its retry
            assertThat(values(h)).containsExactly(1, 3);
            assertThat(op(h).recordsAwaitingRetry()).isEqualTo(1);
            h.processWatermark(new Watermark(5));
            h.processElement(4, 0);
            h.processElement(5, 0);
            h.processElement(6, 0);
            assertThat(values(h)).as("no batch overtakes the retry").containsExactly(1, 3);
            assertThat(op(h).recordsAwaitingRetry()).isEqualTo(4);
            h.setProcessingTime(29_999);
            assertThat(values(h)).containsExactly(1, 3);
            h.setProcessingTime(30_000);
            // retry 1 fails again: the next waits 30 s more (multiplier 1)
            assertThat(values(h)).containsExactly(1, 3);
            assertThat(op(h).metrics().numRetries().getCount()).isEqualTo(1);
            h.setProcessingTime(60_000);
            assertThat(values(h)).containsExactly(1, 3, 2, 4, 5, 6);
            assertThat(h.getOutput()).last().isEqualTo(new Watermark(5));
            assertThat(op(h).recordsAwaitingRetry()).isZero();
            assertThat(op(h).metrics().numRetries().getCount()).isEqualTo(2);
        }
    }

    @Test
    void aBatchWaitingForItsRetryIsCheckpointedAndRetriedFirstAfterARestore() throws Exception {
        FAILURES_LEFT.set(1);
        OperatorSubtaskState snapshot;
        // the harness's clock is set by hand; closing a harness finishes the operator, which waits
        // out the backoff in real time, so the backoff is short here
        Duration backoff = Duration.ofMillis(200);
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h = failingOnTwo(backoff)) {
            h.open();
            for (int i = 1; i <= 6; i++) {
                h.processElement(i, i);
            }
            h.processElement(7, 7);
            // the checkpoint does not wait for the retry: the queue goes into the state
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 10);
            assertThat(values(h)).containsExactly(1, 3);
            assertThat(op(h).recordsAwaitingRetry()).isEqualTo(5);
        }
        assertThat(snapshot.getManagedOperatorState()).isNotEmpty();

        try (OneInputStreamOperatorTestHarness<Integer, Integer> restored = failingOnTwo(backoff)) {
            restored.initializeState(snapshot);
            restored.open();
            assertThat(op(restored).recordsAwaitingRetry()).isEqualTo(5);
            restored.processElement(8, 8);
            restored.setProcessingTime(1);
            // the retry first, then the records behind it; 8 waits for its batch
            assertThat(values(restored)).containsExactly(2, 4, 5, 6, 7);
            assertThat(
                            restored.getOutput().stream()
                                    .filter(o -> o instanceof StreamRecord)
                                    .map(o -> ((StreamRecord<?>) o).getTimestamp())
                                    .collect(Collectors.toList()))
                    .as("timestamps kept through the state")
                    .containsExactly(2L, 4L, 5L, 6L, 7L);
            assertThat(op(restored).metrics().numRetries().getCount()).isEqualTo(1);
            restored.endInput();
            assertThat(values(restored)).containsExactly(2, 4, 5, 6, 7, 8);
        }
    }

    @Test
    void aBatchFunctionOutOfRetriesOnTheTimerGoesToTheDlqAndEveryRecordIsCounted()
            throws Exception {
        BatchFunction<Integer, Integer> down =
                (batch, out) -> {
                    if (batch.contains(2)) {
                        throw new java.io.IOException("database down");
                    }
                    batch.forEach(out::collect);
                };
        FailureConfig cfg =
                FailureConfig.builder()
                        .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                        .maxRetries(2)
                        .retryBackoff(Duration.ofSeconds(10))
                        .retryBackoffMultiplier(2)
                        .retryBackoffMax(Duration.ofMinutes(1))
                        .retryJitter(0)
                        .retryExhaustedStrategy(FailureStrategy.SEND_TO_DLQ)
                        .build();
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h =
                new OneInputStreamOperatorTestHarness<>(
                        operator(fixed(3, 1000), cfg, "t", down, null), IntSerializer.INSTANCE)) {
            h.setProcessingTime(0);
            h.open();
            for (int i = 1; i <= 6; i++) {
                h.processElement(i, 0);
            }
            assertThat(values(h)).isEmpty();
            assertThat(op(h).recordsAwaitingRetry()).isEqualTo(6);
            // retry 1 at 10 s fails, retry 2 at 10 + 20 s fails: out of retries, dead-lettered
            h.setProcessingTime(10_000);
            assertThat(h.getSideOutput(BatchingOperator.DEAD_LETTERS)).isNull();
            h.setProcessingTime(30_000);
            List<DeadLetter> dls =
                    h.getSideOutput(BatchingOperator.DEAD_LETTERS).stream()
                            .map(StreamRecord::getValue)
                            .collect(Collectors.toList());
            assertThat(dls)
                    .extracting(d -> new String(d.getPayload(), StandardCharsets.UTF_8))
                    .containsExactly("1", "2", "3");
            assertThat(dls).allSatisfy(d -> assertThat(d.getAttempts()).isEqualTo(3));
            // the batch behind went on right after
            assertThat(values(h)).containsExactly(4, 5, 6);
            assertThat(op(h).metrics().numRecordsIn().getCount()).isEqualTo(6);
            assertThat(op(h).metrics().numRecordsOut().getCount()).isEqualTo(3);
            assertThat(op(h).metrics().numRecordsDeadLettered().getCount()).isEqualTo(3);
            assertThat(op(h).metrics().numRetries().getCount()).isEqualTo(6);
        }
    }

    @Test
    void theEndOfInputWaitsForTheRetry() throws Exception {
        FAILURES_LEFT.set(1);
        RecordFunction<Integer, Integer> fn =
                (x, out) -> {
                    if (x == 2 && FAILURES_LEFT.getAndDecrement() > 0) {
                        throw new java.io.IOException("transient");
                    }
                    out.collect(x);
                };
        try (OneInputStreamOperatorTestHarness<Integer, Integer> h =
                new OneInputStreamOperatorTestHarness<>(
                        operator(fixed(3, 1000), retryAfter(Duration.ofMillis(1)), "t", null, fn),
                        IntSerializer.INSTANCE)) {
            h.open();
            h.processElement(1, 0);
            h.processElement(2, 0);
            h.endInput();
            assertThat(values(h)).containsExactly(1, 2);
            assertThat(op(h).recordsAwaitingRetry()).isZero();
        }
    }

    private static List<BatchingOperator<Integer, Integer>> operatorsOfEveryKind(
            FailureStrategy strategy) {
        FailureConfig failure = FailureConfig.of(strategy);
        RecordFunction<Integer, Integer> identity = (x, out) -> out.collect(x);
        BatchFunction<Integer, Integer> all = (batch, out) -> batch.forEach(out::collect);
        return List.of(
                operator(fixed(3, 1000), failure, "t", null, identity),
                operator(fixed(3, 1000), failure, "t", all, null),
                BatchingOperator.passThrough(fixed(3, 1000), failure, "t"));
    }

    @Test
    void anExceptionDownstreamIsNotTheFunctionsFailureAndFailsTheTask() throws Exception {
        for (FailureStrategy strategy :
                List.of(
                        FailureStrategy.LOG_AND_CONTINUE,
                        FailureStrategy.SEND_TO_DLQ,
                        FailureStrategy.RETRY_WITH_BACKOFF)) {
            for (BatchingOperator<Integer, Integer> operator : operatorsOfEveryKind(strategy)) {
                ThrowingDownstream<Integer> downstream = new ThrowingDownstream<>(20);
                try (OneInputStreamOperatorTestHarness<Integer, Integer> h =
                        new OneInputStreamOperatorTestHarness<>(operator)) {
                    h.setOutputCreator(serializer -> downstream);
                    h.open();
                    h.processElement(10, 0);
                    h.processElement(20, 0);
                    assertThatThrownBy(() -> h.processElement(30, 0))
                            .as("%s", strategy)
                            .isInstanceOf(ArithmeticException.class)
                            .hasMessage("/ by zero");
                    assertThat(downstream.values).containsExactly(10);
                    assertThat(op(h).metrics().numRecordsDropped().getCount()).isZero();
                    assertThat(op(h).metrics().numRecordsDeadLettered().getCount()).isZero();
                    assertThat(op(h).metrics().numRetries().getCount()).isZero();
                }
            }
        }
    }

    @Test
    void aFunctionMayReuseItsOutputObject() throws Exception {
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializer<Tuple1<Integer>> typed =
                (TypeSerializer)
                        Types.TUPLE(Types.INT).createSerializer(new SerializerConfigImpl());
        Tuple1<Integer> reused = new Tuple1<>();
        RecordFunction<Integer, Tuple1<Integer>> map =
                (x, out) -> {
                    reused.f0 = x;
                    out.collect(reused);
                    reused.f0 = x * 10;
                    out.collect(reused);
                };
        BatchFunction<Integer, Tuple1<Integer>> process =
                (batch, out) -> {
                    for (int x : batch) {
                        map.flatMap(x, out);
                    }
                };
        for (boolean objectReuse : List.of(false, true)) {
            for (boolean batchFunction : List.of(false, true)) {
                try (OneInputStreamOperatorTestHarness<Integer, Tuple1<Integer>> h =
                        new OneInputStreamOperatorTestHarness<>(
                                operator(
                                        fixed(2, 1000),
                                        FailureConfig.defaults(),
                                        "t",
                                        batchFunction ? process : null,
                                        batchFunction ? null : map),
                                IntSerializer.INSTANCE)) {
                    if (objectReuse) {
                        h.getExecutionConfig().enableObjectReuse();
                    }
                    // what the job graph sets for every operator
                    h.getStreamConfig().setTypeSerializerOut(typed);
                    h.getStreamConfig().serializeAllConfigs();
                    h.open();
                    h.processElement(1, 0);
                    h.processElement(2, 0);
                    assertThat(values(h))
                            .as("object reuse %s, batch function %s", objectReuse, batchFunction)
                            .extracting(t -> t.f0)
                            .containsExactly(1, 10, 2, 20);
                }
            }
        }
    }
}
