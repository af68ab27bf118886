package dev.velo.flink.batching.internal.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.failure.RetriableErrors;
import dev.velo.flink.batching.failure.VeloBatchFailedException;
import dev.velo.flink.batching.failure.VeloFailureRatioExceededException;
import dev.velo.flink.batching.failure.VeloRetriableException;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Every failure strategy with a fake sleeper and clock. */
class FailureHandlerTest {

    private final List<DeadLetter> dlq = new ArrayList<>();
    private final List<Long> sleeps = new ArrayList<>();
    private final VeloMetrics metrics = VeloMetrics.inMemory();
    private long now = 1_000;

    /** Fails chosen records a given number of times with a given error; records what passed. */
    private static final class FlakyProcessor implements BatchProcessor<String> {
        final Map<String, Integer> failuresLeft = new HashMap<>();
        final Map<String, Exception> errors = new HashMap<>();
        final List<String> written = new ArrayList<>();
        final List<String> flushed = new ArrayList<>();
        int flushFailuresLeft;
        Exception flushError;
        int flushCalls;

        FlakyProcessor fail(String record, int times, Exception e) {
            failuresLeft.put(record, times);
            errors.put(record, e);
            return this;
        }

        FlakyProcessor failFlush(int times, Exception e) {
            flushFailuresLeft = times;
            flushError = e;
            return this;
        }

        @Override
        public void processRecord(String record) throws Exception {
            int left = failuresLeft.getOrDefault(record, 0);
            if (left > 0) {
                failuresLeft.put(record, left - 1);
                throw errors.get(record);
            }
            written.add(record);
        }

        @Override
        public void finishBatch() throws Exception {
            flushCalls++;
            if (flushFailuresLeft > 0) {
                flushFailuresLeft--;
                written.clear();
                throw flushError;
            }
            flushed.addAll(written);
            written.clear();
        }
    }

    private FailureHandler<String> handler(FailureConfig cfg) {
        return new FailureHandler<>(
                cfg,
                "orders",
                DeadLetter.SIDE_SINK,
                null,
                dlq::add,
                metrics,
                sleeps::add,
                () -> now,
                new Random(7));
    }

    private static FailureConfig.Builder retry() {
        return FailureConfig.builder()
                .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                .maxRetries(3)
                .retryBackoff(Duration.ofMillis(100))
                .retryBackoffMultiplier(2)
                .retryBackoffMax(Duration.ofSeconds(10))
                .retryJitter(0);
    }

    private static final List<String> BATCH = List.of("a", "b", "c", "d");

    @Test
    void successPassesEverything() throws Exception {
        FlakyProcessor p = new FlakyProcessor();
        assertThat(handler(FailureConfig.defaults()).process(1, BATCH, p)).isEqualTo(4);
        assertThat(p.flushed).containsExactlyElementsOf(BATCH);
    }

    @Test
    void logAndContinueDropsAndCounts() throws Exception {
        FlakyProcessor p = new FlakyProcessor().fail("b", 1, new IllegalArgumentException("bad"));
        int ok = handler(FailureConfig.of(FailureStrategy.LOG_AND_CONTINUE)).process(1, BATCH, p);
        assertThat(ok).isEqualTo(3);
        assertThat(p.flushed).containsExactly("a", "c", "d");
        assertThat(metrics.numRecordsDropped().getCount()).isEqualTo(1);
        assertThat(dlq).isEmpty();
    }

    @Test
    void logAndContinueOnFlushFailureDropsTheBatch() throws Exception {
        FlakyProcessor p =
                new FlakyProcessor()
                        .fail("a", 1, new IllegalArgumentException("bad"))
                        .failFlush(1, new IllegalStateException("down"));
        int ok = handler(FailureConfig.of(FailureStrategy.LOG_AND_CONTINUE)).process(1, BATCH, p);
        assertThat(ok).isZero();
        assertThat(metrics.numRecordsDropped().getCount()).isEqualTo(4);
    }

