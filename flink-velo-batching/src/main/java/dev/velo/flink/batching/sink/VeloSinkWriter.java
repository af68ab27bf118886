package dev.velo.flink.batching.sink;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.internal.batcher.ArrivalClock;
import dev.velo.flink.batching.internal.batcher.Batcher;
import dev.velo.flink.batching.internal.batcher.Batchers;
import dev.velo.flink.batching.internal.batcher.FlushTimer;
import dev.velo.flink.batching.internal.failure.AsyncWriteProcessor;
import dev.velo.flink.batching.internal.failure.FailureHandler;
import dev.velo.flink.batching.internal.failure.MailboxSleeper;
import dev.velo.flink.batching.internal.failure.Sleeper;
import dev.velo.flink.batching.internal.metrics.FlushReason;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.IOUtils;

/**
 * The writer of {@link VeloSink}: buffers records with the batcher and writes each batch to the
 * delegate writer under the failure strategy (write = a record, delegate flush = the batch). {@link
 * #flush(boolean)} runs before every checkpoint barrier and drains the buffer, flushes the delegate
 * and then the DLQ writer, so the buffer is empty at every snapshot and a dead letter is durable
 * before the checkpoint that skips its record.
 *
 * <p>When the failure strategy acts on single records (RetryWithBackoff, SendToDLQ,
 * LogAndContinue), the delegate is flushed to learn the outcome of the records written to it: an
 * asynchronous writer such as Kafka's reports a failed send only on a later call, and the flush
 * makes it surface. It is flushed once the writes since its last successful flush reach {@link
 * VeloSinkSettings#unconfirmedWritesBound()} (by default at least 10,000 records, so several
 * batches), after a batch flushed by its timeout (a slow stream: the outcome does not wait for more
 * records), before every checkpoint and at the end of input. A flush is a broker round trip for
 * Kafka; paying it per window instead of per batch is what keeps such a Kafka sink near the plain
 * sink's speed. Under FailBatch any error fails the job, whichever call reports it, so no flush is
 * added at all: the delegate flushes before every checkpoint and at the end of input, as without
 * flink-velo.
 *
 * <p>An asynchronous delegate may also report a failed send from a mail of its own (Kafka's writer
 * does, to fail the task even when it is not called again). While writes are confirmed per record,
 * the delegate gets a {@link DelegateMailbox} that keeps such an error for the delegate's next call
 * here, so that it goes through the failure strategy like an error the call reported.
 *
 * <p>Under RetryWithBackoff (when writes are confirmed per record) a failed write does not wait for
 * its retry on the task thread ({@link FailureHandler#writeOnce}): the records to retry become the
 * head of a {@link SinkRetryQueue}, which a processing-time timer retries at the backoff's
 * deadline, and every record arriving meanwhile queues behind them in order. The pre-barrier {@code
 * flush(false)} does not wait for the retry: the queue is the writer state ({@link VeloSinkState})
 * next to the delegate's, and a restore writes it first. A full queue (as many records as the
 * unconfirmed-writes bound, at least {@value VeloSinkSettings#MIN_UNCONFIRMED_WRITES_BOUND}) and
 * the end of input wait for the retry in place, yielding to the mailbox.
 *
 * <p>An error is blamed on the record that failed, not on the call that reported it ({@link
 * FailureHandler#write}) among the writes since the last successful flush; without batching,
 * records are written through at once under the same bound. A delegate that writes inside a
 * transaction a failed write aborts (exactly-once Kafka) fails the task on any error but one its
 * record's serialization throws before the send: see {@link
 * VeloSinkSettings#writesInTransaction()}.
 */
