package dev.velo.flink.batching.internal.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.failure.VeloBatchFailedException;
import dev.velo.flink.batching.failure.VeloRetriableException;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.apache.flink.connector.kafka.sink.KafkaWriter;
import org.apache.flink.kafka.shaded.org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.flink.kafka.shaded.org.apache.kafka.common.errors.ApiException;
import org.junit.jupiter.api.Test;

/**
 * Which errors of a transactional Kafka writer's {@code write} leave the transaction untouched, and
 * what the failure handler does with them. The writer is a stand-in with the real writer's class
 * and method names and order of steps (serialize, then send), so the errors carry the frames the
 * real one's would: {@code UnsentRecordErrorsKafkaWriterITCase} in e2e-tests checks the same with
 * the real connector.
 */
class UnsentRecordErrorsTest {

    private final KafkaProducer producer = new KafkaProducer();

    /** Per record, the errors its serialization throws, one per attempt. */
    private final Map<String, List<Supplier<RuntimeException>>> serializationErrors =
            new HashMap<>();

    private final KafkaWriter<String> kafka =
            new KafkaWriter<>(
                    new KafkaWriter.RecordSerializer<>(
                            r -> {
                                List<Supplier<RuntimeException>> errors =
                                        serializationErrors.get(r);
                                if (errors != null && !errors.isEmpty()) {
                                    throw errors.remove(0).get();
                                }
                                return r.getBytes(StandardCharsets.UTF_8);
                            }),
                    producer);

    private int flushes;

    private final AsyncWriteProcessor<String> writer =
            new AsyncWriteProcessor<>() {
                @Override
                public void write(String record) throws Exception {
                    kafka.write(record);
                }

                @Override
                public void flush() {
                    flushes++;
                }
            };

    private final List<DeadLetter> dlq = new ArrayList<>();
    private final List<Long> sleeps = new ArrayList<>();
    private final VeloMetrics metrics = VeloMetrics.inMemory();

    private static final List<String> SIX = List.of("a", "b", "c", "d", "e", "f");

    private void serializationFails(String record, Supplier<RuntimeException> error, int times) {
        List<Supplier<RuntimeException>> errors =
                serializationErrors.computeIfAbsent(record, r -> new ArrayList<>());
        for (int i = 0; i < times; i++) {
            errors.add(error);
        }
    }

