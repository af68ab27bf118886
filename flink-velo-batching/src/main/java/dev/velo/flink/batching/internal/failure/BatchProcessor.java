package dev.velo.flink.batching.internal.failure;

import org.apache.flink.annotation.Internal;

/**
 * What {@link FailureHandler} runs for a batch: a throw from {@link #processRecord} is a failure of
 * that record (its index is known), a throw from {@link #finishBatch} a failure of the batch. On a
 * batch retry the records that are still alive are processed again, then finishBatch.
 */
@Internal
public interface BatchProcessor<T> {

    void processRecord(T record) throws Exception;

    void finishBatch() throws Exception;
}
