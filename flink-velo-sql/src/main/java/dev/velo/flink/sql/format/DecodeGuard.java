package dev.velo.flink.sql.format;

import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.failure.VeloBatchFailedException;
import dev.velo.flink.batching.failure.VeloFailureRatioExceededException;
import dev.velo.flink.batching.failure.VeloNonRetriableException;
import dev.velo.flink.batching.internal.failure.BatchProcessor;
import dev.velo.flink.batching.internal.failure.FailureHandler;
import dev.velo.flink.batching.internal.failure.Sleeper;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.UserCodeClassLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source failure handling of one subtask of a velo table: its failure handler, its DLQ writer
 * and its velo metrics (registered under {@code <group>.velo-decode[<table>].velo}).
 *
 * <p>A {@code DeserializationSchema} has no checkpoint hook, so every dead letter is flushed before
 * the record's {@code deserialize} returns: it is durable before the checkpoint that skips the
 * record. Lifecycle: a guard bound by {@link GuardedSource} lives as long as the connector's source
 * reader. A guard opened by a decoder itself (connectors that deserialize in the task, e.g. Kafka)
 * has no close hook; it is closed when the same subtask opens its next attempt or when the job's
 * user-code class loader is released, whichever comes first.
 */
@Internal
final class DecodeGuard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DecodeGuard.class);

    /**
     * The metric group between the connector's group and velo's, {@code velo-decode[<table>]}: it
     * marks the source side (the name the decoding operator of earlier versions had).
     */
    static final String METRIC_GROUP_PREFIX = "velo-decode[";

    private static final Map<String, DecodeGuard> BOUND = new ConcurrentHashMap<>();
    private static final Map<String, DecodeGuard> SLOTS = new ConcurrentHashMap<>();

    /** The flush stages of running tasks, by guard id, job, subtask and task thread. */
    private static final Map<String, FlushStage> FLUSH_STAGES = new ConcurrentHashMap<>();

    /** Guards opened before their task's flush stage, by the same key. */
    private static final Map<String, DecodeGuard> WAITING_FOR_STAGE = new ConcurrentHashMap<>();

    /** What the guard protects: one call of the real decoder. */
    @FunctionalInterface
    interface Decode {
        void decode(byte[] message) throws Exception;
    }

    private final SourceGuardSettings settings;
    private final int subtask;
    private final VeloMetrics metrics;
    private final FailureHandler<byte[]> handler;
    @Nullable private final DeadLetterWriter dlqWriter;
    private boolean unflushed;

    /** Whether a {@link DeadLetterFlushOperator} of this task flushes the dead letters. */
    private boolean flushDeferred;

    @Nullable private String flushKey;

    private long nextIndex;
    private boolean closed;

    // the record being decoded and its decoder, for the processor made once per guard (decode is
    // on the path of every record of the source)
    private final List<byte[]> single = new ArrayList<>(1);
    @Nullable private Decode current;

    private final BatchProcessor<byte[]> processor =
            new BatchProcessor<>() {
                @Override
                public void processRecord(byte[] record) {
                    try {
                        current.decode(record);
                    } catch (Exception e) {
                        // Undecodable bytes stay undecodable: never retry them.
                        throw VeloNonRetriableException.withoutOwnStackTrace(
                                "could not decode with the table's format '"
                                        + settings.innerFormat
                                        + "': "
                                        + e.getMessage(),
                                e);
                    }
                }

                @Override
                public void finishBatch() {}
            };

    private DecodeGuard(SourceGuardSettings settings, MetricGroup group, int subtask, int attempt)
            throws IOException {
        this.settings = settings;
        this.subtask = subtask;
        this.metrics =
                VeloMetrics.register(
                        group.addGroup(METRIC_GROUP_PREFIX + settings.tableName + "]"), group);
        this.dlqWriter =
                settings.dlq == null || !settings.failure.mayDeadLetter()
                        ? null
                        : settings.dlq.open(subtask, attempt);
        this.handler =
                new FailureHandler<>(
                        settings.failure,
                        settings.tableName,
                        DeadLetter.SIDE_SOURCE,
                        bytes -> bytes,
                        dlqWriter == null ? null : this::deadLetter,
                        metrics,
                        // never waits: the processor marks every decoding error non-retriable, so
                        // RetryWithBackoff hands it to retry_exhausted at once (a format's
                        // deserialize has no mailbox to yield to)
                        Sleeper.system(),
                        System::currentTimeMillis);
    }

    /** Opens the guard of a source reader; {@link #release} closes it. Returns its key. */
    static String bind(SourceGuardSettings settings, MetricGroup group, int subtask)
            throws IOException {
        String key = settings.guardId + "/" + subtask + "/" + UUID.randomUUID();
        BOUND.put(key, new DecodeGuard(settings, group, subtask, attemptOf(group)));
        return key;
    }

    @Nullable
    static DecodeGuard bound(String key) {
        return BOUND.get(key);
    }

    static void release(String key) {
        DecodeGuard guard = BOUND.remove(key);
        if (guard != null) {
            guard.closeQuietly();
        }
    }

    /** Opens the guard of a decoder the connector opened itself (see the class comment). */
    static DecodeGuard forDeserializer(
            SourceGuardSettings settings, DeserializationSchema.InitializationContext context)
            throws IOException {
        MetricGroup group = context.getMetricGroup();
        Map<String, String> variables = group.getAllVariables();
        String subtaskVariable = variables.get("<subtask_index>");
        int subtask = parse(subtaskVariable);
        DecodeGuard guard = new DecodeGuard(settings, group, subtask, attemptOf(group));
        if (subtaskVariable != null && guard.dlqWriter != null) {
            // A flush stage of the same task (same thread) flushes its dead letters before each
            // barrier. The task may open the source's reader before or after its operators, so
            // whichever of the two comes second links them.
            guard.flushKey =
                    flushKey(
                            settings.guardId,
                            variables.get("<job_id>"),
                            subtask,
                            Thread.currentThread());
            FlushStage stage = FLUSH_STAGES.get(guard.flushKey);
            if (stage != null) {
                stage.adopt(guard);
            } else {
                WAITING_FOR_STAGE.put(guard.flushKey, guard);
            }
        }
        // one slot per source operator and subtask (a table scanned twice has two operators)
        String slot =
                settings.guardId
                        + "/"
                        + variables.get("<job_id>")
                        + "/"
                        + variables.get("<operator_id>")
                        + "/"
                        + (subtaskVariable != null
                                ? subtaskVariable
                                : Thread.currentThread().getName());
        DecodeGuard previous = SLOTS.put(slot, guard);
        if (previous != null) {
            previous.closeQuietly();
        }
        try {
            UserCodeClassLoader loader = context.getUserCodeClassLoader();
            loader.registerReleaseHookIfAbsent(
                    "velo-decode/" + slot,
                    () -> {
                        DecodeGuard last = SLOTS.remove(slot);
                        if (last != null) {
                            last.closeQuietly();
                        }
                    });
        } catch (RuntimeException | LinkageError e) {
            // some connectors hand out no real user-code class loader; the next attempt closes it
            LOG.debug("Table '{}': no class loader release hook", settings.tableName, e);
        }
        return guard;
    }

    /**
     * Runs {@code call} under the table's source failure strategy, counting the record in and,
     * unless it was dropped or dead-lettered, out.
     *
     * @return whether the record was decoded
     */
    synchronized boolean decode(byte[] message, Decode call) throws IOException {
        metrics.numRecordsIn().inc();
        long index = nextIndex++;
        int decoded;
        current = call;
        single.add(message);
        try {
            decoded = handler.process(index, single, processor);
        } catch (VeloBatchFailedException e) {
            throw new IOException(
                    String.format(
                            "Table '%s': could not decode the record number %d of subtask %d"
                                    + " (%s = %s): %s",
                            settings.tableName,
                            index,
                            subtask,
                            FailureOptions.SOURCE_PREFIX + FailureOptions.FAILURE_STRATEGY.key(),
                            settings.failure.strategy().displayName(),
                            e.getCause() == null ? e.getMessage() : e.getCause().toString()),
                    e);
        } catch (VeloFailureRatioExceededException e) {
            throw new IOException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        } finally {
            single.clear();
            current = null;
            if (unflushed && !flushDeferred) {
                unflushed = false;
                dlqWriter.flush();
            }
        }
        metrics.numRecordsOut().inc(decoded);
        return decoded > 0;
    }

    /** Makes the dead letters written so far durable (the flush stage's checkpoint hook). */
    synchronized void flushDeadLetters() throws IOException {
        if (unflushed && !closed) {
            unflushed = false;
            dlqWriter.flush();
        }
    }

    static String flushKey(String guardId, @Nullable String jobId, int subtask, Thread thread) {
        return guardId + "/" + jobId + "/" + subtask + "/" + thread.getId();
    }

    /** Registers the flush stage of a task for the guards of these ids opened on its thread. */
    static FlushStage registerFlushStage(List<String> guardIds, String jobId, int subtask) {
        FlushStage stage = new FlushStage();
        for (String id : guardIds) {
            String key = flushKey(id, jobId, subtask, Thread.currentThread());
            stage.keys.add(key);
            FLUSH_STAGES.put(key, stage);
            DecodeGuard waiting = WAITING_FOR_STAGE.remove(key);
            if (waiting != null) {
                stage.adopt(waiting);
            }
        }
        return stage;
    }

    static void unregisterFlushStage(FlushStage stage) {
        for (String key : stage.keys) {
            FLUSH_STAGES.remove(key, stage);
        }
        stage.guards.clear();
    }

    /** The guards a {@link DeadLetterFlushOperator} flushes. */
    static final class FlushStage {
        final List<String> keys = new ArrayList<>();
        final List<DecodeGuard> guards = new CopyOnWriteArrayList<>();

        void adopt(DecodeGuard guard) {
            synchronized (guard) {
                guard.flushDeferred = true;
            }
            guards.add(guard);
        }

        void flush() throws IOException {
            for (DecodeGuard guard : guards) {
                guard.flushDeadLetters();
            }
        }
    }

    private void deadLetter(DeadLetter deadLetter) throws IOException {
        unflushed = true;
        dlqWriter.write(deadLetter);
    }

    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        if (flushKey != null) {
            WAITING_FOR_STAGE.remove(flushKey, this);
        }
        if (dlqWriter != null) {
            dlqWriter.close();
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (Exception e) {
            LOG.warn("Table '{}': could not close the DLQ writer", settings.tableName, e);
        }
    }

    private static int attemptOf(MetricGroup group) {
        return parse(group.getAllVariables().get("<task_attempt_num>"));
    }

    private static int parse(@Nullable String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