@Internal
class VeloSinkWriter<T>
        implements StatefulSinkWriter<T, VeloSinkState<Object>>,
                ProcessingTimeService.ProcessingTimeCallback {

    final SinkWriter<T> delegate;
    private final boolean batching;
    private final Batcher<Pending<T>> batcher;
    private final FailureHandler<Pending<T>> failureHandler;
    @Nullable private final DeadLetterWriter deadLetterWriter;
    private final VeloMetrics metrics;
    @Nullable private final MailboxSleeper retrySleeper;
    private final ProcessingTimeService timeService;
    @Nullable private final TypeSerializer<T> copySerializer;
    private final long batchIdBase;
    private long batchSeq;
    private long batchStartMillis;
    private final FlushTimer flushTimer;
    private final ArrivalClock arrivalClock;
    @Nullable private Watermark heldWatermark;

    /** Whether delegate flushes are needed to learn the writes' outcomes (see class comment). */
    private final boolean confirmsWrites;

    /** Flush the delegate once this many writes are unconfirmed (when {@link #confirmsWrites}). */
    private final int maxUnconfirmedWrites;

    /** The endOfInput argument of the next delegate flush. */
    private boolean flushDelegateAtEnd;

    /**
     * The mailbox executor the delegate was created with, when the sink gave it one: keeps errors
     * of the delegate's own mails while writes are unconfirmed (see {@link DelegateMailbox}).
     */
    @Nullable private final DelegateMailbox delegateMailbox;

    /**
     * Under RetryWithBackoff (writes kept per record): the batch waiting for its retry and the
     * batches behind it, run by a timer (see the class comment); also made to write restored retry
     * entries under any strategy. Null otherwise.
     */
    @Nullable private SinkRetryQueue<Pending<T>> retryQueue;

    /** Whether failed writes wait for their retry in {@link #retryQueue} (RetryWithBackoff). */
    private final boolean retriesOnTimer;

    /**
     * Records the retry queue holds before a new batch waits in place for the retry
     * (back-pressure): the unconfirmed-writes bound, at least {@value
     * VeloSinkSettings#MIN_UNCONFIRMED_WRITES_BOUND}.
     */
    private final int retryQueueBound;

    private final WriterInitContext initContext;
    @Nullable private TypeSerializer<T> stateSerializer;

    private final AsyncWriteProcessor<Pending<T>> writer =
            new AsyncWriteProcessor<>() {
                @Override
                public void write(Pending<T> record) throws Exception {
                    // an error a mail of the delegate reported in between is its next call's
                    throwDeferred();
                    delegate.write(record.value, record);
                }

                @Override
                public void flush() throws Exception {
                    try {
                        delegate.flush(flushDelegateAtEnd);
                    } catch (Exception e) {
                        // both report failures of the same unconfirmed writes
                        takeDeferred();
                        throw e;
                    }
                    throwDeferred();
                }
            };

    VeloSinkWriter(
            SinkWriter<T> delegate,
            VeloSinkSettings<T> settings,
            WriterInitContext context,
            @Nullable DeadLetterWriter deadLetterWriter,
            @Nullable DelegateMailbox delegateMailbox) {
        this.delegate = delegate;
        this.deadLetterWriter = deadLetterWriter;
        this.batching = settings.batchConfig().isEnabled();
        this.metrics = VeloMetrics.register(context.metricGroup());
        this.timeService = context.getProcessingTimeService();
        this.flushTimer = new FlushTimer(d -> timeService.registerTimer(d, this));
        this.arrivalClock = new ArrivalClock(timeService::getCurrentProcessingTime);
        this.batcher =
                Batchers.create(
                        settings.batchConfig(), p -> settings.sizeEstimator().estimate(p.value));
        DeadLetterEncoder<T> encoder = settings.encoder();
        // a retry backoff yields to the mailbox, as Flink's async sinks wait: timers and
        // checkpoint notifications go on, and a cancel interrupts the wait
        this.retrySleeper =
                context.getMailboxExecutor() == null
                        ? null
                        : new MailboxSleeper(context.getMailboxExecutor());
        this.failureHandler =
                new FailureHandler<Pending<T>>(
                        settings.failureConfig(),
                        settings.tableName(),
                        DeadLetter.SIDE_SINK,
                        p -> encoder.payload(p.value),
                        deadLetterWriter == null ? null : deadLetterWriter::write,
                        metrics,
                        retrySleeper != null ? retrySleeper : Sleeper.system(),
                        timeService::getCurrentProcessingTime);
        if (settings.writesInTransaction().orElseGet(() -> writesInTransaction(delegate))) {
            failureHandler.withWritesInTransaction();
        }
        this.initContext = context;
        // a failed write waits for its retry in the retry queue, not on the task thread
        this.retriesOnTimer = failureHandler.retriesWrites();
        if (retriesOnTimer) {
            failureHandler.deferRetries();
            this.retryQueue = newRetryQueue();
        }
        // only when the strategy can act on a record does a flush need to tell which one failed
        this.confirmsWrites = failureHandler.tracksWrites();
        this.delegateMailbox = delegateMailbox;
        if (delegateMailbox != null) {
            delegateMailbox.deferErrors(confirmsWrites);
        }
        this.maxUnconfirmedWrites = settings.unconfirmedWritesBound();
        this.retryQueueBound =
                Math.max(maxUnconfirmedWrites, VeloSinkSettings.MIN_UNCONFIRMED_WRITES_BOUND);
        TypeSerializer<T> serializer = null;
        if ((batching || confirmsWrites) && context.isObjectReuseEnabled()) {
            // the runtime may reuse the instance after write returns; we keep it longer (in the
            // buffer, or until a flush confirms it)
            serializer = context.createInputSerializer();
        }
        this.copySerializer = serializer;
        this.batchIdBase =
                ((long) context.getTaskInfo().getIndexOfThisSubtask() << 40)
                        | ((long) (context.getTaskInfo().getAttemptNumber() & 0xFF) << 32);
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        metrics.numRecordsIn().inc();
        if (!batching) {
            T value = copySerializer != null ? copySerializer.copy(element) : element;
            Pending<T> p = new Pending<>(value, context.timestamp(), context.currentWatermark());
            // written at once; flushed now and then to bound the records an error may belong to
            flushDelegateAtEnd = false;
            runBatch(
                    FlushReason.SIZE,
                    Collections.singletonList(p),
                    windowFullAfter(1),
                    timeService.getCurrentProcessingTime());
            return;
        }
        int position = batcher.size();
        boolean startsBatch = position == 0;
        long now = arrivalClock.arrival(position);
        T value = copySerializer != null ? copySerializer.copy(element) : element;
        Pending<T> p = new Pending<>(value, context.timestamp(), context.currentWatermark());
        if (startsBatch) {
            batchStartMillis = now;
        }
        if (batcher.add(p, now)) {
            flushBuffer(FlushReason.SIZE, false, false);
        } else {
            scheduleFlush();
        }
    }

    @Override
    public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
        if (batcher.isEmpty() && !retryPending()) {
            delegate.writeWatermark(watermark);
        } else {
            heldWatermark = watermark;
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        if (retryQueue != null) {
            flushWithRetryQueue(endOfInput);
            return;
        }
        if (!batcher.isEmpty()) {
            flushBuffer(
                    endOfInput ? FlushReason.END_OF_INPUT : FlushReason.CHECKPOINT,
                    endOfInput,
                    true);
        } else if (failureHandler.unflushedWrites() > 0) {
            // write-through: the records since the last flush are confirmed (or blamed) here
            flushDelegateAtEnd = endOfInput;
            metrics.numRecordsOut().inc(handle(() -> failureHandler.flushWrites(batchSeq, writer)));
        } else {
            delegate.flush(endOfInput);
        }
        if (deadLetterWriter != null) {
            deadLetterWriter.flush();
        }
    }

    @Override
    public void onProcessingTime(long time) throws IOException, InterruptedException {
        flushTimer.fired();
        if (batcher.isEmpty()) {
            return;
        }
        if (time >= batcher.flushDeadline()) {
            flushBuffer(FlushReason.TIMER, false, confirmsWrites);
        } else {
            scheduleFlush();
        }
    }

    /**
     * {@link #flush} with a retry queue: before a barrier a pending retry is not waited for (the
     * queue goes into the writer state, {@link #snapshotState}); at the end of input the backoffs
     * are waited out and everything is written.
     */
    private void flushWithRetryQueue(boolean endOfInput) throws IOException, InterruptedException {
        SinkRetryQueue<Pending<T>> queue = retryQueue;
        boolean flushed = false;
        if (!batcher.isEmpty()) {
            // queued behind a pending retry; else written and flushed (a failure may defer it)
            flushed = !queue.isPending();
            flushBuffer(
                    endOfInput ? FlushReason.END_OF_INPUT : FlushReason.CHECKPOINT,
                    endOfInput,
                    true);
        }
        flushDelegateAtEnd = endOfInput;
        if (!queue.isPending() && failureHandler.unflushedWrites() > 0) {
            // write-through: the records since the last flush are confirmed (or blamed) here
            if (retriesOnTimer) {
                long batchId = batchIdBase + (++batchSeq);
                FailureHandler.WriteOutcome<Pending<T>> outcome =
                        handle(() -> failureHandler.flushWritesOnce(batchId, writer));
                metrics.numRecordsOut().inc(outcome.passed());
                if (outcome.isDeferred()) {
                    queue.defer(outcome);
                }
            } else {
                metrics.numRecordsOut()
                        .inc(handle(() -> failureHandler.flushWrites(batchSeq, writer)));
            }
            flushed = true;
        }
        if (endOfInput && queue.isPending()) {
            handle(
                    () -> {
                        queue.await();
                        return 0;
                    });
            // its last run flushed the delegate
            flushed = true;
        }
        if (!flushed || queue.isPending()) {
            // nothing of the queue is in the delegate: it flushes what it holds of its own
            delegate.flush(endOfInput);
        }
        if (deadLetterWriter != null) {
            deadLetterWriter.flush();
        }
    }

    private boolean retryPending() {
        return retryQueue != null && retryQueue.isPending();
    }

    private SinkRetryQueue<Pending<T>> newRetryQueue() {
        return new SinkRetryQueue<>(
                timeService,
                retrySleeper != null ? retrySleeper : Sleeper.system(),
                new SinkRetryQueue.Runner<>() {
                    @Override
                    public FailureHandler.WriteOutcome<Pending<T>> run(
                            List<Pending<T>> batch, int retriesDone, boolean last)
                            throws Exception {
                        return writeQueued(batch, retriesDone, last);
                    }

                    @Override
                    public void countRetries(int records) {
                        failureHandler.countRetries(records);
                    }
                },
                this::releaseWatermark);
    }

    /** Writes a batch the retry queue releases; a retry is flushed at once to learn its outcome. */
    @Nullable
    private FailureHandler.WriteOutcome<Pending<T>> writeQueued(
            List<Pending<T>> batch, int retriesDone, boolean last) throws Exception {
        long batchId = batchIdBase + (++batchSeq);
        boolean flush = retriesDone > 0 || last || windowFullAfter(batch.size());
        if (retriesOnTimer) {
            FailureHandler.WriteOutcome<Pending<T>> outcome =
                    failureHandler.writeOnce(batchId, batch, writer, flush, retriesDone);
            metrics.numRecordsOut().inc(outcome.passed());
            return outcome;
        }
        // restored retry entries under a strategy that does not retry on a timer
        metrics.numRecordsOut().inc(failureHandler.write(batchId, batch, writer, flush));
        return null;
    }

    /** Hands a watermark held back while records waited to the delegate. */
    private void releaseWatermark() throws IOException, InterruptedException {
        if (heldWatermark != null && batcher.isEmpty() && !retryPending()) {
            Watermark w = heldWatermark;
            heldWatermark = null;
            delegate.writeWatermark(w);
        }
    }

    /**
     * The writer state: the delegate's states (after draining the buffer) and, while records wait
     * for a retry, the retry queue's records, serialized with the writer's input serializer.
     */
    @Override
    public List<VeloSinkState<Object>> snapshotState(long checkpointId) throws IOException {
        List<VeloSinkState<Object>> out = new ArrayList<>();
        if (delegate instanceof StatefulSinkWriter) {
            for (Object s : this.<Object>snapshotDelegateState(checkpointId)) {
                out.add(VeloSinkState.ofDelegate(s));
            }
        } else {
            try {
                drainBeforeSnapshot();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        if (retryPending()) {
            // where they wait: a restore at another parallelism checks it (RetryRescaleCheck)
            out.add(
                    VeloSinkState.ofRetries(
                            retryEntries(),
                            new VeloSinkState.Origin(
                                    initContext.getTaskInfo().getNumberOfParallelSubtasks(),
                                    initContext.getTaskInfo().getIndexOfThisSubtask())));
        }
        return out;
    }

    private List<VeloSinkState.RetryEntry> retryEntries() throws IOException {
        TypeSerializer<T> serializer = stateSerializer();
        DataOutputSerializer bytes = new DataOutputSerializer(256);
        List<VeloSinkState.RetryEntry> entries = new ArrayList<>(retryQueue.records());
        for (SinkRetryQueue.Entry<Pending<T>> e : retryQueue.entries()) {
            for (Pending<T> p : e.records()) {
                bytes.clear();
                serializer.serialize(p.value, bytes);
                entries.add(
                        new VeloSinkState.RetryEntry(
                                e.retriesDone(), p.timestamp(), bytes.getCopyOfBuffer()));
            }
        }
        return entries;
    }

    /**
     * Puts retry entries of a restored writer state in front of every new record: they are written
     * first, from a timer at once (records arriving meanwhile queue behind them). They count as
     * input of this run.
     */
    void restoreRetries(List<VeloSinkState.RetryEntry> restored) throws IOException {
        if (restored.isEmpty()) {
            return;
        }
        if (retryQueue == null) {
            retryQueue = newRetryQueue();
        }
        TypeSerializer<T> serializer = stateSerializer();
        List<SinkRetryQueue.Entry<Pending<T>>> batches = new ArrayList<>();
        List<Pending<T>> batch = new ArrayList<>();
        int attempt = -1;
        for (VeloSinkState.RetryEntry e : restored) {
            if (e.attempt() != attempt && !batch.isEmpty()) {
                batches.add(new SinkRetryQueue.Entry<>(batch, attempt));
                batch = new ArrayList<>();
            }
            attempt = e.attempt();
            DataInputViewStreamWrapper in =
                    new DataInputViewStreamWrapper(new ByteArrayInputStream(e.record()));
            batch.add(new Pending<>(serializer.deserialize(in), e.timestamp(), Long.MIN_VALUE));
        }
        batches.add(new SinkRetryQueue.Entry<>(batch, attempt));
        metrics.numRecordsIn().inc(restored.size());
        retryQueue.restore(batches);
    }

    private TypeSerializer<T> stateSerializer() {
        if (stateSerializer == null) {
            try {
                stateSerializer = initContext.createInputSerializer();
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "The velo sink writer needs its input serializer to keep the records"
                                + " waiting for a retry in its writer state, but the sink's"
                                + " input type has none: "
                                + e,
                        e);
            }
        }
        return stateSerializer;
    }

    @VisibleForTesting
    int recordsAwaitingRetry() {
        return retryQueue == null ? 0 : retryQueue.records();
    }

    /** Drains a non-empty buffer into the delegate; used by snapshot paths as a safety net. */
    void drainBeforeSnapshot() throws IOException, InterruptedException {
        if (!batcher.isEmpty()) {
            flushBuffer(FlushReason.CHECKPOINT, false, true);
        }
    }

    /** The delegate's writer state, after draining the buffer (for stateful delegates). */
    @SuppressWarnings("unchecked")
    <S> List<S> snapshotDelegateState(long checkpointId) throws IOException {
        try {
            drainBeforeSnapshot();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return ((StatefulSinkWriter<T, S>) delegate).snapshotState(checkpointId);
    }

    /** The delegate's committables, after draining the buffer (for committing delegates). */
    @SuppressWarnings("unchecked")
    <C> Collection<C> prepareDelegateCommit() throws IOException, InterruptedException {
        drainBeforeSnapshot();
        return ((CommittingSinkWriter<T, C>) delegate).prepareCommit();
    }

    @Nullable
    private Exception takeDeferred() {
        return delegateMailbox == null ? null : delegateMailbox.takeDeferred();
    }

    private void throwDeferred() throws Exception {
        Exception e = takeDeferred();
        if (e != null) {
            throw e;
        }
    }

    @VisibleForTesting
    int bufferedRecords() {
        return batcher.size();
    }

    @VisibleForTesting
    VeloMetrics metrics() {
        return metrics;
    }

    private void scheduleFlush() {
        flushTimer.schedule(batcher.flushDeadline());
    }

    /**
     * Drains the buffer into the delegate, then flushes the delegate when {@code flushDelegate} or
     * when the unconfirmed writes reach their bound.
     */
    private void flushBuffer(FlushReason reason, boolean endOfInput, boolean flushDelegate)
            throws IOException, InterruptedException {
        List<Pending<T>> batch = batcher.drain();
        this.flushDelegateAtEnd = endOfInput;
        runBatch(reason, batch, flushDelegate || windowFullAfter(batch.size()), batchStartMillis);
        if (heldWatermark != null && !retryPending()) {
            Watermark w = heldWatermark;
            heldWatermark = null;
            delegate.writeWatermark(w);
        }
    }

    /** Whether the delegate must be flushed after {@code n} more writes (see class comment). */
    private boolean windowFullAfter(int n) {
        return confirmsWrites && failureHandler.unflushedWrites() + n >= maxUnconfirmedWrites;
    }

    private void runBatch(
            FlushReason reason, List<Pending<T>> batch, boolean flush, long startMillis)
            throws IOException, InterruptedException {
        int n = batch.size();
        metrics.batchFlushed(reason, n);
        if (retryQueue != null) {
            runBatchWithRetryQueue(batch, flush, startMillis);
            return;
        }
        long batchId = batchIdBase + (++batchSeq);
        // negative when records of earlier write-through calls turn out to have failed
        int ok = handle(() -> failureHandler.write(batchId, batch, writer, flush));
        metrics.numRecordsOut().inc(ok);
        long latency = Math.max(0, timeService.getCurrentProcessingTime() - startMillis);
        metrics.batchLatency(latency);
        batcher.onBatchProcessed(n, latency);
    }

    /**
     * {@link #runBatch} with a retry queue: behind a pending retry the batch is queued (a full
     * queue waits for the retry in place: back-pressure); otherwise it is written, and records a
     * failure defers wait in the queue for their retry.
     */
    private void runBatchWithRetryQueue(List<Pending<T>> batch, boolean flush, long startMillis)
            throws IOException, InterruptedException {
        SinkRetryQueue<Pending<T>> queue = retryQueue;
        int n = batch.size();
        if (queue.isPending()) {
            queue.enqueue(batch);
            if (queue.records() >= retryQueueBound) {
                // back-pressure: the queue holds as many records as it may
                handle(
                        () -> {
                            queue.await();
                            return 0;
                        });
            }
        } else if (retriesOnTimer) {
            long batchId = batchIdBase + (++batchSeq);
            FailureHandler.WriteOutcome<Pending<T>> outcome =
                    handle(() -> failureHandler.writeOnce(batchId, batch, writer, flush, 0));
            metrics.numRecordsOut().inc(outcome.passed());
            if (outcome.isDeferred()) {
                queue.defer(outcome);
            }
        } else {
            long batchId = batchIdBase + (++batchSeq);
            metrics.numRecordsOut()
                    .inc(handle(() -> failureHandler.write(batchId, batch, writer, flush)));
        }
        long latency = Math.max(0, timeService.getCurrentProcessingTime() - startMillis);
        metrics.batchLatency(latency);
        batcher.onBatchProcessed(n, latency);
    }

    /** A call of the failure handler, with its checked exceptions as the writer may throw them. */
    private interface HandlerCall<R> {
        R run() throws Exception;
    }

    private static <R> R handle(HandlerCall<R> call) throws IOException, InterruptedException {
        try {
            return call.run();
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new FlinkRuntimeException(e.getMessage(), e);
        }
    }

    /**
     * Recognises delegates that write inside a transaction a failed write aborts: Kafka's
     * exactly-once writer (by name: the Kafka connector is not a dependency of flink-velo). Its
     * producer refuses every send after a failed one until the transaction is aborted.
     */
    static boolean writesInTransaction(SinkWriter<?> delegate) {
        for (Class<?> c = delegate.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName()
                    .equals("org.apache.flink.connector.kafka.sink.ExactlyOnceKafkaWriter")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws Exception {
        if (retryQueue != null) {
            retryQueue.cancelTimer();
        }
        if (retrySleeper != null) {
            retrySleeper.close();
        }
        flushTimer.cancel();
        try {
            delegate.close();
        } finally {
            IOUtils.closeQuietly(deadLetterWriter);
        }
    }

    /** A buffered record with the writer context it arrived with. */
    static final class Pending<T> implements SinkWriter.Context {
        final T value;
        @Nullable private final Long timestamp;
        private final long watermark;

        Pending(T value, @Nullable Long timestamp, long watermark) {
            this.value = value;
            this.timestamp = timestamp;
            this.watermark = watermark;
        }

        @Override
        public long currentWatermark() {
            return watermark;
        }

        @Override
        @Nullable
        public Long timestamp() {
            return timestamp;
        }
    }
}
