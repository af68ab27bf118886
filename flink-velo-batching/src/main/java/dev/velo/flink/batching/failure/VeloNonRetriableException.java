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
}
