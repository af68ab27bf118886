package dev.velo.flink.sql.dlq;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import java.nio.charset.StandardCharsets;
import org.apache.flink.annotation.Internal;

/**
 * Prints dead letters as JSON to standard out ({@code print}) or discards them ({@code blackhole}).
 */
@Internal
public final class PrintDlqWriterFactory extends DlqWriterFactory {
    private static final long serialVersionUID = 1L;

    private final boolean discard;

    public PrintDlqWriterFactory(boolean discard) {
        this.discard = discard;
    }

    @Override
    public DeadLetterWriter open(int subtaskIndex, int attemptNumber) {
        return new DeadLetterWriter() {
            @Override
            public void write(DeadLetter deadLetter) {
                if (!discard) {
                    System.out.println(
                            "DLQ:"
                                    + subtaskIndex
                                    + "> "
                                    + new String(
                                            DeadLetterSchema.toJson(deadLetter),
                                            StandardCharsets.UTF_8));
                }
            }

            @Override
            public void flush() {
                System.out.flush();
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public String describe() {
        return discard ? "blackhole" : "print";
    }
}
