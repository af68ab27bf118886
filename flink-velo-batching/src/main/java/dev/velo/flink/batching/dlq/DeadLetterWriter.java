package dev.velo.flink.batching.dlq;

import java.io.IOException;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Delivers dead letters to a DLQ from inside a sink writer. {@link #flush()} must make every letter
 * written so far durable: it is called before each checkpoint barrier, so a dead letter is stored
 * before the checkpoint that skips its record completes.
 */
@PublicEvolving
public interface DeadLetterWriter extends AutoCloseable {

    void write(DeadLetter deadLetter) throws IOException;

    void flush() throws IOException;
}
