package dev.velo.flink.batching.dlq;

import dev.velo.flink.batching.failure.RetriableErrors;
import dev.velo.flink.batching.failure.VeloNonRetriableException;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A record that could not be processed, with the cause and where it came from: one row of the fixed
 * DLQ schema (DESIGN.md §5). A Flink POJO (public no-arg constructor, getters and setters), so it
 * travels through side outputs without Kryo.
 */
@PublicEvolving
public class DeadLetter implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Stack traces are cut to this many characters so one bad record cannot bloat the DLQ. */
    public static final int MAX_STACK_TRACE_CHARS = 8 * 1024;

    public static final String SIDE_SOURCE = "source";
    public static final String SIDE_SINK = "sink";
    public static final String SIDE_PROCESS = "process";

    private byte[] payload;
    private String errorClass;
    private String errorMessage;
    private String stackTrace;
    private int attempts;
    private long failedAtMillis;
    private String tableName;
    private String side;
    private String strategy;
    private long batchId;
    private String kafkaTopic;
    private Integer kafkaPartition;
    private Long kafkaOffset;
    private String retryDecision;

    public DeadLetter() {}

    /**
     * A dead letter for {@code payload} failed with {@code error}; Kafka provenance stays null (set
     * it with the setters or the builder).
     */
    public static DeadLetter of(
            byte[] payload,
            Throwable error,
            int attempts,
            long failedAtMillis,
            String tableName,
            String side,
            String strategy,
            long batchId) {
        return builder()
                .payload(payload)
                .error(error)
                .attempts(attempts)
                .failedAtMillis(failedAtMillis)
                .tableName(tableName)
                .side(side)
                .strategy(strategy)
                .batchId(batchId)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The stack trace of {@code t}, cut to {@link #MAX_STACK_TRACE_CHARS}. */
    public static String boundedStackTrace(Throwable t) {
        if (t == null) {
            return null;
        }
        return BoundedStackTrace.render(t, MAX_STACK_TRACE_CHARS);
    }

    public byte[] getPayload() {
        return payload;
    }

    public void setPayload(byte[] payload) {
        this.payload = payload;
    }

    public String getErrorClass() {
        return errorClass;
    }

    public void setErrorClass(String errorClass) {
        this.errorClass = errorClass;
    }

    public String getErrorMessage() {
        return errorMessage;
    }

    public void setErrorMessage(String errorMessage) {
        this.errorMessage = errorMessage;
    }

    public String getStackTrace() {
        return stackTrace;
    }

    /** Sets the stack trace, cut to {@link #MAX_STACK_TRACE_CHARS}. */
    public void setStackTrace(String stackTrace) {
        this.stackTrace =
                stackTrace != null && stackTrace.length() > MAX_STACK_TRACE_CHARS
                        ? stackTrace.substring(0, MAX_STACK_TRACE_CHARS)
                        : stackTrace;
    }

    public int getAttempts() {
        return attempts;
    }

    public void setAttempts(int attempts) {
        this.attempts = attempts;
    }

    public long getFailedAtMillis() {
        return failedAtMillis;
    }

    public void setFailedAtMillis(long failedAtMillis) {
        this.failedAtMillis = failedAtMillis;
    }

    public String getTableName() {
        return tableName;
    }

    public void setTableName(String tableName) {
        this.tableName = tableName;
    }

    public String getSide() {
        return side;
    }

    public void setSide(String side) {
        this.side = side;
    }

    public String getStrategy() {
        return strategy;
    }

    public void setStrategy(String strategy) {
        this.strategy = strategy;
    }

    public long getBatchId() {
        return batchId;
    }

    public void setBatchId(long batchId) {
        this.batchId = batchId;
    }

    public String getKafkaTopic() {
        return kafkaTopic;
    }

    public void setKafkaTopic(String kafkaTopic) {
        this.kafkaTopic = kafkaTopic;
    }

    public Integer getKafkaPartition() {
        return kafkaPartition;
    }

    public void setKafkaPartition(Integer kafkaPartition) {
        this.kafkaPartition = kafkaPartition;
    }

    public Long getKafkaOffset() {
        return kafkaOffset;
    }

    public void setKafkaOffset(Long kafkaOffset) {
        this.kafkaOffset = kafkaOffset;
    }

    /**
     * Whether the error was retriable and why, e.g. {@code non_retriable: record too large
     * (org.apache.kafka.common.errors.RecordTooLargeException)} or {@code retriable: I/O error
     * (java.net.SocketException)}; see {@link RetriableErrors.Decision#toString()}. A retriable
     * error reaches the DLQ when its retries are exhausted or the strategy does not retry.
     */
    public String getRetryDecision() {
        return retryDecision;
    }

    public void setRetryDecision(String retryDecision) {
        this.retryDecision = retryDecision;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DeadLetter)) {
            return false;
        }
        DeadLetter that = (DeadLetter) o;
        return attempts == that.attempts
                && failedAtMillis == that.failedAtMillis
                && batchId == that.batchId
                && Arrays.equals(payload, that.payload)
                && Objects.equals(errorClass, that.errorClass)
                && Objects.equals(errorMessage, that.errorMessage)
                && Objects.equals(stackTrace, that.stackTrace)
                && Objects.equals(tableName, that.tableName)
                && Objects.equals(side, that.side)
                && Objects.equals(strategy, that.strategy)
                && Objects.equals(kafkaTopic, that.kafkaTopic)
                && Objects.equals(kafkaPartition, that.kafkaPartition)
                && Objects.equals(kafkaOffset, that.kafkaOffset)
                && Objects.equals(retryDecision, that.retryDecision);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(errorClass, tableName, side, batchId, failedAtMillis, kafkaOffset)
                + Arrays.hashCode(payload);
    }

    /** Metadata only: the payload is never printed (it may hold personal data). */
    @Override
    public String toString() {
        return "DeadLetter{table="
                + tableName
                + ", side="
                + side
                + ", strategy="
                + strategy
                + ", batchId="
                + batchId
                + ", attempts="
                + attempts
                + ", errorClass="
                + errorClass
                + ", errorMessage="
                + errorMessage
                + ", retryDecision="
                + retryDecision
                + ", payloadBytes="
                + (payload == null ? 0 : payload.length)
                + (kafkaTopic == null
                        ? ""
                        : ", kafka=" + kafkaTopic + "/" + kafkaPartition + "@" + kafkaOffset)
                + '}';
    }

    /** Builder of {@link DeadLetter}. */
    @PublicEvolving
    public static final class Builder {
        private final DeadLetter dl = new DeadLetter();

        private Builder() {}

        public Builder payload(byte[] payload) {
            dl.setPayload(payload);
            return this;
        }

        /**
         * Sets error class, message and the bounded stack trace from {@code error}, and the retry
         * decision of the built-in rules (without configured class lists; set {@link
         * #retryDecision} after this to use them).
         */
        public Builder error(Throwable error) {
            if (error != null) {
                dl.setRetryDecision(
                        RetriableErrors.classify(error, List.of(), List.of()).toString());
            }
            if (error instanceof VeloNonRetriableException && error.getCause() != null) {
                // The marker only steers retries; the user wants the real cause.
                error = error.getCause();
            }
            if (error != null) {
                dl.setErrorClass(error.getClass().getName());
                dl.setErrorMessage(error.getMessage());
                dl.setStackTrace(boundedStackTrace(error));
            }
            return this;
        }

        public Builder errorClass(String v) {
            dl.setErrorClass(v);
            return this;
        }

        public Builder errorMessage(String v) {
            dl.setErrorMessage(v);
            return this;
        }

        public Builder stackTrace(String v) {
            dl.setStackTrace(v);
            return this;
        }

        public Builder attempts(int v) {
            dl.setAttempts(v);
            return this;
        }

        public Builder failedAtMillis(long v) {
            dl.setFailedAtMillis(v);
            return this;
        }

        public Builder tableName(String v) {
            dl.setTableName(v);
            return this;
        }

        public Builder side(String v) {
            dl.setSide(v);
            return this;
        }

        public Builder strategy(String v) {
            dl.setStrategy(v);
            return this;
        }

        public Builder batchId(long v) {
            dl.setBatchId(v);
            return this;
        }

        public Builder retryDecision(String v) {
            dl.setRetryDecision(v);
            return this;
        }

        public Builder kafka(String topic, Integer partition, Long offset) {
            dl.setKafkaTopic(topic);
            dl.setKafkaPartition(partition);
            dl.setKafkaOffset(offset);
            return this;
        }

        public DeadLetter build() {
            return dl;
        }
    }
}