    private Exception thrownByWrite(String record) {
        try {
            kafka.write(record);
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("the write of " + record + " did not throw");
    }

    private FailureHandler<String> handler(FailureConfig config) {
        return new FailureHandler<String>(
                        config,
                        "orders",
                        DeadLetter.SIDE_SINK,
                        null,
                        dlq::add,
                        metrics,
                        ms -> {
                            sleeps.add(ms);
                            if (afterFirstSleep != null) {
                                afterFirstSleep.run();
                                afterFirstSleep = null;
                            }
                        },
                        () -> 1_000L,
                        new Random(7))
                .withWritesInTransaction();
    }

    private List<String> sent() {
        List<String> out = new ArrayList<>();
        for (byte[] b : kafka.sent) {
            out.add(new String(b, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void anErrorOfTheSerializationIsBeforeTheSend() {
        serializationFails("p", () -> new IllegalArgumentException("partitioner refuses p"), 1);
        assertThat(UnsentRecordErrors.thrownBeforeSend(thrownByWrite("p"))).isTrue();
        assertThat(sent()).isEmpty();
    }

    @Test
    void sendFailuresAndKafkaClientErrorsMayHavePoisonedTheTransaction() {
        // an earlier send's failure, rethrown by the next write
        kafka.failedInBackground(new RuntimeException("broker gone"));
        assertThat(UnsentRecordErrors.thrownBeforeSend(thrownByWrite("a"))).isFalse();
        // the producer refuses the send (an error state): not a Kafka class, but its frame is there
        producer.failSends(new IllegalStateException("transaction aborted"));
        assertThat(UnsentRecordErrors.thrownBeforeSend(thrownByWrite("b"))).isFalse();
        // a Kafka client exception (relocated), even from inside the serialization
        serializationFails("c", () -> new ApiException("no metadata"), 1);
        assertThat(UnsentRecordErrors.thrownBeforeSend(thrownByWrite("c"))).isFalse();
        // thrown elsewhere than by the Kafka writer's write
        assertThat(UnsentRecordErrors.thrownBeforeSend(new IllegalArgumentException("x")))
                .isFalse();
        Exception noStack = new IllegalArgumentException("y");
        noStack.setStackTrace(new StackTraceElement[0]);
        assertThat(UnsentRecordErrors.thrownBeforeSend(noStack)).isFalse();
        assertThat(UnsentRecordErrors.thrownBeforeSend(null)).isFalse();
    }

    @Test
    void sendToDlqDeadLettersTheUnsentRecordAndSendsNothingTwice() throws Exception {
        serializationFails("c", () -> new IllegalArgumentException("partitioner refuses c"), 1);
        FailureHandler<String> h = handler(FailureConfig.of(FailureStrategy.SEND_TO_DLQ));
        assertThat(h.tracksWrites()).isFalse();
        assertThat(h.write(1, SIX, writer, false)).isEqualTo(5);
        assertThat(sent()).containsExactly("a", "b", "d", "e", "f");
        assertThat(dlq).hasSize(1);
        assertThat(new String(dlq.get(0).getPayload(), StandardCharsets.UTF_8)).isEqualTo("c");
        assertThat(dlq.get(0).getAttempts()).isEqualTo(1);
        assertThat(dlq.get(0).getErrorClass()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(metrics.numRecordsDeadLettered().getCount()).isEqualTo(1);
        // no search, no flush: nothing is sent again inside the transaction
        assertThat(flushes).isZero();
        assertThat(h.unflushedWrites()).isZero();
    }

    @Test
    void logAndContinueDropsTheUnsentRecord() throws Exception {
        serializationFails("e", () -> new IllegalArgumentException("bad e"), 1);
        FailureHandler<String> h = handler(FailureConfig.of(FailureStrategy.LOG_AND_CONTINUE));
        assertThat(h.write(1, SIX, writer, true)).isEqualTo(5);
        assertThat(sent()).containsExactly("a", "b", "c", "d", "f");
        assertThat(metrics.numRecordsDropped().getCount()).isEqualTo(1);
        assertThat(dlq).isEmpty();
    }

    @Test
    void retryWithBackoffWritesTheRecordAgain() throws Exception {
        serializationFails("b", () -> busy("schema registry busy"), 2);
        FailureHandler<String> h = handler(retry().build());
        assertThat(h.write(1, SIX, writer, false)).isEqualTo(6);
        // retried in place, before the next record: the order is kept
        assertThat(sent()).containsExactlyElementsOf(SIX);
        assertThat(sleeps).containsExactly(100L, 200L);
        assertThat(metrics.numRetries().getCount()).isEqualTo(2);
        assertThat(dlq).isEmpty();
    }

    @Test
    void retryWithBackoffDeadLettersTheRecordWhenRetriesRunOut() throws Exception {
        serializationFails("b", () -> busy("schema registry busy"), 9);
        FailureHandler<String> h =
                handler(retry().retryExhaustedStrategy(FailureStrategy.SEND_TO_DLQ).build());
        assertThat(h.write(1, SIX, writer, false)).isEqualTo(5);
        assertThat(dlq).hasSize(1);
        assertThat(dlq.get(0).getAttempts()).isEqualTo(4);
        assertThat(sent()).containsExactly("a", "c", "d", "e", "f");
    }

    @Test
    void aRetryWhoseSendFailsFailsTheTask() {
        serializationFails("b", () -> busy("busy"), 1);
        FailureHandler<String> h =
                handler(retry().retryExhaustedStrategy(FailureStrategy.SEND_TO_DLQ).build());
        // the retry's serialization succeeds, but the producer is in an error state by then
        sleepsThen(() -> producer.failSends(new IllegalStateException("transaction aborted")));
        assertThatThrownBy(() -> h.write(1, SIX, writer, false))
                .isInstanceOf(VeloBatchFailedException.class)
                .hasMessageContaining("record index 1")
                .hasMessageContaining("transaction")
                .hasRootCauseMessage("transaction aborted");
        assertThat(dlq).isEmpty();
    }

    @Test
    void aSendErrorOrFailBatchStillFailsTheTask() {
        producer.failSends(new IllegalStateException("transaction aborted"));
        FailureHandler<String> dlqHandler = handler(FailureConfig.of(FailureStrategy.SEND_TO_DLQ));
        assertThatThrownBy(() -> dlqHandler.write(1, SIX, writer, false))
                .isInstanceOf(VeloBatchFailedException.class)
                .hasMessageContaining("record index 0")
                .hasMessageContaining("transaction");

        producer.failSends(null);
        serializationFails("c", () -> new IllegalArgumentException("bad c"), 1);
        FailureHandler<String> failBatch = handler(FailureConfig.defaults());
        assertThatThrownBy(() -> failBatch.write(2, SIX, writer, false))
                .isInstanceOf(VeloBatchFailedException.class)
                .hasMessageContaining("record index 2")
                .hasRootCauseMessage("bad c");
        assertThat(dlq).isEmpty();
        assertThat(metrics.numRecordsDropped().getCount()).isZero();
    }

    private Runnable afterFirstSleep;

    /** Runs {@code r} during the first backoff wait. */
    private void sleepsThen(Runnable r) {
        afterFirstSleep = r;
    }

    /** A retriable error, as a serializer may throw it (unchecked, with the marked cause). */
    private static RuntimeException busy(String message) {
        return new IllegalStateException(message, new VeloRetriableException(message));
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
}
