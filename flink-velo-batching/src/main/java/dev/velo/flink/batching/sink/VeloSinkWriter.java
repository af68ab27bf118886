package dev.velo.flink.batching.sink;

import dev.velo.flink.batching.batcher.ArrivalClock;
import dev.velo.flink.batching.batcher.Batcher;
import dev.velo.flink.batching.batcher.Batchers;
import dev.velo.flink.batching.batcher.FlushTimer;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.failure.BatchProcessor;
import dev.velo.flink.batching.failure.FailureHandler;
import dev.velo.flink.batching.failure.Sleeper;
import dev.velo.flink.batching.metrics.FlushReason;
import dev.velo.flink.batching.metrics.VeloMetrics;
import java.io.IOException;
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
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.IOUtils;

/**
 * The writer of {@link VeloSink}: buffers records with the batcher and writes each batch to the
 * delegate writer under the failure strategy (write = a record, delegate flush = the batch). {@link
 * #flush(boolean)} runs before every checkpoint barrier and drains the buffer, flushes the delegate
 * and then the DLQ writer, so the buffer is empty at every snapshot and a dead letter is durable
 * before the checkpoint that skips its record.
 *
 * <p>The delegate is flushed at the end of every batch only when the failure strategy acts on a
 * batch's outcome (RetryWithBackoff, SendToDLQ, LogAndContinue): an asynchronous writer such as
 * Kafka's reports a failed send only on a later call, and the flush makes it surface while the
 * batch is still known. Under FailBatch any error fails the job, whichever call reports it, so the
 * batch is handed to the delegate without a flush and the delegate flushes before every checkpoint
 * and at the end of input, as without flink-velo. A flush per batch is a broker round trip for
 * Kafka; skipping it is what keeps a FailBatch Kafka sink at the plain sink's speed.
 */
@Internal
class VeloSinkWriter<T> implements SinkWriter<T>, ProcessingTimeService.ProcessingTimeCallback {

    final SinkWriter<T> delegate;
    private final boolean batching;
    private final Batcher<Pending<T>> batcher;
    private final FailureHandler<Pending<T>> failureHandler;
    @Nullable private final DeadLetterWriter deadLetterWriter;
    private final VeloMetrics metrics;
    private final ProcessingTimeService timeService;
    @Nullable private final TypeSerializer<T> copySerializer;
    private final long batchIdBase;
    private long batchSeq;
    private long batchStartMillis;
    private final FlushTimer flushTimer;
    private final ArrivalClock arrivalClock;
    @Nullable private Watermark heldWatermark;

    /** Whether a batch's delegate flush is needed to learn its outcome (see class comment). */
    private final boolean flushEachBatch;

    /** Whether the batch being processed ends with a delegate flush. */
    private boolean flushDelegate;

    /** The endOfInput argument of the delegate flush of the batch being processed. */
    private boolean flushDelegateAtEnd;

    private final BatchProcessor<Pending<T>> batchProcessor =
            new BatchProcessor<>() {
                @Override
                public void processRecord(Pending<T> record) throws Exception {
                    delegate.write(record.value, record);
                }

                @Override
                public void finishBatch() throws Exception {
                    if (flushDelegate) {
                        delegate.flush(flushDelegateAtEnd);
                    }
                }
            };

    private final BatchProcessor<Pending<T>> writeThrough =
            new BatchProcessor<>() {
                @Override
                public void processRecord(Pending<T> record) throws Exception {
                    delegate.write(record.value, record);
                }

                @Override
                public void finishBatch() {}
            };

    VeloSinkWriter(
            SinkWriter<T> delegate,
            VeloSinkSettings<T> settings,
            WriterInitContext context,
            @Nullable DeadLetterWriter deadLetterWriter) {
        this.delegate = delegate;
        this.deadLetterWriter = deadLetterWriter;
        this.batching = settings.batchConfig().isEnabled();
        this.metrics = VeloMetrics.register(context.metricGroup());
        this.timeService = context.getProcessingTimeService();
        this.flushEachBatch = settings.failureConfig().strategy() != FailureStrategy.FAIL_BATCH;
        this.flushTimer = new FlushTimer(d -> timeService.registerTimer(d, this));
        this.arrivalClock = new ArrivalClock(timeService::getCurrentProcessingTime);
        this.batcher =
                Batchers.create(
                        settings.batchConfig(), p -> settings.sizeEstimator().estimate(p.value));
        DeadLetterEncoder<T> encoder = settings.encoder();
        this.failureHandler =
                new FailureHandler<Pending<T>>(
                                settings.failureConfig(),
                                settings.tableName(),
                                DeadLetter.SIDE_SINK,
                                p -> encoder.payload(p.value),
                                deadLetterWriter == null ? null : deadLetterWriter::write,
                                metrics,
                                Sleeper.system(),
                                timeService::getCurrentProcessingTime)
                        // sinks send in the background: an error may belong to an earlier record
                        .withAsyncWrites();
        TypeSerializer<T> serializer = null;
        if (batching && context.isObjectReuseEnabled()) {
            // the runtime may reuse the instance after write returns; we keep it longer
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
            Pending<T> p = new Pending<>(element, context.timestamp(), context.currentWatermark());
            runBatch(
                    FlushReason.SIZE,
                    Collections.singletonList(p),
                    writeThrough,
                    timeService.getCurrentProcessingTime());
            return;
        }
        boolean startsBatch = batcher.isEmpty();
        long now = arrivalClock.arrival(startsBatch);
        T value = copySerializer != null ? copySerializer.copy(element) : element;
        Pending<T> p = new Pending<>(value, context.timestamp(), context.currentWatermark());
        if (startsBatch) {
            batchStartMillis = now;
        }
        if (batcher.add(p, now)) {
            flushBuffer(FlushReason.SIZE, false, flushEachBatch);
        } else {
            scheduleFlush();
        }
    }

    @Override
    public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
        if (batcher.isEmpty()) {
            delegate.writeWatermark(watermark);
        } else {
            heldWatermark = watermark;
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        if (!batcher.isEmpty()) {
            flushBuffer(
                    endOfInput ? FlushReason.END_OF_INPUT : FlushReason.CHECKPOINT,
                    endOfInput,
                    true);
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
            flushBuffer(FlushReason.TIMER, false, flushEachBatch);
        } else {
            scheduleFlush();
        }
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

    private void flushBuffer(FlushReason reason, boolean endOfInput, boolean flushDelegate)
            throws IOException, InterruptedException {
        List<Pending<T>> batch = batcher.drain();
        this.flushDelegate = flushDelegate;
        this.flushDelegateAtEnd = endOfInput;
        runBatch(reason, batch, batchProcessor, batchStartMillis);
        if (heldWatermark != null) {
            Watermark w = heldWatermark;
            heldWatermark = null;
            delegate.writeWatermark(w);
        }
    }

    private void runBatch(
            FlushReason reason,
            List<Pending<T>> batch,
            BatchProcessor<Pending<T>> processor,
            long startMillis)
            throws IOException, InterruptedException {
        int n = batch.size();
        metrics.batchFlushed(reason, n);
        int ok;
        try {
            ok = failureHandler.process(batchIdBase + (++batchSeq), batch, processor);
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new FlinkRuntimeException(e.getMessage(), e);
        }
        metrics.numRecordsOut().inc(ok);
        long latency = Math.max(0, timeService.getCurrentProcessingTime() - startMillis);
        metrics.batchLatency(latency);
        batcher.onBatchProcessed(n, latency);
    }

    @Override
    public void close() throws Exception {
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
