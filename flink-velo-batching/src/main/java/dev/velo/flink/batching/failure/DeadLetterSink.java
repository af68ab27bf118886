package dev.velo.flink.batching.failure;

import dev.velo.flink.batching.dlq.DeadLetter;
import org.apache.flink.annotation.PublicEvolving;

/** Where {@link FailureHandler} hands dead letters: a side output or a DLQ writer. */
@PublicEvolving
@FunctionalInterface
public interface DeadLetterSink {
    void accept(DeadLetter deadLetter) throws Exception;
}
