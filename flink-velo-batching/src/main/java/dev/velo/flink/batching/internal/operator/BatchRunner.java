package dev.velo.flink.batching.internal.operator;

import dev.velo.flink.batching.internal.failure.BatchProcessor;
import dev.velo.flink.batching.internal.failure.FailureHandler;
import dev.velo.flink.batching.internal.failure.NotARecordFailureException;
import java.util.List;
import java.util.function.LongSupplier;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Runs one flushed batch of a {@link BatchingOperator} under the failure strategy: through the user
 * function's {@link BatchProcessor}, or, for pass-through, emitted unchanged. Under
 * RetryWithBackoff with a mailbox ({@code retryOnTimer}), a batch (or its records) failing with a
 * retriable error becomes the retry batch of the {@link RetryQueue}: copied, kept (and
 * checkpointed), retried by a processing-time timer at the backoff's deadline; the call returns, so
 * the task goes on (a checkpoint completes, timers fire) during the backoff.
 */
@Internal
final class BatchRunner<IN, OUT> implements RetryQueue.Runner<IN> {

    private final FailureHandler<StreamRecord<IN>> failureHandler;
    @Nullable private final BatchProcessor<StreamRecord<IN>> processor;
    private final boolean retryOnTimer;
    private final RetryQueue<IN> retryQueue;
    private final LongSupplier clock;
    private final Output<StreamRecord<OUT>> output;
    private final Counter numRecordsOut;
    private final long batchIdBase;
    private long batchSeq;
    // pass-through: the one record every value of a batch leaves in (as a hand-written stage would)
    private final StreamRecord<OUT> out = new StreamRecord<>(null);

    /**
     * @param processor the user function's calls; null for pass-through
     * @param batchIdBase the high bits of this subtask attempt's batch ids
     */
    BatchRunner(
            FailureHandler<StreamRecord<IN>> failureHandler,
            @Nullable BatchProcessor<StreamRecord<IN>> processor,
            boolean retryOnTimer,
            RetryQueue<IN> retryQueue,
            LongSupplier clock,
            Output<StreamRecord<OUT>> output,
            Counter numRecordsOut,
            long batchIdBase) {
        this.failureHandler = failureHandler;
        this.processor = processor;
        this.retryOnTimer = retryOnTimer;
        this.retryQueue = retryQueue;
        this.clock = clock;
        this.output = output;
        this.numRecordsOut = numRecordsOut;
        this.batchIdBase = batchIdBase;
    }

    /** The batch id base of a subtask's attempt: subtask index and attempt number in high bits. */
    static long batchIdBase(int subtask, int attempt) {
        return ((long) subtask << 40) | ((long) (attempt & 0xFF) << 32);
    }

    /** Runs one batch whose records had {@code retriesDone} retries (0 for a new batch). */
    @Override
    public void run(List<StreamRecord<IN>> batch, int retriesDone) throws Exception {
        long batchId = batchIdBase + (++batchSeq);
        if (processor == null) {
            emitUnchanged(batch);
            return;
        }
        try {
            if (!retryOnTimer) {
                failureHandler.process(batchId, batch, processor);
                return;
            }
            FailureHandler.Outcome<StreamRecord<IN>> outcome =
                    failureHandler.processOnce(batchId, batch, processor, retriesDone);
            if (!outcome.retry().isEmpty()) {
                retryQueue.retryLater(
                        outcome.retry(),
                        outcome.attempt(),
                        clock.getAsLong() + outcome.delayMillis());
            }
        } catch (NotARecordFailureException downstream) {
            throw downstream.unwrap();
        }
    }

    /**
     * Whether there is no function: batches leave unchanged ({@link #emitUnchanged(List,
     * BatchTimestamps)}).
     */
    boolean passesThrough() {
        return processor == null;
    }

    /**
     * Pass-through of a new batch: emits {@code values} with their timestamps, in order, each in
     * the same StreamRecord (the one {@link #run} would emit them in, without a holder per record).
     */
    @SuppressWarnings("unchecked")
    void emitUnchanged(List<IN> values, BatchTimestamps timestamps) {
        StreamRecord<OUT> r = out;
        int n = values.size();
        if (timestamps.uniform()) {
            if (timestamps.sharedHas()) {
                long ts = timestamps.sharedTimestamp();
                for (int i = 0; i < n; i++) {
                    output.collect(r.replace((OUT) values.get(i), ts));
                }
            } else {
                for (int i = 0; i < n; i++) {
                    r.replace((OUT) values.get(i));
                    // every time: a downstream operator may have set a timestamp on the record
                    r.eraseTimestamp();
                    output.collect(r);
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                output.collect(timestamps.fill(r, (OUT) values.get(i), i));
            }
        }
        countUnchanged(n);
    }

    /** The record every pass-through batch leaves in, one record after the other. */
    StreamRecord<OUT> passThroughRecord() {
        return out;
    }

    /**
     * Counts a pass-through batch of {@code n} records that left in {@link #passThroughRecord()},
     * from here or from the operator's {@code processElement}.
     */
    void countUnchanged(int n) {
        ++batchSeq;
        numRecordsOut.inc(n);
    }

    /** Counts a retry of {@code records} (nothing for pass-through, which never retries). */
    @Override
    public void countRetries(int records) {
        if (processor != null) {
            failureHandler.countRetries(records);
        }
    }

    /**
     * Pass-through (no function): the records leave unchanged. Nothing here can fail as a record
     * (only a downstream operator can throw, which fails the task as it would without flink-velo),
     * so the failure handler has nothing to decide and the batch is emitted in a plain loop.
     */
    @SuppressWarnings("unchecked")
    private void emitUnchanged(List<StreamRecord<IN>> batch) {
        int n = batch.size();
        for (int i = 0; i < n; i++) {
            output.collect((StreamRecord<OUT>) (StreamRecord<?>) batch.get(i));
        }
        numRecordsOut.inc(n);
    }
}
