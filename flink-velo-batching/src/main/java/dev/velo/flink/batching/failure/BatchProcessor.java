package dev.velo.flink.batching.failure;

import org.apache.flink.annotation.PublicEvolving;

/**
 * What {@link FailureHandler} runs for a batch: a throw from {@link #processRecord} is a failure of
 * that record (its index is known), a throw from {@link #finishBatch} a failure of the batch. On a
 * batch retry the records that are still alive are processed again, then finishBatch.
 */
@PublicEvolving
public interface BatchProcessor<T> {

    void processRecord(T record) throws Exception;

    void finishBatch() throws Exception;
}
