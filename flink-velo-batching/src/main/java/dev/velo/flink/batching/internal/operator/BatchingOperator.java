package dev.velo.flink.batching.internal.operator;

import dev.velo.flink.batching.batcher.RecordSizeEstimator;
import dev.velo.flink.batching.batcher.RecordSizeEstimators;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.internal.batcher.ArrivalClock;
import dev.velo.flink.batching.internal.batcher.Batcher;
import dev.velo.flink.batching.internal.batcher.Batchers;
import dev.velo.flink.batching.internal.batcher.FlushTimer;
import dev.velo.flink.batching.internal.failure.BatchProcessor;
import dev.velo.flink.batching.internal.failure.FailureHandler;
import dev.velo.flink.batching.internal.failure.MailboxSleeper;
import dev.velo.flink.batching.internal.failure.NotARecordFailureException;
import dev.velo.flink.batching.internal.failure.Sleeper;
import dev.velo.flink.batching.internal.metrics.FlushReason;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import dev.velo.flink.batching.operator.BatchFunction;
import dev.velo.flink.batching.operator.RecordFunction;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.api.common.functions.util.FunctionUtils;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.Preconditions;

/**
 * The batching stage of a DataStream: collects records with the configured {@link Batcher} and, on
 * every flush, runs the batch through a {@link BatchFunction}, a {@link RecordFunction} or nothing
 * (pass-through, records leave in arrival order) under the configured failure strategy.
 *
 * <p>Flushes happen when the strategy's trigger fires (size on add, deadlines on processing-time
 * timers), before every checkpoint barrier, and at end of input; the operator therefore holds no
 * buffered records in a checkpoint. Dead letters leave through the side output {@link
 * #DEAD_LETTERS}.
 *
 * <p>Under RetryWithBackoff a batch that fails with a retriable error does not wait on the call
 * stack: the records to retry become the <i>retry batch</i>, kept by the operator and retried by a
 * processing-time timer at the backoff's deadline ({@link FailureHandler#processOnce}), so during
 * the backoff the task goes on (checkpoints complete, timers fire, a cancel is quick). Batches
 * flushed meanwhile queue behind the retry batch, in order, and the watermark is held; the retry
 * batch and the queue are the operator state {@value #RETRY_STATE} of a checkpoint taken meanwhile,
 * retried first after a restore. A full batch waiting in the queue, and the end of input, wait for
 * the queue (back-pressure). Watermarks that arrive while records are buffered are held back until
 * the batch is flushed, so buffering never turns records late downstream.
 *
 * <p>The failure strategy covers the user function's call only. Its outputs are emitted after the
 * call returns, outside the strategy: an exception of a downstream (chained) operator fails the job
 * as it would without flink-velo. Outputs are copied with the output type's serializer when
 * collected, so a function may reuse one output object across {@code collect} calls, as Flink's
 * {@link Collector} contract allows.
 */
