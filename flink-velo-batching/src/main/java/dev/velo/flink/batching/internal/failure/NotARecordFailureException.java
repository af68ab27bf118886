package dev.velo.flink.batching.internal.failure;

import org.apache.flink.annotation.Internal;

/**
 * Carries an exception that a {@link BatchProcessor} met outside the work the failure strategy
 * covers (e.g. a downstream operator throwing inside {@code output.collect}) through {@link
 * FailureHandler} unhandled: the handler never retries, drops or dead-letters it. The caller
 * unwraps it with {@link #unwrap()} and rethrows the original, so the job fails exactly as it would
 * without flink-velo.
 */
@Internal
public final class NotARecordFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotARecordFailureException(RuntimeException cause) {
        // no stack trace of its own: only the cause's matters, and it is rethrown unchanged
        super(cause.getMessage(), cause, false, false);
    }

    /** The original exception, to rethrow. */
    public RuntimeException unwrap() {
        return (RuntimeException) getCause();
    }
}
