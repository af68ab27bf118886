package dev.velo.flink.sql.internal;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.internal.failure.BatchProcessor;
import dev.velo.flink.batching.internal.failure.FailureHandler;
import dev.velo.flink.batching.internal.failure.MailboxSleeper;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import dev.velo.flink.batching.internal.operator.RetryQueue;
import dev.velo.flink.batching.sink.RetryRescaleCheck;
import dev.velo.flink.sql.dlq.DlqWriterFactory;
import java.nio.ByteBuffer;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.functions.sink.legacy.SinkFunction;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Preconditions;

/**
 * The sink operator of a velo table over a connector whose sink is a legacy {@link SinkFunction}
 * (Flink 2.3's {@code print}): it owns the function as Flink's own sink operator does (runtime
 * context, {@code initializeState}/{@code snapshotState} of a {@code CheckpointedFunction}, open,
 * checkpoint notifications of a {@code CheckpointListener}, watermarks, finish, close) and writes
 * every record through the table's sink failure strategy; dead letters go to the DLQ writer, which
 * is flushed before every checkpoint and at the end. Batching happens in the stage before it.
 *
 * <p>Under RetryWithBackoff a record whose {@code invoke} fails with a retriable error does not
 * wait on the call stack: it waits in a {@link RetryQueue} for a processing-time timer at the
 * backoff's deadline, and the records arriving meanwhile queue behind it, in order (none overtakes
 * the retry). The queue is the operator state {@value RetryQueue#STATE_NAME}, so during the backoff
 * a checkpoint completes and holds the waiting records, the task's other timers fire, and a cancel
 * takes effect at once; a restore retries the queue first. When {@code batch.max_size} records wait
 * behind the retry, the operator stops taking input until the retry is done (back pressure, during
 * which a checkpoint barrier waits too), and at the end of input it waits out the backoff.
 * Watermarks are held back while records wait. The other strategies decide at once, as before.
 *
 * <p>Next to the queue, the union list state {@value #ORIGIN_STATE_NAME} keeps one entry per
 * subtask: the parallelism of the checkpoint, the subtask and the number of records it had waiting.
 * The queue is list state that a restore at another parallelism shares out by position, not by key;
 * every new subtask reads all entries, so for a table with a primary key such a restore fails at
 * once when records were waiting (see {@link RetryRescaleCheck}). A checkpoint without it (an
 * earlier version's) restores as before.
 */
