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
import dev.velo.flink.batching.internal.batcher.FixedSizeBatcher;
import dev.velo.flink.batching.internal.batcher.FlushTimer;
import dev.velo.flink.batching.internal.batcher.MegaBatchBatcher;
import dev.velo.flink.batching.internal.failure.BatchProcessor;
import dev.velo.flink.batching.internal.failure.FailureHandler;
import dev.velo.flink.batching.internal.failure.MailboxSleeper;
import dev.velo.flink.batching.internal.failure.Sleeper;
import dev.velo.flink.batching.internal.metrics.FlushReason;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import dev.velo.flink.batching.operator.BatchFunction;
import dev.velo.flink.batching.operator.RecordFunction;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
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
 * stack: its records to retry wait in the {@link RetryQueue} for a processing-time timer ({@link
 * FailureHandler#processOnce}), so during the backoff the task goes on (checkpoints complete,
 * timers fire, a cancel is quick). Batches flushed meanwhile queue behind it, in order; the queue
 * is the operator state {@value #RETRY_STATE}. A full batch waiting in the queue, and the end of
 * input, wait for the queue (back-pressure). Watermarks are held back while records are buffered or
 * queued ({@link WatermarkHold}), so buffering never turns records late downstream.
 *
 * <p>The failure strategy covers the user function's call only ({@link BatchRunner}); its outputs
 * are emitted after the call returns, outside the strategy, copied when collected ({@link
 * FunctionProcessors}): an exception of a downstream operator fails the job as without flink-velo.
 *
 * <p>This class is the Flink operator only: each lifecycle hook (state, open, elements, timers,
 * watermarks, checkpoints, end of input, close) hands its job to one of the classes named above or
 * {@link RecordHolderPool}, {@link FlushScheduler}, {@link UserFunction}. It is near 600 lines
 * because that contract is one class in Flink, each hook is a few lines of wiring, and the
 * per-record path is shaped for the JIT ({@link #processElement}).
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
    private final UserFunction<IN, OUT> function;
    private final DeadLetterEncoder<IN> encoder;
    private final RecordSizeEstimator<IN> estimator;
    private final String side;

    // the values of the current batch; their timestamps are in `timestamps`
    private transient Batcher<IN> batcher;
    private transient BatchTimestamps timestamps;
    // records in the current batch, as batcher.size(), kept here: one interface call less per
    // record (the batcher call sites turn megamorphic when a JVM runs stages of several strategies)
    private transient int buffered;
    private transient FailureHandler<StreamRecord<IN>> failureHandler;
    private transient VeloMetrics metrics;
    @Nullable private transient TypeSerializer<IN> copySerializer;
    private transient RecordHolderPool<IN> holders;
    private transient long batchStartMillis;
    private transient FlushScheduler flushes;
    private transient ArrivalClock arrivalClock;
    @Nullable private transient WatermarkHold watermarks;
    // this operator's mailbox: retry backoffs wait in it, eager low_latency flushes are queued on
    // it
    @Nullable private transient MailboxExecutor mailboxExecutor;
    @Nullable private transient MailboxSleeper retrySleeper;
    // runs each flushed batch under the failure strategy
    private transient BatchRunner<IN, OUT> runner;
    // the one record a pass-through batch leaves in (from processElement or the runner)
    private transient StreamRecord<OUT> passThroughRecord;
    // RetryWithBackoff on a timer (see the class comment): the retry batch and the batches behind
    @Nullable private transient RetryQueue<IN> retryQueue;

    BatchingOperator(BatchingOperatorBuilder<IN, OUT> b) {
        this.batchConfig = Preconditions.checkNotNull(b.batchConfig);
        this.failureConfig = Preconditions.checkNotNull(b.failureConfig);
        this.tableName = b.tableName == null ? "velo" : b.tableName;
        this.function = new UserFunction<>(b.batchFunction, b.recordFunction);
        this.encoder = b.encoder != null ? b.encoder : DeadLetterEncoder.toStringUtf8();
        this.estimator = b.estimator != null ? b.estimator : RecordSizeEstimators.generic();
        this.side = b.side;
    }

    /**
     * A builder of an operator that batches with {@code batchConfig} under {@code failureConfig}.
     * Without a function it passes records through (then OUT must equal IN).
     */
    public static <IN, OUT> BatchingOperatorBuilder<IN, OUT> builder(
            BatchConfig batchConfig, FailureConfig failureConfig) {
        return new BatchingOperatorBuilder<>(batchConfig, failureConfig);
    }

    /** Batches and emits the records unchanged. */
    public static <T> BatchingOperator<T, T> passThrough(
            BatchConfig batchConfig, FailureConfig failureConfig, String tableName) {
        return BatchingOperator.<T, T>builder(batchConfig, failureConfig)
                .tableName(tableName)
                .build();
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
                        && function.isPresent();
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
        batcher = Batchers.create(batchConfig, estimator);
        if (batcher instanceof FixedSizeBatcher<IN> fixed) {
            // flush is done with a batch's list before it drains the next (holders, the retry
            // queue and functions get copies): no list per batch of a small fixed size
            fixed.reuseDrainedLists();
        }
        timestamps = new BatchTimestamps();
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
        function.open(getRuntimeContext());
        // outputs wait in a list until the call returns; the function may reuse the instance
        TypeSerializer<OUT> out =
                function.isPresent() ? config.getTypeSerializerOut(getUserCodeClassloader()) : null;
        // null for pass-through: see emitUnchanged
        BatchProcessor<StreamRecord<IN>> processor =
                function.processor(
                        out == null || out.isImmutableType() ? null : out,
                        output,
                        metrics.numRecordsOut());
        // holders carry a batch into the function; a pass-through batch leaves without any
        holders =
                new RecordHolderPool<>(function.isPresent() ? batchConfig : BatchConfig.disabled());
        if (getExecutionConfig().isObjectReuseEnabled()) {
            copySerializer = config.getTypeSerializerIn(0, getUserCodeClassloader());
        }
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
        flushes =
                new FlushScheduler(
                        new FlushTimer(d -> getProcessingTimeService().registerTimer(d, this)),
                        mailboxExecutor,
                        () -> {
                            if (!batcher.isEmpty()) {
                                flush(FlushReason.TIMER);
                            }
                        });
        boolean retryOnTimer =
                processor != null
                        && retrySleeper != null
                        && failureConfig.strategy() == FailureStrategy.RETRY_WITH_BACKOFF;
        if (retryQueue == null) {
            retryQueue = new RetryQueue<>();
        }
        BatchRunner<IN, OUT> runner =
                new BatchRunner<>(
                        failureHandler,
                        processor,
                        retryOnTimer,
                        retryQueue,
                        () -> getProcessingTimeService().getCurrentProcessingTime(),
                        output,
                        metrics.numRecordsOut(),
                        BatchRunner.batchIdBase(
                                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                                getRuntimeContext().getTaskInfo().getAttemptNumber()));
        this.runner = runner;
        passThroughRecord = runner.passThroughRecord();
        retryQueue.open(
                getProcessingTimeService(),
                retrySleeper != null ? retrySleeper : Sleeper.system(),
                runner,
                () -> {
                    if (batcher.isEmpty()) {
                        watermarks.release();
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

    /**
     * Buffers the value (copied under object reuse) and its timestamp; no StreamRecord per record:
     * the runtime reuses {@code element}, and a pass-through batch leaves in one reused record.
     *
     * <p>The clock is read for the first record of a batch and then at every {@value
     * #ARRIVAL_CLOCK_STRIDE}-th position ({@link ArrivalClock}); a record in between arrives at the
     * previous record's reading, so a deadline check cannot give anything new for it and only the
     * batch size can end the batch ({@link #addAtSameTime}).
     *
     * <p>A pass-through batch that the size ends, whose records share one timestamp state, leaves
     * from a loop in this method's own code, not from {@link #flush}: the JIT compiles the chained
     * output's {@code collect} early, with this method inlined into it, while the call to {@code
     * flush} (made once per batch) is still too rare to be inlined. A loop here is compiled in that
     * same piece of code, with the downstream operator inlined into it; one in {@link #flush} calls
     * {@code collect}'s compiled code for every record, which is then too big to be inlined (see
     * performance.md, "The emit loop in processElement").
     */
    @Override
    @SuppressWarnings("unchecked")
    public void processElement(StreamRecord<IN> element) throws Exception {
        int buffered = this.buffered;
        IN value = element.getValue();
        if (copySerializer != null) {
            // with object reuse the runtime may overwrite the instance while it waits here
            value = copySerializer.copy(value);
        }
        timestamps.record(buffered, element);
        this.buffered = buffered + 1;
        if (arrivalClock.due(buffered)) {
            addAtNewTime(value, buffered == 0);
        } else if (addAtSameTime(value)) {
            if (!leavesHere()) {
                flush(FlushReason.SIZE);
                return;
            }
            List<IN> batch = drain(FlushReason.SIZE);
            int n = batch.size();
            StreamRecord<OUT> r = passThroughRecord;
            boolean has = timestamps.sharedHas();
            long ts = timestamps.sharedTimestamp();
            for (int i = 0; i < n; i++) {
                r.replace((OUT) batch.get(i), ts);
                if (!has) {
                    // every time: a downstream operator may have set a timestamp on the record
                    r.eraseTimestamp();
                }
                output.collect(r);
            }
            leftHere(n);
        }
    }

    /**
     * Whether the batch the size just ended leaves from {@link #processElement}: pass-through, no
     * retry pending, one shared timestamp state ({@link BatchTimestamps#uniform()}).
     */
    private boolean leavesHere() {
        return runner.passesThrough() && !retryQueue.isPending() && timestamps.uniform();
    }

    /**
     * After {@link #processElement} emitted the {@code n} records of a batch: as {@link #flush}.
     */
    private void leftHere(int n) throws Exception {
        runner.countUnchanged(n);
        timestamps.keep(n, buffered);
        batchProcessed(n);
        watermarks.release();
    }

    /**
     * Adds a record that starts a batch or gets a new clock reading (off the per-record path: the
     * JIT inlines a small {@link #processElement} into the task's loop).
     */
    private void addAtNewTime(IN value, boolean startsBatch) throws Exception {
        long now = arrivalClock.read();
        if (startsBatch) {
            batchStartMillis = now;
        }
        if (batcher.add(value, now)) {
            flush(FlushReason.SIZE);
        } else if (startsBatch) {
            // a batch's deadline is fixed by its first record (see Batcher#flushDeadline), so the
            // timer is arranged once per batch, not per record
            scheduleFlush(now);
        }
    }

    /**
     * Adds a record that joins the batch at the previous record's arrival time. fixed_size and
     * mega_batch are called directly and skip their deadline check ({@code addAtSameTime}): this
     * call site, run for almost every record, turns megamorphic (an interface-table call the JIT
     * does not inline) once one JVM runs stages of three or more strategies, as a TaskManager with
     * several velo stages or the full benchmark does; a class check per record keeps the common
     * strategies' add inlined.
     */
    private boolean addAtSameTime(IN value) {
        Batcher<IN> b = batcher;
        if (b instanceof FixedSizeBatcher<IN> fixed) {
            return fixed.addAtSameTime(value);
        } else if (b instanceof MegaBatchBatcher<IN> mega) {
            return mega.addAtSameTime(value);
        }
        return b.add(value, arrivalClock.last());
    }

    private void scheduleFlush(long now) {
        flushes.schedule(batcher.flushDeadline(), now);
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        flushes.fired();
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
        function.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        super.notifyCheckpointAborted(checkpointId);
        function.notifyCheckpointAborted(checkpointId);
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
            if (flushes != null) {
                flushes.cancel();
            }
            function.close();
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
            flushBatch(reason);
        }
        if (retryQueue.isPending()) {
            afterFlushWithRetryPending(reason);
        } else {
            watermarks.release();
        }
    }

    /** Drains the current batch and processes it (or queues it behind a pending retry). */
    private void flushBatch(FlushReason reason) throws Exception {
        List<IN> batch = drain(reason);
        int n = batch.size();
        if (retryQueue.isPending()) {
            // a retry is pending: the batch waits behind it, so that it cannot overtake it
            retryQueue.enqueue(holders.wrap(batch, timestamps));
            timestamps.keep(n, buffered);
            return;
        }
        if (runner.passesThrough()) {
            runner.emitUnchanged(batch, timestamps);
            timestamps.keep(n, buffered);
        } else {
            List<StreamRecord<IN>> records = holders.wrap(batch, timestamps);
            timestamps.keep(n, buffered);
            runner.run(records, 0);
        }
        batchProcessed(n);
    }

    /**
     * Takes the current batch from the batcher and counts it. {@link #buffered} is then the records
     * the batcher keeps for the next batch (memory_based: one that arrived when the others had to
     * go first); their timestamps move ({@link BatchTimestamps#keep}) once this batch has them.
     */
    private List<IN> drain(FlushReason reason) {
        List<IN> batch = batcher.drain();
        int n = batch.size();
        buffered = batcher.size();
        // counted per batch: every buffered record is flushed before a checkpoint and at the end
        metrics.numRecordsIn().inc(n);
        metrics.batchFlushed(reason, n);
        return batch;
    }

    /** The batch latency and the strategy's feedback, once a batch of {@code n} is processed. */
    private void batchProcessed(int n) {
        long latency =
                Math.max(
                        0,
                        getProcessingTimeService().getCurrentProcessingTime() - batchStartMillis);
        metrics.batchLatency(latency);
        batcher.onBatchProcessed(n, latency);
    }

    /**
     * The end of input, or a full batch waiting behind the retry (back-pressure): waits for the
     * queue here; a checkpoint never waits, it stores the queue.
     */
    private void afterFlushWithRetryPending(FlushReason reason) throws Exception {
        if (reason == FlushReason.END_OF_INPUT
                || (reason != FlushReason.CHECKPOINT
                        && retryQueue.queuedRecords() >= batchConfig.maxBatchSize())) {
            retryQueue.await();
        }
        if (!retryQueue.isPending()) {
            watermarks.release();
        }
    }
}
