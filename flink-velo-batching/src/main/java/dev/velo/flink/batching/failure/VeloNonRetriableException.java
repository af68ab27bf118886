package dev.velo.flink.batching.failure;

import org.apache.flink.annotation.PublicEvolving;

/**
 * Marks a failure that retrying cannot cure (e.g. bytes a format cannot decode), whatever its
 * cause: {@link RetriableErrors} stops at it and never retries it.
 */
@PublicEvolving
public class VeloNonRetriableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VeloNonRetriableException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A marker without a stack trace of its own, for a hot path that wraps an error whose {@code
     * cause} already has the trace (e.g. a decoding error of every malformed record).
     */
    public static VeloNonRetriableException withoutOwnStackTrace(String message, Throwable cause) {
        return new VeloNonRetriableException(message, cause, false);
    }

    protected VeloNonRetriableException(
            String message, Throwable cause, boolean writableStackTrace) {
        super(message, cause, true, writableStackTrace);
    }
}