@Internal
public final class VeloSinkFunctionOperator
        extends AbstractUdfStreamOperator<Object, SinkFunction<RowData>>
        implements OneInputStreamOperator<RowData, Object>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    /**
     * The union list state of where records waited for a retry: per subtask one entry of {@value
     * #ORIGIN_VERSION} (byte), the parallelism (int), the subtask (int), the records waiting
     * (long).
     */
    static final String ORIGIN_STATE_NAME = "velo-retry-origin";

    static final byte ORIGIN_VERSION = 1;

    /** Bytes of an entry of {@value #ORIGIN_STATE_NAME}. */
    private static final int ORIGIN_ENTRY_BYTES = 17;

    private final String tableName;
    private final FailureConfig failureConfig;
    private final DeadLetterEncoder<RowData> encoder;
    @Nullable private final DlqWriterFactory dlqFactory;
    private final int maxQueuedRecords;
    private final boolean keyedByPrimaryKey;

    @Nullable private transient MailboxExecutor mailbox;
    private transient MailboxSleeper sleeper;
    private transient VeloMetrics metrics;
    @Nullable private transient DeadLetterWriter dlqWriter;
    private transient FailureHandler<StreamRecord<RowData>> handler;
    private transient RetryQueue<RowData> retryQueue;
    @Nullable private transient ListState<byte[]> originState;
    private transient boolean retryOnTimer;
    @Nullable private transient TypeSerializer<RowData> copySerializer;
    private transient RecordContext context;
    private transient BatchProcessor<StreamRecord<RowData>> processor;
    // the last watermark handed to the function, and one held back while records wait
    private transient long currentWatermark;
    @Nullable private transient Watermark heldWatermark;
    private transient long batchId;

    /**
     * @param maxQueuedRecords records that may wait behind a pending retry before the operator
     *     stops taking input ({@code batch.max_size})
     */
    public VeloSinkFunctionOperator(
            SinkFunction<RowData> function,
            String tableName,
            FailureConfig failureConfig,
            DeadLetterEncoder<RowData> encoder,
            @Nullable DlqWriterFactory dlqFactory,
            int maxQueuedRecords) {
        this(function, tableName, failureConfig, encoder, dlqFactory, maxQueuedRecords, false);
    }

    /**
     * @param maxQueuedRecords records that may wait behind a pending retry before the operator
     *     stops taking input ({@code batch.max_size})
     * @param keyedByPrimaryKey whether the table has a primary key: then a restore at another
     *     parallelism while records wait for a retry fails (their order per key cannot be kept)
     */
    public VeloSinkFunctionOperator(
            SinkFunction<RowData> function,
            String tableName,
            FailureConfig failureConfig,
            DeadLetterEncoder<RowData> encoder,
            @Nullable DlqWriterFactory dlqFactory,
            int maxQueuedRecords,
            boolean keyedByPrimaryKey) {
        super(function);
        this.tableName = Preconditions.checkNotNull(tableName);
        this.failureConfig = Preconditions.checkNotNull(failureConfig);
        this.encoder = Preconditions.checkNotNull(encoder);
        this.dlqFactory = dlqFactory;
        Preconditions.checkArgument(maxQueuedRecords > 0, "maxQueuedRecords must be positive");
        this.maxQueuedRecords = maxQueuedRecords;
        this.keyedByPrimaryKey = keyedByPrimaryKey;
    }

    /** Keeps the task's mailbox (of this operator's priority) to wait in at the end of input. */
    @Override
    public void setMailboxExecutor(MailboxExecutor mailboxExecutor) {
        super.setMailboxExecutor(mailboxExecutor);
        this.mailbox = mailboxExecutor;
    }

    @Override
    public void initializeState(StateInitializationContext stateContext) throws Exception {
        // the wrapped function's state first, as in Flink's sink operator
        super.initializeState(stateContext);
        retryQueue = new RetryQueue<>();
        if (failureConfig.strategy() == FailureStrategy.RETRY_WITH_BACKOFF
                || stateContext.isRestored()) {
            // a restore reads what an earlier run under RetryWithBackoff left
            retryQueue.initializeState(
                    stateContext, config.getTypeSerializerIn(0, getUserCodeClassloader()));
            originState =
                    stateContext
                            .getOperatorStateStore()
                            .getUnionListState(
                                    new ListStateDescriptor<>(
                                            ORIGIN_STATE_NAME,
                                            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
            if (stateContext.isRestored()) {
                checkRestoredOrigin(originState.get());
            }
        }
    }

    /**
     * Fails the restore when the table has a primary key, records were waiting for a retry and the
     * checkpoint was taken at another parallelism (every subtask reads every entry of the union
     * state, so each knows all of them). No entries: a checkpoint of an earlier version, restored
     * as before.
     */
    private void checkRestoredOrigin(Iterable<byte[]> entries) {
        if (!keyedByPrimaryKey) {
            // append-only: restored at any parallelism, whatever the entries say
            return;
        }
        RetryRescaleCheck check =
                new RetryRescaleCheck(
                        tableName,
                        keyedByPrimaryKey,
                        getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks());
        for (byte[] entry : entries) {
            ByteBuffer in = ByteBuffer.wrap(entry);
            if (entry.length != ORIGIN_ENTRY_BYTES || in.get() != ORIGIN_VERSION) {
                throw new IllegalStateException(
                        "Table '"
                                + tableName
                                + "': the restored operator state "
                                + ORIGIN_STATE_NAME
                                + " holds an entry of "
                                + entry.length
                                + " bytes that this version cannot read (version "
                                + (entry.length > 0 ? entry[0] : "none")
                                + ", expected "
                                + ORIGIN_VERSION
                                + " in "
                                + ORIGIN_ENTRY_BYTES
                                + " bytes): the checkpoint was taken by a newer"
                                + " flink-velo.");
            }
            int parallelism = in.getInt();
            in.getInt(); // the subtask: only for reading the state by hand
            check.waited(parallelism, in.getLong());
        }
        // every old subtask's entry was read: the error names all the records
        check.check(null);
    }

    /** An entry of {@value #ORIGIN_STATE_NAME} (see there). */
    static byte[] originEntry(int parallelism, int subtask, long waiting) {
        return ByteBuffer.allocate(ORIGIN_ENTRY_BYTES)
                .put(ORIGIN_VERSION)
                .putInt(parallelism)
                .putInt(subtask)
                .putLong(waiting)
                .array();
    }

    @Override
    public void open() throws Exception {
        super.open();
        metrics = VeloMetrics.register(getMetricGroup());
        dlqWriter =
                dlqFactory == null
                        ? null
                        : dlqFactory.open(getRuntimeContext().getTaskInfo(), getMetricGroup());
        if (mailbox == null) {
            mailbox =
                    getContainingTask()
                            .getMailboxExecutorFactory()
                            .createExecutor(getOperatorConfig().getChainIndex());
        }
        sleeper = new MailboxSleeper(mailbox);
        DeadLetterEncoder<StreamRecord<RowData>> recordEncoder = r -> encoder.payload(r.getValue());
        handler =
                new FailureHandler<>(
                        failureConfig,
                        tableName,
                        DeadLetter.SIDE_SINK,
                        recordEncoder,
                        dlqWriter == null ? null : dlqWriter::write,
                        metrics,
                        sleeper,
                        () -> getProcessingTimeService().getCurrentProcessingTime());
        retryOnTimer = failureConfig.strategy() == FailureStrategy.RETRY_WITH_BACKOFF;
        if (getExecutionConfig().isObjectReuseEnabled()) {
            // with object reuse the runtime may overwrite a row while it waits for a retry
            copySerializer = config.getTypeSerializerIn(0, getUserCodeClassloader());
        }
        currentWatermark = Long.MIN_VALUE;
        context = new RecordContext();
        processor =
                new BatchProcessor<>() {
                    @Override
                    public void processRecord(StreamRecord<RowData> record) throws Exception {
                        context.record = record;
                        userFunction.invoke(record.getValue(), context);
                    }

                    @Override
                    public void finishBatch() {}
                };
        retryQueue.open(
                getProcessingTimeService(),
                sleeper,
                new RetryQueue.Runner<>() {
                    @Override
                    public void run(List<StreamRecord<RowData>> batch, int retriesDone)
                            throws Exception {
                        write(batch, retriesDone);
                    }

                    @Override
                    public void countRetries(int records) {
                        handler.countRetries(records);
                    }
                },
                this::releaseWatermark);
        // records that waited for a retry in the restored checkpoint are input of this run,
        // written first, one at a time and in their order
        int restored = retryQueue.restore(1);
        if (restored > 0) {
            metrics.numRecordsIn().inc(restored);
        }
    }

    @Override
    public void processElement(StreamRecord<RowData> element) throws Exception {
        metrics.numRecordsIn().inc();
        StreamRecord<RowData> record =
                copySerializer == null
                        ? element
                        : element.copy(copySerializer.copy(element.getValue()));
        if (!retryQueue.isPending()) {
            write(List.of(record), 0);
            return;
        }
        // a retry waits: the record goes behind it, so that it cannot overtake it
        retryQueue.enqueue(List.of(record));
        if (retryQueue.queuedRecords() >= maxQueuedRecords) {
            // back pressure: no more input until the retry is done (the wait yields to the
            // mailbox: the retry timer, other timers and a cancel go on)
            retryQueue.await();
        }
    }

    /**
     * Writes records that had {@code retriesDone} retries under the failure strategy: under
     * RetryWithBackoff a record failing with a retriable error becomes the retry batch of the
     * queue, retried by its timer; everything else is decided at once.
     */
    private void write(List<StreamRecord<RowData>> records, int retriesDone) throws Exception {
        long id = batchId++;
        if (!retryOnTimer) {
            metrics.numRecordsOut().inc(handler.process(id, records, processor));
            return;
        }
        FailureHandler.Outcome<StreamRecord<RowData>> outcome =
                handler.processOnce(id, records, processor, retriesDone);
        metrics.numRecordsOut().inc(outcome.passed());
        if (!outcome.retry().isEmpty()) {
            retryQueue.retryLater(
                    outcome.retry(),
                    outcome.attempt(),
                    getProcessingTimeService().getCurrentProcessingTime() + outcome.delayMillis());
        }
    }

    /** Held back while records wait for a retry; handed on once the queue is empty. */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (retryQueue.isPending()) {
            heldWatermark = mark;
            return;
        }
        super.processWatermark(mark);
        currentWatermark = mark.getTimestamp();
        userFunction.writeWatermark(
                new org.apache.flink.api.common.eventtime.Watermark(mark.getTimestamp()));
    }

    private void releaseWatermark() throws Exception {
        Watermark held = heldWatermark;
        heldWatermark = null;
        if (held != null) {
            processWatermark(held);
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext snapshotContext) throws Exception {
        // a dead letter must be durable before the checkpoint that skips its record completes
        flushDeadLetters();
        super.snapshotState(snapshotContext);
        retryQueue.snapshotState();
        if (originState != null) {
            originState.update(
                    List.of(
                            originEntry(
                                    getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
                                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                                    retryQueue.recordsAwaitingRetry())));
        }
    }

    @Override
    public void endInput() throws Exception {
        retryQueue.await();
    }

    @Override
    public void finish() throws Exception {
        retryQueue.await();
        // finishes the wrapped function
        super.finish();
        flushDeadLetters();
    }

    @Override
    public void close() throws Exception {
        try {
            if (retryQueue != null) {
                retryQueue.cancelTimer();
            }
            if (sleeper != null) {
                sleeper.close();
            }
            super.close();
        } finally {
            if (dlqWriter != null) {
                dlqWriter.close();
            }
        }
    }

    /** Records waiting for a retry and behind it (in the operator state of a checkpoint). */
    @VisibleForTesting
    public int recordsAwaitingRetry() {
        return retryQueue == null ? 0 : retryQueue.recordsAwaitingRetry();
    }

    @VisibleForTesting
    public VeloMetrics metrics() {
        return metrics;
    }

    private void flushDeadLetters() throws Exception {
        if (dlqWriter != null) {
            dlqWriter.flush();
        }
    }

    /** The function's context for the record it is called with. */
    private final class RecordContext implements SinkFunction.Context {
        private StreamRecord<RowData> record;

        @Override
        public long currentProcessingTime() {
            return getProcessingTimeService().getCurrentProcessingTime();
        }

        @Override
        public long currentWatermark() {
            return currentWatermark;
        }

        @Override
        public Long timestamp() {
            return record.hasTimestamp() ? record.getTimestamp() : null;
        }
    }
}
