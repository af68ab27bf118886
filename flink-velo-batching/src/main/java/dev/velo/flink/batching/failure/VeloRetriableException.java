package dev.velo.flink.batching.failure;

import org.apache.flink.annotation.PublicEvolving;

/** Thrown (or used as a cause) by user code to mark a failure as worth retrying. */
@PublicEvolving
public class VeloRetriableException extends Exception {
    private static final long serialVersionUID = 1L;

    public VeloRetriableException(String message) {
        super(message);
    }

    public VeloRetriableException(String message, Throwable cause) {
        super(message, cause);
    }
}
