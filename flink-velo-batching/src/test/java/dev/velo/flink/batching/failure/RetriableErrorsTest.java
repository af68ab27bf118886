package dev.velo.flink.batching.failure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.internal.failure.BatchProcessor;
import dev.velo.flink.batching.internal.failure.FailureHandler;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.MalformedInputException;
import java.sql.BatchUpdateException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLRecoverableException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.flink.kafka.shaded.org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.flink.kafka.shaded.org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.flink.kafka.shaded.org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RetriableErrorsTest {

    private static boolean retriable(Throwable t) {
        return RetriableErrors.isRetriable(t);
    }

    @Test
    void nonTransientSqlErrorsAreNotRetriedTransientOnesAre() {
        // SQLNonTransientException's name ends in "TransientException": it must not count as one
        assertThat(retriable(new SQLIntegrityConstraintViolationException("duplicate key")))
                .isFalse();
        assertThat(retriable(new SQLSyntaxErrorException("bad sql"))).isFalse();
        assertThat(retriable(new SQLTransientConnectionException("pool exhausted"))).isTrue();
        assertThat(retriable(new SQLRecoverableException("connection lost"))).isTrue();
        // a JDBC batch failure (a plain SQLException) is decided by its cause
        BatchUpdateException batch = new BatchUpdateException("batch failed", new int[0]);
        batch.initCause(new SQLIntegrityConstraintViolationException("duplicate key"));
        assertThat(retriable(batch)).isFalse();
        assertThat(RetriableErrors.classify(batch, List.of(), List.of()).toString())
                .isEqualTo(
                        "non_retriable: non-transient SQL error"
                                + " (java.sql.SQLIntegrityConstraintViolationException)");
    }

    @Test
    void parseErrorsAreNotRetriedThoughTheyAreIoExceptions() {
        Exception parse = null;
        try {
            new ObjectMapper().readTree("{\"order_id\": ");
        } catch (Exception e) {
            parse = e;
        }
        assertThat(parse).isInstanceOf(IOException.class);
        assertThat(retriable(parse)).isFalse();
        assertThat(retriable(new IOException("decode", parse))).isFalse();
        assertThat(retriable(new MalformedInputException(3))).isFalse();
        assertThat(retriable(new IOException(new NumberFormatException("x")))).isFalse();
        assertThat(RetriableErrors.classify(parse, List.of(), List.of()).reason())
                .isEqualTo("parse or serialization error");
    }

    @Test
    void kafkaErrorsAreMatchedByNameAlsoWhenRelocated() {
        RecordTooLargeException tooLarge = new RecordTooLargeException("1048577 bytes");
        assertThat(tooLarge.getClass().getName()).startsWith("org.apache.flink.kafka.shaded.");
        assertThat(retriable(tooLarge)).isFalse();
        assertThat(retriable(new IOException("send failed", tooLarge))).isFalse();
        assertThat(
                        retriable(
                                new RuntimeException(
                                        new IOException(
                                                new TopicAuthorizationException("orders")))))
                .as("authorization, by a superclass's name, two causes deep")
                .isFalse();
        assertThat(retriable(new IOException(new NotLeaderOrFollowerException("moving")))).isTrue();
        assertThat(RetriableErrors.classify(new IOException(tooLarge), List.of(), List.of()))
                .hasToString(
                        "non_retriable: record too large (" + tooLarge.getClass().getName() + ")");
    }

    @Test
    void transientErrorsAreRetried() {
        assertThat(retriable(new IOException("reset"))).isTrue();
        assertThat(retriable(new SocketTimeoutException())).isTrue();
        assertThat(retriable(new TimeoutException())).isTrue();
        assertThat(retriable(new UncheckedIOException(new IOException("reset")))).isTrue();
        assertThat(retriable(new VeloRetriableException("x"))).isTrue();
        assertThat(retriable(new IllegalStateException("bug"))).isFalse();
        assertThat(retriable(new VeloNonRetriableException("no", new IOException()))).isFalse();
        assertThat(retriable(null)).isFalse();
    }

    @Test
    void configuredClassesAddToTheRulesAndNonRetriableWins() {
        FailureConfig config =
                FailureConfig.builder()
                        .retriableErrors(
                                List.of("java.lang.IllegalStateException", "DeadlockException"))
                        .nonRetriableErrors(List.of("java.net.UnknownHostException"))
                        .build();
        assertThat(RetriableErrors.isRetriable(new IllegalStateException("busy"), config)).isTrue();
        assertThat(
                        RetriableErrors.isRetriable(
                                new RuntimeException(new DeadlockException()), config))
                .as("simple name of a nested class, in the cause chain")
                .isTrue();
        assertThat(
                        RetriableErrors.isRetriable(
                                new java.net.UnknownHostException("broker-1"), config))
                .as("an IOException listed as non-retriable")
                .isFalse();
        assertThat(
                        RetriableErrors.isRetriable(
                                new IllegalStateException(
                                        new java.net.UnknownHostException("broker-1")),
                                config))
                .as("non-retriable wins over retriable")
                .isFalse();
        assertThat(RetriableErrors.classify(new IllegalStateException(), config))
                .hasToString(
                        "retriable: listed in retry.retriable_errors"
                                + " (java.lang.IllegalStateException)");
        // a superclass listed matches its subclasses; a name is not a substring match
        FailureConfig bySuper =
                FailureConfig.builder().retriableErrors(List.of("RuntimeException")).build();
        assertThat(RetriableErrors.isRetriable(new IllegalArgumentException(), bySuper)).isTrue();
        FailureConfig partial =
                FailureConfig.builder().retriableErrors(List.of("StateException")).build();
        assertThat(RetriableErrors.isRetriable(new IllegalStateException(), partial)).isFalse();
    }

    @Test
    void aCyclicCauseChainEnds() {
        RuntimeException a = new RuntimeException("a");
        IllegalStateException b = new IllegalStateException("b", a);
        a.initCause(b);
        assertThat(retriable(a)).isFalse();
    }

    @Test
    void theDeadLetterShowsTheDecisionUnderTheConfiguredLists() throws Exception {
        List<DeadLetter> dlq = new ArrayList<>();
        FailureConfig config =
                FailureConfig.builder()
                        .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                        .maxRetries(2)
                        .retryExhaustedStrategy(FailureStrategy.SEND_TO_DLQ)
                        .nonRetriableErrors(List.of("java.io.FileNotFoundException"))
                        .build();
        FailureHandler<String> h =
                new FailureHandler<>(
                        config,
                        "orders",
                        DeadLetter.SIDE_SINK,
                        null,
                        dlq::add,
                        VeloMetrics.inMemory(),
                        millis -> {},
                        () -> 0L);
        h.process(
                1,
                List.of("listed", "transient"),
                new BatchProcessor<>() {
                    @Override
                    public void processRecord(String r) throws Exception {
                        throw r.equals("listed")
                                ? new java.io.FileNotFoundException("gone")
                                : new IOException("reset");
                    }

                    @Override
                    public void finishBatch() {}
                });
        assertThat(dlq).hasSize(2);
        DeadLetter listed = dlq.get(0).getPayload()[0] == 'l' ? dlq.get(0) : dlq.get(1);
        DeadLetter exhausted = listed == dlq.get(0) ? dlq.get(1) : dlq.get(0);
        assertThat(listed.getAttempts()).as("never retried").isEqualTo(1);
        assertThat(listed.getRetryDecision())
                .isEqualTo(
                        "non_retriable: listed in retry.non_retriable_errors"
                                + " (java.io.FileNotFoundException)");
        assertThat(exhausted.getAttempts()).isEqualTo(3);
        assertThat(exhausted.getRetryDecision())
                .isEqualTo("retriable: I/O error (java.io.IOException)");
    }

    static final class DeadlockException extends RuntimeException {}
}
