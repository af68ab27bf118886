package dev.velo.flink.batching.internal.failure;

import org.apache.flink.annotation.Internal;

/**
 * A writer whose writes complete in the background, as {@link FailureHandler#write} sees it (a Sink
 * V2 writer such as Kafka's): a record's failure may be reported by a later {@link #write} or by
 * {@link #flush}, and so may belong to any record written since the last successful flush.
 */
@Internal
public interface AsyncWriteProcessor<T> {

    /** Hands one record to the writer; a throw may report this record's or an earlier failure. */
    void write(T record) throws Exception;

    /**
     * Waits until every record written so far is delivered; a throw means that at least one record
     * written since the last successful flush failed.
     */
    void flush() throws Exception;
}