@Internal
public class BatchingOperator<IN, OUT> extends AbstractStreamOperator<OUT>
        implements OneInputStreamOperator<IN, OUT>, ProcessingTimeCallback, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    /** Side output carrying the dead letters of SendToDLQ (also after retries). */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("velo-dead-letters", TypeInformation.of(DeadLetter.class));

    /**
     * Operator state holding the batch waiting for a retry (entries with its attempt, ≥ 1) and the
     * records flushed behind it (attempt 0), in order; empty when no retry is pending.
     */
    public static final String RETRY_STATE = RetryQueue.STATE_NAME;

    private final BatchConfig batchConfig;
    private final FailureConfig failureConfig;
    private final String tableName;
    @Nullable private final BatchFunction<IN, OUT> batchFunction;
    @Nullable private final RecordFunction<IN, OUT> recordFunction;
    private final DeadLetterEncoder<IN> encoder;
    private final RecordSizeEstimator<IN> estimator;
    private final String side;

    private transient Batcher<StreamRecord<IN>> batcher;
    private transient FailureHandler<StreamRecord<IN>> failureHandler;
    @Nullable private transient BatchProcessor<StreamRecord<IN>> processor;
    private transient VeloMetrics metrics;
    @Nullable private transient TypeSerializer<IN> copySerializer;
    private transient RecordHolderPool<IN> holders;
    private transient long batchStartMillis;
    private transient FlushTimer flushTimer;
    private transient ArrivalClock arrivalClock;
    @Nullable private transient WatermarkHold watermarks;
    // this operator's mailbox: retry backoffs wait in it, eager low_latency flushes are queued on
    // it
    @Nullable private transient MailboxExecutor mailboxExecutor;
    // a flush of the current batch is queued on the mailbox (eager low_latency)
    private transient boolean eagerFlushQueued;
    private transient long batchIdBase;
    private transient long batchSeq;
    @Nullable private transient MailboxSleeper retrySleeper;
    // RetryWithBackoff on a timer (see the class comment): the retry batch and the batches behind
    private transient boolean retryOnTimer;
    @Nullable private transient RetryQueue<IN> retryQueue;

    private BatchingOperator(Builder<IN, OUT> b) {
        Preconditions.checkArgument(
                b.batchFunction == null || b.recordFunction == null,
                "give a batch function or a record function, not both");
        this.batchConfig = Preconditions.checkNotNull(b.batchConfig);
        this.failureConfig = Preconditions.checkNotNull(b.failureConfig);
        this.tableName = b.tableName == null ? "velo" : b.tableName;
        this.batchFunction = b.batchFunction;
        this.recordFunction = b.recordFunction;
        this.encoder = b.encoder != null ? b.encoder : DeadLetterEncoder.toStringUtf8();
        this.estimator = b.estimator != null ? b.estimator : RecordSizeEstimators.generic();
        this.side = b.side;
    }

    /**
     * A builder of an operator that batches with {@code batchConfig} under {@code failureConfig}.
     * Without a function it passes records through (then OUT must equal IN).
     */
    public static <IN, OUT> Builder<IN, OUT> builder(
            BatchConfig batchConfig, FailureConfig failureConfig) {
        return new Builder<>(batchConfig, failureConfig);
    }

    /** Batches and emits the records unchanged. */
    public static <T> BatchingOperator<T, T> passThrough(
            BatchConfig batchConfig, FailureConfig failureConfig, String tableName) {
        return BatchingOperator.<T, T>builder(batchConfig, failureConfig)
                .tableName(tableName)
                .build();
    }

    /** Builds a {@link BatchingOperator}; every part but the two configs is optional. */
    public static final class Builder<IN, OUT> {
        private final BatchConfig batchConfig;
        private final FailureConfig failureConfig;
        @Nullable private String tableName;
        @Nullable private BatchFunction<IN, OUT> batchFunction;
        @Nullable private RecordFunction<IN, OUT> recordFunction;
        @Nullable private DeadLetterEncoder<IN> encoder;
        @Nullable private RecordSizeEstimator<IN> estimator;
        private String side = DeadLetter.SIDE_PROCESS;

        private Builder(BatchConfig batchConfig, FailureConfig failureConfig) {
            this.batchConfig = Preconditions.checkNotNull(batchConfig, "batchConfig");
            this.failureConfig = Preconditions.checkNotNull(failureConfig, "failureConfig");
        }

        /** The name in logs, metrics and dead letters ("velo" by default). */
        public Builder<IN, OUT> tableName(@Nullable String tableName) {
            this.tableName = tableName;
            return this;
        }

        /** Runs {@code fn} on every batch (not together with a record function). */
        public Builder<IN, OUT> batchFunction(BatchFunction<IN, OUT> fn) {
            this.batchFunction = Preconditions.checkNotNull(fn, "batchFunction");
            return this;
        }

        /** Runs {@code fn} on every record (not together with a batch function). */
        public Builder<IN, OUT> recordFunction(RecordFunction<IN, OUT> fn) {
            this.recordFunction = Preconditions.checkNotNull(fn, "recordFunction");
            return this;
        }

        /** How failed records become dead-letter payloads (default: toString in UTF-8). */
        public Builder<IN, OUT> encoder(@Nullable DeadLetterEncoder<IN> encoder) {
            this.encoder = encoder;
            return this;
        }

        /** Record sizes for memory_based (default: a generic estimate). */
        public Builder<IN, OUT> estimator(@Nullable RecordSizeEstimator<IN> estimator) {
            this.estimator = estimator;
            return this;
        }

        /** The {@code side} written into dead letters ("process" by default, or "source"). */
        public Builder<IN, OUT> side(String side) {
            this.side = Preconditions.checkNotNull(side, "side");
            return this;
        }

        public BatchingOperator<IN, OUT> build() {
            return new BatchingOperator<>(this);
        }
    }

    /** Keeps the task's mailbox (of this operator's priority) to wait out retry backoffs in. */
    @Override
    public void setMailboxExecutor(MailboxExecutor mailboxExecutor) {
        super.setMailboxExecutor(mailboxExecutor);
        this.mailboxExecutor = mailboxExecutor;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        retryQueue = new RetryQueue<>();
        boolean retrying =
                failureConfig.strategy() == FailureStrategy.RETRY_WITH_BACKOFF
                        && (batchFunction != null || recordFunction != null);
        if (!retrying && !context.isRestored()) {
            // nothing can wait for a retry; a restore reads what an earlier strategy left
            return;
        }
        TypeSerializer<IN> in;
        try {
            in = config.getTypeSerializerIn(0, getUserCodeClassloader());
        } catch (IllegalStateException notSerialized) {
            // an operator test harness without an input serializer
            in = null;
        }
        if (in == null) {
            return;
        }
        retryQueue.initializeState(context, in);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        if (retryQueue != null) {
            retryQueue.snapshotState();
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        metrics = VeloMetrics.register(getMetricGroup());
        batcher = Batchers.create(batchConfig, r -> estimator.estimate(r.getValue()));
        DeadLetterEncoder<StreamRecord<IN>> recordEncoder = r -> encoder.payload(r.getValue());
        // a retry backoff yields to the mailbox: timers and checkpoint notifications go on
        retrySleeper = mailboxExecutor == null ? null : new MailboxSleeper(mailboxExecutor);
        failureHandler =
                new FailureHandler<>(
                        failureConfig,
                        tableName,
                        side,
                        recordEncoder,
                        dl -> output.collect(DEAD_LETTERS, new StreamRecord<>(dl)),
                        metrics,
                        retrySleeper != null ? retrySleeper : Sleeper.system(),
                        () -> getProcessingTimeService().getCurrentProcessingTime());
        Function fn = batchFunction != null ? batchFunction : recordFunction;
        if (fn != null) {
            FunctionUtils.setFunctionRuntimeContext(fn, getRuntimeContext());
            FunctionUtils.openFunction(fn, DefaultOpenContext.INSTANCE);
            // outputs wait in a list until the call returns; the function may reuse the instance
            TypeSerializer<OUT> out = config.getTypeSerializerOut(getUserCodeClassloader());
            TypeSerializer<OUT> outCopy = out == null || out.isImmutableType() ? null : out;
            processor =
                    FunctionProcessors.create(
                            batchFunction,
                            recordFunction,
                            outCopy,
                            output,
                            metrics.numRecordsOut());
        } else {
            // pass-through: see emitUnchanged
            processor = null;
        }
        holders = new RecordHolderPool<>(batchConfig);
        if (getExecutionConfig().isObjectReuseEnabled()) {
            copySerializer = config.getTypeSerializerIn(0, getUserCodeClassloader());
        }
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        batchIdBase = ((long) subtask << 40) | ((long) (attempt & 0xFF) << 32);
        flushTimer = new FlushTimer(d -> getProcessingTimeService().registerTimer(d, this));
        arrivalClock =
                new ArrivalClock(
                        () -> getProcessingTimeService().getCurrentProcessingTime(),
                        ARRIVAL_CLOCK_STRIDE);
        watermarks = new WatermarkHold(super::processWatermark, super::processWatermarkStatus);
        if (batchConfig.isEnabled()
                && batchConfig.strategy() instanceof BatchStrategy.LowLatency l
                && l.eagerProcessing()
                && mailboxExecutor == null) {
            mailboxExecutor =
                    getContainingTask()
                            .getMailboxExecutorFactory()
                            .createExecutor(getOperatorConfig().getChainIndex());
        }
        retryOnTimer =
                processor != null
                        && retrySleeper != null
                        && failureConfig.strategy() == FailureStrategy.RETRY_WITH_BACKOFF;
        if (retryQueue == null) {
            retryQueue = new RetryQueue<>();
        }
        retryQueue.open(
                getProcessingTimeService(),
                retrySleeper != null ? retrySleeper : Sleeper.system(),
                new RetryQueue.Runner<>() {
                    @Override
                    public void run(List<StreamRecord<IN>> batch, int retriesDone)
                            throws Exception {
                        runBatch(batch, retriesDone);
                    }

                    @Override
                    public void countRetries(int records) {
                        if (processor != null) {
                            failureHandler.countRetries(records);
                        }
                    }

                    @Override
                    public void drained() throws Exception {
                        if (batcher.isEmpty()) {
                            watermarks.release();
                        }
                    }
                });
        // a restored retry batch and the records behind it are input of this run, retried at
        // once, before any new batch
        int restored = retryQueue.restore(batchConfig.maxBatchSize());
        if (restored > 0) {
            metrics.numRecordsIn().inc(restored);
        }
    }

    /**
     * Records between two clock readings within a batch. The clock read took 29 % of the velo task
     * thread's samples in a CPU profile of mega_batch at a stride of 64 (on a loaded KVM guest);
     * the flush timer runs as a mail between two records, so an overdue batch is flushed on time
     * without per-record readings.
     */
    private static final int ARRIVAL_CLOCK_STRIDE = 4096;

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        int buffered = batcher.size();
        boolean startsBatch = buffered == 0;
        long now = arrivalClock.arrival(startsBatch);
        IN value = element.getValue();
        if (copySerializer != null) {
            // with object reuse the runtime may overwrite the instance while it waits here
            value = copySerializer.copy(value);
        }
        StreamRecord<IN> copy = holders.holderFor(value, element, buffered);
        if (startsBatch) {
            batchStartMillis = now;
        }
        if (batcher.add(copy, now)) {
            flush(FlushReason.SIZE);
        } else if (startsBatch) {
            // a batch's deadline is fixed by its first record (see Batcher#flushDeadline), so the
            // timer is arranged once per batch, not per record
            scheduleFlush(now);
        }
    }

    /**
     * Arranges the flush of the current batch by its deadline: a processing-time timer, or, for a
     * deadline already reached (eager low_latency: "as soon as the task thread is free"), a mail on
     * the task's mailbox, which runs before the next input is processed. A timer registered at
     * "now" would fire at the earliest 1 ms later (Flink delays every timer by 1 ms).
     */
    private void scheduleFlush(long now) {
        long deadline = batcher.flushDeadline();
        if (mailboxExecutor != null && deadline <= now) {
            if (!eagerFlushQueued) {
                eagerFlushQueued = true;
                mailboxExecutor.execute(this::eagerFlush, "velo eager flush");
            }
            return;
        }
        flushTimer.schedule(deadline);
    }

    private void eagerFlush() throws Exception {
        eagerFlushQueued = false;
        if (!batcher.isEmpty()) {
            flush(FlushReason.TIMER);
        }
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        flushTimer.fired();
        if (batcher.isEmpty()) {
            return;
        }
        if (time >= batcher.flushDeadline()) {
            flush(FlushReason.TIMER);
        } else {
            scheduleFlush(time);
        }
    }

    /** Held back while records are buffered or wait for a retry (see {@link WatermarkHold}). */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (batcher == null || watermarks == null) {
            super.processWatermark(mark);
        } else {
            watermarks.watermark(mark, !batcher.isEmpty() || retryQueue.isPending());
        }
    }

    /** An IDLE status waits for a held watermark (see {@link WatermarkHold}). */
    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        if (watermarks == null) {
            super.processWatermarkStatus(status);
        } else {
            watermarks.status(status);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush(FlushReason.CHECKPOINT);
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() throws Exception {
        flush(FlushReason.END_OF_INPUT);
    }

    @Override
    public void finish() throws Exception {
        flush(FlushReason.END_OF_INPUT);
        super.finish();
    }

    /** Forwards to a user function that implements {@link CheckpointListener}. */
    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        Function fn = batchFunction != null ? batchFunction : recordFunction;
        if (fn instanceof CheckpointListener) {
            ((CheckpointListener) fn).notifyCheckpointComplete(checkpointId);
        }
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        super.notifyCheckpointAborted(checkpointId);
        Function fn = batchFunction != null ? batchFunction : recordFunction;
        if (fn instanceof CheckpointListener) {
            ((CheckpointListener) fn).notifyCheckpointAborted(checkpointId);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (retryQueue != null) {
                retryQueue.cancelTimer();
            }
            if (retrySleeper != null) {
                retrySleeper.close();
            }
            if (flushTimer != null) {
                flushTimer.cancel();
            }
            Function fn = batchFunction != null ? batchFunction : recordFunction;
            if (fn != null) {
                FunctionUtils.closeFunction(fn);
            }
        } finally {
            super.close();
        }
    }

    /** Number of records currently buffered (0 after every flush, hence at every checkpoint). */
    @VisibleForTesting
    public int bufferedRecords() {
        return batcher == null ? 0 : batcher.size();
    }

    /**
     * Records waiting for a retry under RetryWithBackoff, and flushed behind them (they are in the
     * operator state of a checkpoint taken meanwhile).
     */
    @VisibleForTesting
    public int recordsAwaitingRetry() {
        return retryQueue == null ? 0 : retryQueue.recordsAwaitingRetry();
    }

    @VisibleForTesting
    public VeloMetrics metrics() {
        return metrics;
    }

    private void flush(FlushReason reason) throws Exception {
        if (batcher == null) {
            return;
        }
        if (!batcher.isEmpty()) {
            List<StreamRecord<IN>> batch = batcher.drain();
            int n = batch.size();
            // counted per batch: every buffered record is flushed before a checkpoint and at the
            // end
            metrics.numRecordsIn().inc(n);
            metrics.batchFlushed(reason, n);
            if (retryQueue.isPending()) {
                // a retry is pending: the batch waits behind it, so that it cannot overtake it
                retryQueue.enqueue(batch);
            } else {
                runBatch(batch, 0);
                long latency =
                        Math.max(
                                0,
                                getProcessingTimeService().getCurrentProcessingTime()
                                        - batchStartMillis);
                metrics.batchLatency(latency);
                batcher.onBatchProcessed(n, latency);
            }
        }
        if (retryQueue.isPending()
                && (reason == FlushReason.END_OF_INPUT
                        || (reason != FlushReason.CHECKPOINT
                                && retryQueue.queuedRecords() >= batchConfig.maxBatchSize()))) {
            // the end of input, or a full batch waiting behind the retry (back-pressure): wait
            // for the queue here; a checkpoint never waits, it stores the queue
            retryQueue.await();
        }
        if (!retryQueue.isPending()) {
            watermarks.release();
        }
    }

    /**
     * Runs one batch under the failure strategy. Under RetryWithBackoff with a mailbox, a batch (or
     * its records) failing with a retriable error becomes the retry batch: copied, kept (and
     * checkpointed), retried by a processing-time timer at the backoff's deadline; the call
     * returns, so the task goes on (a checkpoint completes, timers fire) during the backoff.
     */
    private void runBatch(List<StreamRecord<IN>> batch, int retriesDone) throws Exception {
        long batchId = batchIdBase + (++batchSeq);
        if (processor == null) {
            emitUnchanged(batch, batch.size());
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
                        getProcessingTimeService().getCurrentProcessingTime()
                                + outcome.delayMillis());
            }
        } catch (NotARecordFailureException downstream) {
            throw downstream.unwrap();
        }
    }

    /**
     * Pass-through (no function): the records leave unchanged. Nothing here can fail as a record
     * (only a downstream operator can throw, which fails the task as it would without flink-velo),
     * so the failure handler has nothing to decide and the batch is emitted in a plain loop.
     */
    @SuppressWarnings("unchecked")
    private void emitUnchanged(List<StreamRecord<IN>> batch, int n) {
        for (int i = 0; i < n; i++) {
            output.collect((StreamRecord<OUT>) (StreamRecord<?>) batch.get(i));
        }
        metrics.numRecordsOut().inc(n);
    }
}