    @Test
    void sendToDlqBuildsDeadLetters() throws Exception {
        FlakyProcessor p = new FlakyProcessor().fail("c", 1, new IllegalArgumentException("bad c"));
        handler(FailureConfig.of(FailureStrategy.SEND_TO_DLQ)).process(42, BATCH, p);
        assertThat(p.flushed).containsExactly("a", "b", "d");
        assertThat(dlq).hasSize(1);
        DeadLetter dl = dlq.get(0);
        assertThat(new String(dl.getPayload(), StandardCharsets.UTF_8)).isEqualTo("c");
        assertThat(dl.getErrorClass()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(dl.getErrorMessage()).isEqualTo("bad c");
        assertThat(dl.getStackTrace()).contains("FailureHandlerTest");
        assertThat(dl.getAttempts()).isEqualTo(1);
        assertThat(dl.getFailedAtMillis()).isEqualTo(1_000);
        assertThat(dl.getTableName()).isEqualTo("orders");
        assertThat(dl.getSide()).isEqualTo("sink");
        assertThat(dl.getStrategy()).isEqualTo("SendToDLQ");
        assertThat(dl.getBatchId()).isEqualTo(42);
        assertThat(dl.getKafkaTopic()).isNull();
        assertThat(metrics.numRecordsDeadLettered().getCount()).isEqualTo(1);
        assertThat(dl.toString()).doesNotContain("payload=").contains("payloadBytes=1");
    }

    @Test
    void sendToDlqOnFlushFailureDeadLettersRecordsNotYetHandled() throws Exception {
        FlakyProcessor p =
                new FlakyProcessor()
                        .fail("a", 1, new IllegalArgumentException("bad"))
                        .failFlush(1, new IllegalStateException("down"));
        handler(FailureConfig.of(FailureStrategy.SEND_TO_DLQ)).process(1, BATCH, p);
        assertThat(dlq)
                .extracting(d -> new String(d.getPayload(), StandardCharsets.UTF_8))
                .containsExactly("a", "b", "c", "d");
        assertThat(dlq.get(1).getErrorClass()).isEqualTo(IllegalStateException.class.getName());
    }

    @Test
    void sendToDlqWithoutDlqIsRejected() {
        assertThatThrownBy(
                        () ->
                                new FailureHandler<String>(
                                        FailureConfig.of(FailureStrategy.SEND_TO_DLQ),
                                        "orders",
                                        "sink",
                                        null,
                                        null,
                                        metrics,
                                        null,
                                        null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("orders")
                .hasMessageContaining("DLQ");
    }

    @Test
    void failBatchNamesTableBatchAndRecord() {
        FlakyProcessor p = new FlakyProcessor().fail("c", 1, new IllegalArgumentException("bad c"));
        assertThatThrownBy(() -> handler(FailureConfig.defaults()).process(7, BATCH, p))
                .isInstanceOf(VeloBatchFailedException.class)
                .hasMessageContaining("'orders'")
                .hasMessageContaining("batch 7")
                .hasMessageContaining("record index 2")
                .hasMessageContaining("bad c")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void failBatchOnFlushSaysFlush() {
        FlakyProcessor p = new FlakyProcessor().failFlush(1, new IOException("broker gone"));
        assertThatThrownBy(() -> handler(FailureConfig.defaults()).process(8, BATCH, p))
                .isInstanceOf(VeloBatchFailedException.class)
                .hasMessageContaining("batch 8 failed at flush")
                .hasMessageContaining("broker gone");
    }

    @Test
    void transientRecordFailureSucceedsOnRetry() throws Exception {
        FlakyProcessor p =
                new FlakyProcessor()
                        .fail("b", 2, new IOException("blip"))
                        .fail("d", 1, new TimeoutException("slow"));
        int ok = handler(retry().build()).process(1, BATCH, p);
        assertThat(ok).isEqualTo(4);
        assertThat(p.flushed).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(sleeps).containsExactly(100L, 200L);
        assertThat(metrics.numRetries().getCount()).isEqualTo(3); // b twice, d once
        assertThat(dlq).isEmpty();
    }

    @Test
    void retryExhaustedGoesToExhaustedStrategy() throws Exception {
        FlakyProcessor p = new FlakyProcessor().fail("b", 99, new IOException("down"));
        handler(retry().retryExhaustedStrategy(FailureStrategy.SEND_TO_DLQ).build())
                .process(1, BATCH, p);
        assertThat(sleeps).containsExactly(100L, 200L, 400L);
        assertThat(dlq).hasSize(1);
        assertThat(dlq.get(0).getAttempts()).isEqualTo(4);
        assertThat(dlq.get(0).getStrategy()).isEqualTo("RetryWithBackoff");
        assertThat(p.flushed).containsExactly("a", "c", "d");
    }

    @Test
    void retryExhaustedDefaultsToFailBatch() {
        FlakyProcessor p = new FlakyProcessor().fail("b", 99, new IOException("down"));
        assertThatThrownBy(() -> handler(retry().build()).process(3, BATCH, p))
                .isInstanceOf(VeloBatchFailedException.class)
                .hasMessageContaining("record index 1 after 4 attempts");
    }

    @Test
    void nonRetriableGoesStraightToExhaustedPath() throws Exception {
        FlakyProcessor p =
                new FlakyProcessor().fail("a", 1, new IllegalArgumentException("cannot decode"));
        handler(retry().retryExhaustedStrategy(FailureStrategy.LOG_AND_CONTINUE).build())
                .process(1, BATCH, p);
        assertThat(sleeps).isEmpty();
        assertThat(metrics.numRetries().getCount()).isZero();
        assertThat(metrics.numRecordsDropped().getCount()).isEqualTo(1);
    }

    @Test
    void processOnceReturnsTheRecordsToRetryWithTheirDelayInsteadOfWaiting() throws Exception {
        FlakyProcessor p =
                new FlakyProcessor()
                        .fail("b", 2, new IOException("blip"))
                        .fail("c", 1, new IllegalArgumentException("bad"));
        FailureHandler<String> h =
                handler(retry().retryExhaustedStrategy(FailureStrategy.SEND_TO_DLQ).build());
        FailureHandler.Outcome<String> first = h.processOnce(1, BATCH, p, 0);
        // c is not retriable: dead-lettered at once; b waits for retry 1, nothing slept here
        assertThat(first.passed()).isEqualTo(2);
        assertThat(first.retry()).containsExactly("b");
        assertThat(first.attempt()).isEqualTo(1);
        assertThat(first.delayMillis()).isEqualTo(100);
        assertThat(sleeps).isEmpty();
        assertThat(dlqPayloads()).containsExactly("c");
        FailureHandler.Outcome<String> second = h.processOnce(1, first.retry(), p, 1);
        assertThat(second.retry()).containsExactly("b");
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.delayMillis()).isEqualTo(200);
        FailureHandler.Outcome<String> third = h.processOnce(1, second.retry(), p, 2);
        assertThat(third.retry()).isEmpty();
        assertThat(third.passed()).isEqualTo(1);
        assertThat(p.flushed).containsExactly("a", "d", "b");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void processOnceRetriesTheLiveRecordsOfAFailedBatchAndExhaustsLikeProcess() throws Exception {
        FlakyProcessor p = new FlakyProcessor().failFlush(99, new IOException("flush down"));
        FailureHandler<String> h =
                handler(
                        retry().maxRetries(2)
                                .retryExhaustedStrategy(FailureStrategy.SEND_TO_DLQ)
                                .build());
        FailureHandler.Outcome<String> o = h.processOnce(1, BATCH, p, 0);
        assertThat(o.retry()).containsExactlyElementsOf(BATCH);
        o = h.processOnce(1, o.retry(), p, o.attempt());
        assertThat(o.retry()).containsExactlyElementsOf(BATCH);
        o = h.processOnce(1, o.retry(), p, o.attempt());
        // two retries done: the third failure goes to retry_exhausted, with 3 attempts
        assertThat(o.retry()).isEmpty();
        assertThat(o.passed()).isZero();
        assertThat(dlqPayloads()).containsExactlyElementsOf(BATCH);
        assertThat(dlq).allSatisfy(d -> assertThat(d.getAttempts()).isEqualTo(3));
    }

    @Test
    void aFlushFailingTransientlyWaitsExponentialCappedDelays() throws Exception {
        // the parameters of the end-to-end TransientSinkRetryITCase, with a fake sleeper
        FakeAsyncWriter w = new FakeAsyncWriter(true).failFlushes(6);
        FailureHandler<String> h =
                handler(
                        retry().maxRetries(10)
                                .retryBackoff(Duration.ofMillis(40))
                                .retryBackoffMultiplier(2)
                                .retryBackoffMax(Duration.ofMillis(300))
                                .build());
        assertThat(h.write(1, List.of("a"), w, true)).isEqualTo(1);
        assertThat(sleeps).containsExactly(40L, 80L, 160L, 300L, 300L, 300L);
        assertThat(metrics.numRetries().getCount()).isEqualTo(6);
        assertThat(w.sent).containsExactly("a", "a", "a", "a", "a", "a", "a");
        assertThat(dlq).isEmpty();
    }

    @Test
    void transientBatchFailureRetriesWholeBatch() throws Exception {
        FlakyProcessor p = new FlakyProcessor().failFlush(2, new IOException("flush blip"));
        int ok = handler(retry().build()).process(1, BATCH, p);
        assertThat(ok).isEqualTo(4);
        assertThat(p.flushCalls).isEqualTo(3);
        assertThat(p.flushed).containsExactlyElementsOf(BATCH);
        assertThat(sleeps).containsExactly(100L, 200L);
        assertThat(metrics.numRetries().getCount()).isEqualTo(2);
    }

    @Test
    void batchRetryExhaustedDeadLettersWithAttempts() throws Exception {
        FlakyProcessor p = new FlakyProcessor().failFlush(99, new IOException("flush down"));
        handler(retry().maxRetries(2).retryExhaustedStrategy(FailureStrategy.SEND_TO_DLQ).build())
                .process(1, BATCH, p);
        assertThat(dlq).hasSize(4).allSatisfy(d -> assertThat(d.getAttempts()).isEqualTo(3));
    }

    @Test
    void retriableClassification() {
        assertThat(RetriableErrors.isRetriable(new IOException())).isTrue();
        assertThat(RetriableErrors.isRetriable(new TimeoutException())).isTrue();
        assertThat(RetriableErrors.isRetriable(new RuntimeException(new IOException()))).isTrue();
        assertThat(RetriableErrors.isRetriable(new SomeTransientException())).isTrue();
        assertThat(RetriableErrors.isRetriable(new NetworkRetriableException())).isTrue();
        assertThat(RetriableErrors.isRetriable(new VeloRetriableException("x"))).isTrue();
        assertThat(RetriableErrors.isRetriable(new IllegalArgumentException())).isFalse();
        assertThat(RetriableErrors.isRetriable(new RuntimeException("x"))).isFalse();
    }

    static final class SomeTransientException extends RuntimeException {}

    static final class NetworkRetriableException extends RuntimeException {}

    @Test
    void backoffIsExponentialCappedAndJittered() {
        RetryBackoff b =
                new RetryBackoff(
                        retry().retryBackoff(Duration.ofMillis(100))
                                .retryBackoffMultiplier(3)
                                .retryBackoffMax(Duration.ofMillis(1000))
                                .retryJitter(0.2)
                                .build());
        assertThat(b.baseDelayMillis(1)).isEqualTo(100);
        assertThat(b.baseDelayMillis(2)).isEqualTo(300);
        assertThat(b.baseDelayMillis(3)).isEqualTo(900);
        assertThat(b.baseDelayMillis(4)).isEqualTo(1000);
        assertThat(b.baseDelayMillis(40)).isEqualTo(1000);
        assertThat(b.delayMillis(2, 0.0)).isEqualTo(240);
        assertThat(b.delayMillis(2, 0.5)).isEqualTo(300);
        assertThat(b.delayMillis(2, 0.999999)).isEqualTo(360);
        assertThat(b.delayMillis(4, 0.999999)).as("never above the cap").isEqualTo(1000);
        Random r = new Random(1);
        for (int i = 0; i < 1000; i++) {
            assertThat(b.delayMillis(3, r.nextDouble())).isBetween(720L, 1000L);
        }
    }

    @Test
    void jitteredSleepsStayInBounds() throws Exception {
        FlakyProcessor p = new FlakyProcessor().fail("a", 3, new IOException("x"));
        handler(retry().retryJitter(0.5).build()).process(1, BATCH, p);
        assertThat(sleeps).hasSize(3);
        assertThat(sleeps.get(0)).isBetween(50L, 150L);
        assertThat(sleeps.get(1)).isBetween(100L, 300L);
        assertThat(sleeps.get(2)).isBetween(200L, 600L);
    }

    @Test
    void guardTripsAboveRatioWithinWindow() throws Exception {
        FailureConfig cfg =
                FailureConfig.builder()
                        .strategy(FailureStrategy.LOG_AND_CONTINUE)
                        .maxFailureRatio(0.3)
                        .failureRatioMinRecords(1)
                        .failureRatioWindow(Duration.ofSeconds(10))
                        .build();
        FailureHandler<String> h = handler(cfg);
        h.process(1, BATCH, new FlakyProcessor().fail("a", 1, new IllegalStateException()));
        now += 1_000;
        assertThatThrownBy(
                        () ->
                                h.process(
                                        2,
                                        BATCH,
                                        new FlakyProcessor()
                                                .fail("a", 1, new IllegalStateException())
                                                .fail("b", 1, new IllegalStateException())
                                                .fail("c", 1, new IllegalStateException())))
                .isInstanceOf(VeloFailureRatioExceededException.class)
                .hasMessageContaining("'orders'")
                .hasMessageContaining("50.00%")
                .hasMessageContaining("max_failure_ratio 30.00%");
    }

    @Test
    void guardForgetsOldBuckets() throws Exception {
        FailureRatioGuard g = new FailureRatioGuard(0.5, 1000);
        assertThat(g.record(10, 5, 0)).isEqualTo(-1);
        assertThat(g.record(10, 6, 500)).isGreaterThan(0.5);
        assertThat(g.record(10, 4, 5_000)).as("earlier buckets fell out").isEqualTo(-1);
    }

    @Test
    void guardOffByDefault() throws Exception {
        FailureHandler<String> h = handler(FailureConfig.of(FailureStrategy.LOG_AND_CONTINUE));
        FlakyProcessor p = new FlakyProcessor();
        for (String s : BATCH) {
            p.fail(s, 1, new IllegalStateException());
        }
        assertThat(h.process(1, BATCH, p)).isZero();
    }

    @Test
    void doneFlagsOfOneBatchDoNotLeakIntoTheNext() throws Exception {
        FailureHandler<String> h = handler(FailureConfig.of(FailureStrategy.SEND_TO_DLQ));
        FlakyProcessor first =
                new FlakyProcessor()
                        .fail("a", 1, new IllegalArgumentException("bad record"))
                        .failFlush(1, new IOException("flush"));
        assertThat(h.process(1, List.of("a", "b", "c"), first)).isZero();
        assertThat(dlq).hasSize(3);
        dlq.clear();
        // the flags array is reused: a stale "done" for index 0 would keep "x" out of the DLQ
        FlakyProcessor second = new FlakyProcessor().failFlush(1, new IOException("flush"));
        assertThat(h.process(2, List.of("x", "y"), second)).isZero();
        assertThat(dlq).hasSize(2);
    }

    /**
     * A Kafka-like asynchronous writer: a send of a chosen record fails in the background, and the
     * failure is reported by the next write (or only by the next flush); like Kafka's writer it
     * keeps only the first unreported error. Good records are delivered.
     */
    private static final class FakeAsyncWriter implements AsyncWriteProcessor<String> {
        final Map<String, Integer> failuresLeft = new HashMap<>();
        final boolean reportOnWrite;
        final List<String> sent = new ArrayList<>();
        final List<String> delivered = new ArrayList<>();
        Exception unreported;
        int flushes;

        FakeAsyncWriter(boolean reportOnWrite) {
            this.reportOnWrite = reportOnWrite;
        }

        FakeAsyncWriter fail(String record, int times) {
            failuresLeft.put(record, times);
            return this;
        }

        int flushFailuresLeft;
        int sentSinceFlush;

        /**
         * The next {@code times} flushes with something to send fail, losing what was sent (a
         * broken connection); a flush with nothing to send succeeds.
         */
        FakeAsyncWriter failFlushes(int times) {
            flushFailuresLeft = times;
            return this;
        }

        @Override
        public void write(String record) throws Exception {
            if (reportOnWrite) {
                report();
            }
            sent.add(record);
            sentSinceFlush++;
            int left = failuresLeft.getOrDefault(record, 0);
            if (left > 0) {
                failuresLeft.put(record, left - 1);
                if (unreported == null) {
                    unreported = new IOException("send of " + record + " failed");
                }
            } else {
                delivered.add(record);
            }
        }

        @Override
        public void flush() throws Exception {
            flushes++;
            boolean empty = sentSinceFlush == 0;
            sentSinceFlush = 0;
            if (flushFailuresLeft > 0 && !empty) {
                flushFailuresLeft--;
                unreported = null;
                throw new IOException("flush blip");
            }
            report();
        }

        private void report() throws Exception {
            Exception e = unreported;
            if (e != null) {
                unreported = null;
                throw e;
            }
        }
    }

    /** A writer that throws from {@code write} itself (synchronously), noting every record sent. */
    private static AsyncWriteProcessor<String> synchronousWriter(
            FlakyProcessor sync, List<String> sent) {
        return new AsyncWriteProcessor<>() {
            @Override
            public void write(String record) throws Exception {
                sent.add(record);
                sync.processRecord(record);
            }

            @Override
            public void flush() throws Exception {
                sync.finishBatch();
            }
        };
    }

    private static final List<String> SIX = List.of("a", "b", "c", "d", "e", "f");

    private List<String> dlqPayloads() {
        List<String> out = new ArrayList<>();
        for (DeadLetter d : dlq) {
            out.add(new String(d.getPayload(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void anAsyncErrorIsBlamedOnTheRecordThatFailedNotOnTheCallThatReportedIt() throws Exception {
        for (boolean reportOnWrite : List.of(true, false)) {
            dlq.clear();
            FakeAsyncWriter w = new FakeAsyncWriter(reportOnWrite).fail("c", 99);
            FailureHandler<String> h = handler(FailureConfig.of(FailureStrategy.SEND_TO_DLQ));
            int ok = h.write(9, SIX, w, true);
            assertThat(dlqPayloads())
                    .as("reported on write %s", reportOnWrite)
                    .containsExactly("c");
            assertThat(dlq.get(0).getBatchId()).isEqualTo(9);
            assertThat(dlq.get(0).getAttempts()).isEqualTo(1);
            assertThat(w.delivered).containsOnly("a", "b", "d", "e", "f");
            assertThat(w.delivered).contains("a", "b", "d", "e", "f");
            assertThat(ok).isEqualTo(5);
            assertThat(h.unflushedWrites()).isZero();
        }
    }

    @Test
    void everyFailedRecordIsFoundEvenWhenTheWriterReportsOnlyTheFirst() throws Exception {
        FakeAsyncWriter w = new FakeAsyncWriter(true).fail("b", 99).fail("e", 99);
        FailureHandler<String> h = handler(FailureConfig.of(FailureStrategy.LOG_AND_CONTINUE));
        assertThat(h.write(1, SIX, w, true)).isEqualTo(4);
        assertThat(metrics.numRecordsDropped().getCount()).isEqualTo(2);
        assertThat(w.delivered).containsOnly("a", "c", "d", "f").contains("a", "c", "d", "f");
        assertThat(dlq).isEmpty();
    }

    @Test
    void aSynchronousErrorOfAWriteIsThatRecordsOwnAndTheRecordsBeforeItAreNotSentAgain()
            throws Exception {
        FlakyProcessor sync = new FlakyProcessor().fail("c", 99, new IllegalArgumentException("c"));
        List<String> sent = new ArrayList<>();
        AsyncWriteProcessor<String> w = synchronousWriter(sync, sent);
        FailureHandler<String> h = handler(FailureConfig.of(FailureStrategy.SEND_TO_DLQ));
        assertThat(h.write(1, SIX, w, true)).isEqualTo(5);
        assertThat(dlqPayloads()).containsExactly("c");
        assertThat(dlq.get(0).getAttempts()).isEqualTo(1);
        // c is written once more, alone, to see that the error is its own; nothing else twice
        assertThat(sent).containsExactly("a", "b", "c", "c", "d", "e", "f");
        assertThat(sync.flushed).containsExactly("a", "b", "d", "e", "f");
    }

    @Test
    void manySynchronousRefusalsInOneBatchSendNoRecordTwice() throws Exception {
        // a writer that refuses some records synchronously (throws from write), several per batch
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            batch.add("r" + i);
        }
        FlakyProcessor sync = new FlakyProcessor();
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < 1000; i += 101) {
            refused.add("r" + i);
            sync.fail("r" + i, 99, new IllegalArgumentException("refused r" + i));
        }
        List<String> sent = new ArrayList<>();
        AsyncWriteProcessor<String> w = synchronousWriter(sync, sent);
        FailureHandler<String> h = handler(FailureConfig.of(FailureStrategy.SEND_TO_DLQ));
        assertThat(h.write(1, batch, w, true)).isEqualTo(1000 - refused.size());
        assertThat(dlqPayloads()).containsExactlyInAnyOrderElementsOf(refused);
        List<String> accepted = new ArrayList<>(batch);
        accepted.removeAll(refused);
        // every accepted record was written exactly once (a refused one once more, alone)
        assertThat(sync.flushed).containsExactlyInAnyOrderElementsOf(accepted);
        assertThat(sent.stream().filter(r -> !refused.contains(r)))
                .containsExactlyInAnyOrderElementsOf(accepted);
    }

    @Test
    void aFailureOfTheOnlyUnflushedRecordIsItsOwnAndIsNotSentAgain() throws Exception {
        FakeAsyncWriter w = new FakeAsyncWriter(true).fail("a", 99);
        FailureHandler<String> h = handler(FailureConfig.of(FailureStrategy.SEND_TO_DLQ));
        h.write(1, List.of("a"), w, true);
        assertThat(dlqPayloads()).containsExactly("a");
        assertThat(dlq.get(0).getAttempts()).isEqualTo(1);
        assertThat(w.sent).containsExactly("a");
    }

    @Test
    void aTransientAsyncFailureIsRetriedOnTheRecordThatFailed() throws Exception {
        FakeAsyncWriter w = new FakeAsyncWriter(true).fail("c", 2);
        FailureHandler<String> h = handler(retry().build());
        // reported by the flush; c's own re-send fails too, then a retry after one wait succeeds
        assertThat(h.write(1, List.of("a", "c"), w, true)).isEqualTo(2);
        assertThat(w.delivered).containsOnly("a", "c").contains("a", "c");
        assertThat(dlq).isEmpty();
        // a transient error: the window (a, c) is written again after each wait, one retry each
        assertThat(sleeps).containsExactly(100L, 200L);
        assertThat(metrics.numRetries().getCount()).isEqualTo(2);
    }

    @Test
    void exhaustedRetriesOfAnAsyncFailureDeadLetterTheRecordThatFailed() throws Exception {
        FakeAsyncWriter w = new FakeAsyncWriter(false).fail("d", 99);
        FailureHandler<String> h =
                handler(
                        retry().maxRetries(2)
                                .retryExhaustedStrategy(FailureStrategy.SEND_TO_DLQ)
                                .build());
        assertThat(h.write(1, SIX, w, true)).isEqualTo(5);
        assertThat(dlqPayloads()).containsExactly("d");
        // sent, then two retries: the search after the first wait, d alone after the second
        assertThat(dlq.get(0).getAttempts()).isEqualTo(3);
        assertThat(dlq.get(0).getStrategy()).isEqualTo("RetryWithBackoff");
        assertThat(sleeps).containsExactly(100L, 200L);
        assertThat(w.delivered).containsOnly("a", "b", "c", "e", "f");
    }

    @Test
    void retryExhaustedFailBatchNamesTheRecordThatFailed() {
        FakeAsyncWriter w = new FakeAsyncWriter(true).fail("b", 99);
        FailureHandler<String> h = handler(retry().maxRetries(1).build());
        assertThatThrownBy(() -> h.write(5, SIX, w, true))
                .isInstanceOf(VeloBatchFailedException.class)
                .hasMessageContaining("batch 5 failed at record index 1 after 2 attempts");
    }

    @Test
    void failBatchFailsOnTheFirstAsyncErrorWithoutSendingAgainOrKeepingRecords() throws Exception {
        FakeAsyncWriter w = new FakeAsyncWriter(true).fail("c", 99);
        FailureHandler<String> h = handler(FailureConfig.defaults());
        assertThat(h.tracksWrites()).isFalse();
        assertThatThrownBy(() -> h.write(3, SIX, w, false))
                .isInstanceOf(VeloBatchFailedException.class)
                .hasMessageContaining("batch 3 failed at record index 3");
        assertThat(w.sent).containsExactly("a", "b", "c");
        assertThat(h.unflushedWrites()).isZero();
        // a clean batch under FailBatch: handed over without a flush, nothing kept
        FakeAsyncWriter clean = new FakeAsyncWriter(true);
        assertThat(h.write(4, SIX, clean, false)).isEqualTo(6);
        assertThat(clean.flushes).isZero();
        assertThat(h.unflushedWrites()).isZero();
    }

    @Test
    void insideATransactionAnyWriteErrorFailsTheTaskWhateverTheStrategy() {
        for (FailureStrategy s :
                List.of(
                        FailureStrategy.SEND_TO_DLQ,
                        FailureStrategy.LOG_AND_CONTINUE,
                        FailureStrategy.RETRY_WITH_BACKOFF)) {
            FakeAsyncWriter w = new FakeAsyncWriter(true).fail("c", 99);
            FailureHandler<String> h = handler(FailureConfig.of(s)).withWritesInTransaction();
            assertThat(h.tracksWrites()).isFalse();
            assertThatThrownBy(() -> h.write(3, SIX, w, true))
                    .as("%s", s)
                    .isInstanceOf(VeloBatchFailedException.class)
                    .hasMessageContaining("transaction");
            assertThat(w.sent).containsExactly("a", "b", "c");
        }
        assertThat(dlq).isEmpty();
        assertThat(metrics.numRecordsDropped().getCount()).isZero();
    }

    @Test
    void writeThroughBlamesARecordOfAnEarlierCall() throws Exception {
        FakeAsyncWriter w = new FakeAsyncWriter(true).fail("c", 99);
        FailureHandler<String> h = handler(FailureConfig.of(FailureStrategy.SEND_TO_DLQ));
        int ok = 0;
        long batchId = 100;
        for (String r : SIX) {
            ok += h.write(batchId++, List.of(r), w, false);
        }
        // c (batch 102) failed; its error surfaced on d's write, which found it
        assertThat(dlqPayloads()).containsExactly("c");
        assertThat(dlq.get(0).getBatchId()).isEqualTo(102);
        assertThat(h.unflushedWrites()).isEqualTo(2);
        ok += h.flushWrites(batchId, w);
        assertThat(ok).isEqualTo(5);
        assertThat(h.unflushedWrites()).isZero();
        assertThat(w.delivered).containsOnly("a", "b", "d", "e", "f");
    }

    @Test
    void anOutageFailsEveryRecordAfterAtMostTwoSearchesPerBatch() throws Exception {
        List<String> batch = new ArrayList<>();
        FakeAsyncWriter w = new FakeAsyncWriter(true);
        for (int i = 0; i < 1000; i++) {
            batch.add("r" + i);
            w.fail("r" + i, 99);
        }
        FailureHandler<String> h = handler(FailureConfig.of(FailureStrategy.LOG_AND_CONTINUE));
        assertThat(h.write(1, batch, w, true)).isZero();
        assertThat(metrics.numRecordsDropped().getCount()).isEqualTo(1000);
        // one search for the first error, one for the rest of the batch: < 2 probes per record
        assertThat(w.flushes).isLessThan(3 * 1000);
        assertThat(w.sent).hasSizeLessThan(30 * 1000);
    }
}
