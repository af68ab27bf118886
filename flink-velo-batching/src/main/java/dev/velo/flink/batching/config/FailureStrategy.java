package dev.velo.flink.batching.config;

import org.apache.flink.annotation.PublicEvolving;

/** What happens to a record (or batch) whose processing failed. */
@PublicEvolving
public enum FailureStrategy {
    /** Log metadata, count in {@code numRecordsDropped}, continue. */
    LOG_AND_CONTINUE("LogAndContinue"),
    /** Emit a dead letter and continue. */
    SEND_TO_DLQ("SendToDLQ"),
    /** Fail the task; Flink's restart strategy takes over. */
    FAIL_BATCH("FailBatch"),
    /** Retry with exponential backoff, then apply the retry-exhausted strategy. */
    RETRY_WITH_BACKOFF("RetryWithBackoff");

    private final String displayName;

    FailureStrategy(String displayName) {
        this.displayName = displayName;
    }

    /** The canonical name used in WITH clauses, e.g. {@code SendToDLQ}. */
    public String displayName() {
        return displayName;
    }
}
