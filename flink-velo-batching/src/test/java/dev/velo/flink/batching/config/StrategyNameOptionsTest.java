package dev.velo.flink.batching.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.apache.flink.table.api.ValidationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests the spellings accepted for batch and failure strategy names. */
class StrategyNameOptionsTest {

    static Stream<Arguments> batchNames() {
        return Stream.of(
                Arguments.of("fixed_size", BatchStrategyType.FIXED_SIZE),
                Arguments.of("fixedsize", BatchStrategyType.FIXED_SIZE),
                Arguments.of("FixedSize", BatchStrategyType.FIXED_SIZE),
                Arguments.of("FIXED_SIZE", BatchStrategyType.FIXED_SIZE),
                Arguments.of(" Fixed_Size ", BatchStrategyType.FIXED_SIZE),
                Arguments.of("time_window", BatchStrategyType.TIME_WINDOW),
                Arguments.of("TimeWindow", BatchStrategyType.TIME_WINDOW),
                Arguments.of("timewindow", BatchStrategyType.TIME_WINDOW),
                Arguments.of("memory_based", BatchStrategyType.MEMORY_BASED),
                Arguments.of("MemoryBased", BatchStrategyType.MEMORY_BASED),
                Arguments.of("MEMORYBASED", BatchStrategyType.MEMORY_BASED),
                Arguments.of("adaptive_size", BatchStrategyType.ADAPTIVE_SIZE),
                Arguments.of("AdaptiveSize", BatchStrategyType.ADAPTIVE_SIZE),
                Arguments.of("adaptivesize", BatchStrategyType.ADAPTIVE_SIZE),
                Arguments.of("low_latency", BatchStrategyType.LOW_LATENCY),
                Arguments.of("LowLatency", BatchStrategyType.LOW_LATENCY),
                Arguments.of("lowLatency", BatchStrategyType.LOW_LATENCY),
                Arguments.of("mega_batch", BatchStrategyType.MEGA_BATCH),
                Arguments.of("MegaBatch", BatchStrategyType.MEGA_BATCH),
                Arguments.of("megabatch", BatchStrategyType.MEGA_BATCH));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batchNames")
    void parsesBatchStrategyNames(String name, BatchStrategyType expected) {
        assertThat(BatchStrategyType.parse("batch.strategy", name)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "fixed", "fixed size", "size_fixed", "mega", "FixedSizes", "1"})
    void rejectsUnknownBatchStrategyNames(String name) {
        assertThatThrownBy(() -> BatchStrategyType.parse("batch.strategy", name))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'batch.strategy'")
                .hasMessageContaining("'" + name + "'")
                .hasMessageContaining(
                        "fixed_size, time_window, memory_based, adaptive_size, low_latency,"
                                + " mega_batch");
    }

    static Stream<Arguments> failureNames() {
        return Stream.of(
                Arguments.of("LogAndContinue", FailureStrategy.LOG_AND_CONTINUE),
                Arguments.of("log_and_continue", FailureStrategy.LOG_AND_CONTINUE),
                Arguments.of("logandcontinue", FailureStrategy.LOG_AND_CONTINUE),
                Arguments.of("LOG_AND_CONTINUE", FailureStrategy.LOG_AND_CONTINUE),
                Arguments.of("SendToDLQ", FailureStrategy.SEND_TO_DLQ),
                Arguments.of("send_to_dlq", FailureStrategy.SEND_TO_DLQ),
                Arguments.of("sendtodlq", FailureStrategy.SEND_TO_DLQ),
                Arguments.of("SendToDlq", FailureStrategy.SEND_TO_DLQ),
                Arguments.of("FailBatch", FailureStrategy.FAIL_BATCH),
                Arguments.of("fail_batch", FailureStrategy.FAIL_BATCH),
                Arguments.of(" failbatch ", FailureStrategy.FAIL_BATCH),
                Arguments.of("RetryWithBackoff", FailureStrategy.RETRY_WITH_BACKOFF),
                Arguments.of("retry_with_backoff", FailureStrategy.RETRY_WITH_BACKOFF),
                Arguments.of("RETRYWITHBACKOFF", FailureStrategy.RETRY_WITH_BACKOFF));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failureNames")
    void parsesFailureStrategyNames(String name, FailureStrategy expected) {
        assertThat(FailureStrategy.parse("failure_strategy", name)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "retry", "DLQ", "skip", "LogAndContinue2"})
    void rejectsUnknownFailureStrategyNames(String name) {
        assertThatThrownBy(() -> FailureStrategy.parse("failure_strategy", name))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'failure_strategy'")
                .hasMessageContaining("'" + name + "'")
                .hasMessageContaining("LogAndContinue, SendToDLQ, FailBatch, RetryWithBackoff");
    }
}
