package dev.velo.flink.batching.internal.operator;

import dev.velo.flink.batching.internal.failure.RetryTimer;
import dev.velo.flink.batching.internal.failure.Sleeper;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.runtime.TupleSerializer;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.runtime.streamrecord.StreamElement;
import org.apache.flink.streaming.runtime.streamrecord.StreamElementSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.util.Preconditions;
import org.apache.flink.util.function.ThrowingRunnable;

/**
 * The retry queue of a {@link BatchingOperator} under RetryWithBackoff on a timer: the <i>retry
 * batch</i> (records waiting for their next attempt, with that attempt and its deadline) and the
 * batches flushed behind it, in order, so that no batch overtakes a retry. A processing-time timer
 * at the deadline retries the retry batch, then runs the batches behind it until one waits for a
 * retry again or the queue is empty.
 *
 * <p>The queue is the operator state {@value #STATE_NAME} of a checkpoint taken while a retry is
 * pending: one entry per record, {@code (attempt, record)}, the retry batch's records with its
 * attempt (≥ 1) first, then the records behind it with attempt 0. A restore puts them back and
 * retries them at once, before any new batch.
 *
 * <p>Also the retry queue of flink-velo-sql's operator around a legacy sink function, whose batches
 * are single records.
 */
@Internal
public final class RetryQueue<IN> {

    /**
     * Operator state holding the batch waiting for a retry (entries with its attempt, ≥ 1) and the
     * records flushed behind it (attempt 0), in order; empty when no retry is pending.
     */
    public static final String STATE_NAME = "velo-retry-queue";

    /** Runs the batches the queue releases. */
    public interface Runner<IN> {
        /** Runs a batch that had {@code retriesDone} retries (0 for a batch queued behind). */
        void run(List<StreamRecord<IN>> batch, int retriesDone) throws Exception;

        /** Called before the retry batch runs again with its {@code records}. */
        void countRetries(int records);
    }

    @Nullable private List<StreamRecord<IN>> retryBatch;
    private int retryAttempt;
    private final ArrayDeque<List<StreamRecord<IN>>> queued = new ArrayDeque<>();
    private int queuedRecords;
    @Nullable private ListState<Tuple2<Integer, StreamElement>> state;
    @Nullable private List<Tuple2<Integer, StreamElement>> restored;

    // runs the queue at the retry's deadline; set by open
    @Nullable private RetryTimer timer;
    @Nullable private Runner<IN> runner;
    // called when the queue has become empty after a timer or a wait ran it
    @Nullable private ThrowingRunnable<Exception> drained;

