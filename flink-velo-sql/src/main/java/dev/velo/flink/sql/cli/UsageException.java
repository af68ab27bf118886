package dev.velo.flink.sql.cli;

import org.apache.flink.annotation.Internal;

/** Wrong arguments: the command prints the message and the usage, and exits with 2. */
@Internal
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
