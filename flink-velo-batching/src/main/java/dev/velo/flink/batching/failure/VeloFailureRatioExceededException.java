package dev.velo.flink.batching.failure;

import org.apache.flink.annotation.PublicEvolving;

/** The error-rate guard tripped: too large a share of records failed within the window. */
@PublicEvolving
public class VeloFailureRatioExceededException extends Exception {
    private static final long serialVersionUID = 1L;

    public VeloFailureRatioExceededException(String message) {
        super(message);
    }
}
