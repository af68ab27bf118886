package dev.velo.flink.sql.dlq;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.flink.util.function.ThrowingRunnable;

/**
 * The {@link WriterInitContext} of a DLQ connector's writer, which runs inside another writer or a
 * deserializer rather than in an operator of its own. Mails and timers the writer schedules are
 * queued and run on the thread that calls {@link #runPending()} (the DLQ writer does before and
 * after every write and flush), so an asynchronous writer's error reaches that thread; timers that
 * never come due simply never fire. Object reuse is off.
 *
 * <p>A DLQ that commits with the checkpoint of the sink writing it (exactly-once) gets the sink
 * subtask's task, job and restored checkpoint (see the second constructor).
 */
@Internal
final class DetachedWriterContext implements WriterInitContext {

    private final TaskInfo taskInfo;
    private final SinkWriterMetricGroup metricGroup;
    private final UserCodeClassLoader classLoader;
    private final Mailbox mailbox = new Mailbox();
    private final Timers timers = new Timers();

    /** The sink subtask's own context for a DLQ writer that commits with it; else null. */
    @Nullable private final WriterInitContext subtask;

    DetachedWriterContext(TaskInfo taskInfo, MetricGroup callerGroup, ClassLoader classLoader) {
        this.taskInfo = taskInfo;
        this.metricGroup = new DlqWriterMetricGroup(callerGroup);
        this.classLoader = SimpleUserCodeClassLoader.create(classLoader);
        this.subtask = null;
    }

    /**
     * The context of a DLQ writer whose transactions the sink subtask of {@code subtask} commits:
     * the task (index, parallelism, attempt), the job and the restored checkpoint id are that
     * subtask's, as a transactional writer needs them to name its transactions and abort the ones a
     * failed attempt left open; mails, timers and metrics stay detached as above.
     */
    DetachedWriterContext(WriterInitContext subtask, ClassLoader classLoader) {
        this.taskInfo = subtask.getTaskInfo();
        this.metricGroup = new DlqWriterMetricGroup(subtask.metricGroup());
        this.classLoader = SimpleUserCodeClassLoader.create(classLoader);
        this.subtask = subtask;
    }

    /** Runs the queued mails and the timers that are due; the first failure is rethrown. */
    void runPending() throws IOException {
        try {
            mailbox.runAll();
            timers.fireDue();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while running the DLQ writer's actions", e);
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public UserCodeClassLoader getUserCodeClassLoader() {
        return classLoader;
    }

    @Override
    public MailboxExecutor getMailboxExecutor() {
        return mailbox;
    }

    @Override
    public ProcessingTimeService getProcessingTimeService() {
        return timers;
    }

    @Override
    public SinkWriterMetricGroup metricGroup() {
        return metricGroup;
    }

    @Override
    public SerializationSchema.InitializationContext asSerializationSchemaInitializationContext() {
        return new SerializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return metricGroup;
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return classLoader;
            }
        };
    }

    @Override
    public boolean isObjectReuseEnabled() {
        return false;
    }

    @Override
    public <IN> TypeSerializer<IN> createInputSerializer() {
        // only needed with object reuse, which is off
        throw new UnsupportedOperationException("A DLQ writer gets fresh rows: no serializer.");
    }

    @Override
    public OptionalLong getRestoredCheckpointId() {
        // an at-least-once DLQ writer is never restored: it keeps no state
        return subtask == null ? OptionalLong.empty() : subtask.getRestoredCheckpointId();
    }

    @Override
    public JobInfo getJobInfo() {
        if (subtask != null) {
            return subtask.getJobInfo();
        }
        return new JobInfo() {
            @Override
            public JobID getJobId() {
                return new JobID(0, 0);
            }

            @Override
            public String getJobName() {
                return taskInfo.getTaskName();
            }
        };
    }

    @Override
    public TaskInfo getTaskInfo() {
        return taskInfo;
    }

    /** A task info for a subtask and attempt known only by their numbers. */
    static TaskInfo taskInfo(String name, int subtaskIndex, int attemptNumber) {
        int parallelism = subtaskIndex + 1;
        return new TaskInfo() {
            @Override
            public String getTaskName() {
                return name;
            }

            @Override
            public int getMaxNumberOfParallelSubtasks() {
                return Math.max(parallelism, 128);
            }

            @Override
            public int getIndexOfThisSubtask() {
                return subtaskIndex;
            }

            @Override
            public int getNumberOfParallelSubtasks() {
                return parallelism;
            }

            @Override
            public int getAttemptNumber() {
                return attemptNumber;
            }

            @Override
            public String getTaskNameWithSubtasks() {
                return name + " (" + (subtaskIndex + 1) + "/" + parallelism + ")";
            }

            @Override
            public String getAllocationIDAsString() {
                return "";
            }
        };
    }

    /** Mails queued from any thread (e.g. a Kafka producer's I/O thread), run by the caller. */
    private static final class Mailbox implements MailboxExecutor {
        private final BlockingQueue<ThrowingRunnable<? extends Exception>> mails =
                new LinkedBlockingQueue<>();

        @Override
        public void execute(
                MailOptions mailOptions,
                ThrowingRunnable<? extends Exception> command,
                String descriptionFormat,
                Object... descriptionArgs) {
            mails.add(command);
        }

        void runAll() throws Exception {
            ThrowingRunnable<? extends Exception> mail;
            while ((mail = mails.poll()) != null) {
                mail.run();
            }
        }

        @Override
        public void yield() throws InterruptedException, FlinkRuntimeException {
            run(mails.take());
        }

        @Override
        public boolean tryYield() throws FlinkRuntimeException {
            ThrowingRunnable<? extends Exception> mail = mails.poll();
            if (mail == null) {
                return false;
            }
            run(mail);
            return true;
        }

        private static void run(ThrowingRunnable<? extends Exception> mail) {
            try {
                mail.run();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new FlinkRuntimeException(e);
            }
        }

        @Override
        public boolean shouldInterrupt() {
            return false;
        }
    }

    /** Timers fired by the caller once due; a writer whose timers never fire still works. */
    private static final class Timers implements ProcessingTimeService {
        private final PriorityQueue<Timer> queue =
                new PriorityQueue<>((a, b) -> Long.compare(a.timestamp, b.timestamp));

        @Override
        public long getCurrentProcessingTime() {
            return System.currentTimeMillis();
        }

        @Override
        public synchronized ScheduledFuture<?> registerTimer(
                long timestamp, ProcessingTimeCallback target) {
            Timer t = new Timer(timestamp, target);
            queue.add(t);
            return t;
        }

        void fireDue() throws Exception {
            long now = getCurrentProcessingTime();
            List<Timer> due = new ArrayList<>();
            synchronized (this) {
                while (!queue.isEmpty() && queue.peek().timestamp <= now) {
                    due.add(queue.poll());
                }
            }
            for (Timer t : due) {
                if (!t.cancelled) {
                    t.done = true;
                    t.callback.onProcessingTime(t.timestamp);
                }
            }
        }
    }

    private static final class Timer implements ScheduledFuture<Object> {
        final long timestamp;
        final ProcessingTimeService.ProcessingTimeCallback callback;
        volatile boolean cancelled;
        volatile boolean done;

        Timer(long timestamp, ProcessingTimeService.ProcessingTimeCallback callback) {
            this.timestamp = timestamp;
            this.callback = callback;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(timestamp - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.MILLISECONDS), o.getDelay(TimeUnit.MILLISECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (done) {
                return false;
            }
            cancelled = true;
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
