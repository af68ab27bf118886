package dev.velo.flink.batching.internal.metrics;

import org.apache.flink.annotation.Internal;

/** Why a batch was flushed. */
@Internal
public enum FlushReason {
    /** The strategy's size or memory trigger fired on add. */
    SIZE,
    /** The batch's deadline (timeout, window, wait, eager) passed. */
    TIMER,
    /** Before a checkpoint barrier. */
    CHECKPOINT,
    /** End of (bounded) input or operator finish. */
    END_OF_INPUT
}