    /** The serializer of the state's entries: {@code (attempt, record with its timestamp)}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static <T> TypeSerializer<Tuple2<Integer, StreamElement>> entrySerializer(
            TypeSerializer<T> in) {
        return new TupleSerializer<>(
                (Class<Tuple2<Integer, StreamElement>>) (Class) Tuple2.class,
                new TypeSerializer[] {IntSerializer.INSTANCE, new StreamElementSerializer<>(in)});
    }

    /** Registers the operator state and reads what a restore brings back. */
    public void initializeState(StateInitializationContext context, TypeSerializer<IN> in)
            throws Exception {
        state =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>(STATE_NAME, entrySerializer(in)));
        if (context.isRestored()) {
            List<Tuple2<Integer, StreamElement>> entries = new ArrayList<>();
            for (Tuple2<Integer, StreamElement> e : state.get()) {
                entries.add(e);
            }
            restored = entries;
        }
    }

    /** Stores the retry batch and the batches behind it (nothing when no retry is pending). */
    public void snapshotState() throws Exception {
        if (state == null) {
            Preconditions.checkState(
                    !isPending(), "a retry is pending but the input type has no serializer");
            return;
        }
        state.update(entries());
    }

    /** The state's entries for the current queue, in order. */
    List<Tuple2<Integer, StreamElement>> entries() {
        List<Tuple2<Integer, StreamElement>> entries = new ArrayList<>();
        if (retryBatch != null) {
            for (StreamRecord<IN> r : retryBatch) {
                entries.add(Tuple2.of(retryAttempt, r));
            }
        }
        for (List<StreamRecord<IN>> batch : queued) {
            for (StreamRecord<IN> r : batch) {
                entries.add(Tuple2.of(0, r));
            }
        }
        return entries;
    }

    /**
     * Connects the queue to the task: its timers, the wait of {@link #await}, the runner of the
     * batches it releases, and what to do once it is empty.
     */
    public void open(
            ProcessingTimeService time,
            Sleeper sleeper,
            Runner<IN> runner,
            ThrowingRunnable<Exception> drained) {
        this.timer =
                new RetryTimer(
                        Preconditions.checkNotNull(time),
                        Preconditions.checkNotNull(sleeper),
                        this::runQueue);
        this.runner = Preconditions.checkNotNull(runner);
        this.drained = Preconditions.checkNotNull(drained);
    }

    /**
     * Puts a restored retry batch and the records behind it (cut into batches of at most {@code
     * maxBatchSize}) back in the queue and arms the retry at once.
     *
     * @return the number of records restored (input of this run)
     */
    public int restore(int maxBatchSize) {
        List<Tuple2<Integer, StreamElement>> entries = restored;
        restored = null;
        if (entries == null || entries.isEmpty()) {
            return 0;
        }
        List<StreamRecord<IN>> retry = new ArrayList<>();
        List<StreamRecord<IN>> behind = new ArrayList<>();
        int attempt = 0;
        for (Tuple2<Integer, StreamElement> e : entries) {
            StreamRecord<IN> r = e.f1.asRecord();
            if (e.f0 > 0) {
                retry.add(r);
                attempt = Math.max(attempt, e.f0);
            } else {
                behind.add(r);
            }
        }
        if (!retry.isEmpty()) {
            retryBatch = retry;
            retryAttempt = attempt;
        }
        int max = Math.max(1, maxBatchSize);
        for (int from = 0; from < behind.size(); from += max) {
            List<StreamRecord<IN>> batch =
                    new ArrayList<>(behind.subList(from, Math.min(behind.size(), from + max)));
            queued.add(batch);
            queuedRecords += batch.size();
        }
        timer.arm(timer.now());
        return entries.size();
    }

    /** Whether a retry is pending or batches wait behind one. */
    public boolean isPending() {
        return retryBatch != null || !queued.isEmpty();
    }

    /** Records waiting behind the retry batch. */
    public int queuedRecords() {
        return queuedRecords;
    }

    /** Records of the retry batch and behind it. */
    public int recordsAwaitingRetry() {
        return (retryBatch == null ? 0 : retryBatch.size()) + queuedRecords;
    }

    /** Queues a flushed batch behind the pending retry (copied: its holders are reused). */
    public void enqueue(List<StreamRecord<IN>> batch) {
        queued.add(detach(batch));
        queuedRecords += batch.size();
    }

    /** Makes {@code records} the retry batch, as retry {@code attempt}, due at {@code deadline}. */
    public void retryLater(List<StreamRecord<IN>> records, int attempt, long deadline) {
        retryBatch = detach(records);
        retryAttempt = attempt;
        timer.arm(deadline);
    }

    /** Fresh holders for records kept beyond the current flush (the pool reuses its own). */
    static <T> List<StreamRecord<T>> detach(List<StreamRecord<T>> records) {
        List<StreamRecord<T>> copy = new ArrayList<>(records.size());
        for (StreamRecord<T> r : records) {
            copy.add(r.copy(r.getValue()));
        }
        return copy;
    }

    /** Cancels the retry timer; a timer already queued in the mailbox then does nothing. */
    public void cancelTimer() {
        if (timer != null) {
            timer.cancel();
        }
    }

    /**
     * Retries the retry batch, then runs the batches queued behind it, until one of them waits for
     * a retry again or the queue is empty.
     */
    private void runQueue() throws Exception {
        if (retryBatch != null) {
            List<StreamRecord<IN>> batch = retryBatch;
            retryBatch = null;
            runner.countRetries(batch.size());
            runner.run(batch, retryAttempt);
        }
        while (retryBatch == null && !queued.isEmpty()) {
            List<StreamRecord<IN>> batch = queued.poll();
            queuedRecords -= batch.size();
            runner.run(batch, 0);
        }
        if (!isPending()) {
            drained.run();
        }
    }

    /**
     * Waits until the queue is empty, retrying on the task thread when a deadline is reached. The
     * wait yields to the mailbox (the retry timer may resolve the queue meanwhile). Used at the end
     * of input and as back-pressure; a checkpoint barrier waits behind it.
     */
    public void await() throws Exception {
        timer.await(this::isPending);
    }
}
