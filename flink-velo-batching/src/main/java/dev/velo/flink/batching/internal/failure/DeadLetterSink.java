package dev.velo.flink.batching.internal.failure;

import dev.velo.flink.batching.dlq.DeadLetter;
import org.apache.flink.annotation.Internal;

/** Where {@link FailureHandler} hands dead letters: a side output or a DLQ writer. */
@Internal
@FunctionalInterface
public interface DeadLetterSink {
    void accept(DeadLetter deadLetter) throws Exception;
}
