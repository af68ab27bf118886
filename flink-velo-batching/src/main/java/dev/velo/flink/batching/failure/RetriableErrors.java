package dev.velo.flink.batching.failure;

import java.io.IOException;
import java.util.concurrent.TimeoutException;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Decides which failures are worth retrying: I/O errors, timeouts, and anything in the cause chain
 * whose class is named {@code *RetriableException}, {@code *TimeoutException} or {@code
 * *TransientException} (Kafka's, JDBC's, AWS's conventions) or is a {@link VeloRetriableException}.
 * Decoding and validation errors are not, nor is anything wrapped in a {@link
 * VeloNonRetriableException}.
 */
@PublicEvolving
public final class RetriableErrors {

    private static final int MAX_CHAIN = 32;

    private RetriableErrors() {}

    public static boolean isRetriable(Throwable error) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < MAX_CHAIN; depth++) {
            if (t instanceof VeloNonRetriableException) {
                return false;
            }
            if (t instanceof IOException
                    || t instanceof TimeoutException
                    || t instanceof VeloRetriableException) {
                return true;
            }
            for (Class<?> c = t.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
                String name = c.getSimpleName();
                if (name.endsWith("RetriableException")
                        || name.endsWith("TimeoutException")
                        || name.endsWith("TransientException")) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
            t = t.getCause();
        }
        return false;
    }
}
