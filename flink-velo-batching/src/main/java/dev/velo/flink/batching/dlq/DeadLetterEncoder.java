package dev.velo.flink.batching.dlq;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import org.apache.flink.annotation.PublicEvolving;

/** Turns a failed record into the {@code payload} bytes of its {@link DeadLetter}. */
@PublicEvolving
@FunctionalInterface
public interface DeadLetterEncoder<T> extends Serializable {

    byte[] payload(T record);

    /** {@code String.valueOf(record)} in UTF-8; byte arrays are passed through unchanged. */
    static <T> DeadLetterEncoder<T> toStringUtf8() {
        return record ->
                record instanceof byte[]
                        ? (byte[]) record
                        : String.valueOf(record).getBytes(StandardCharsets.UTF_8);
    }
}
