package dev.velo.flink.e2e.bench;

import dev.velo.flink.batching.api.VeloBatching;
import dev.velo.flink.batching.config.BatchConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What batching costs a checkpoint under backpressure: an unbounded sequence source, then nothing
 * (plain) or velo's stage (chained to the source), then, in a task of its own, a sink that takes 1
 * ms per 100 records. Checkpoints every {@code interval}; the end-to-end durations of the completed
 * checkpoints come from the job's checkpoint statistics (the figures the REST API serves). A
 * variant whose checkpoints all take longer than the run reports -1.
 */
final class CheckpointBench {

    /** Records the slow sink writes per millisecond of its time. */
    static final int RECORDS_PER_MS = 100;

    private CheckpointBench() {}

    /**
     * Runs one job for {@code runFor}, longer when fewer than {@code minCompleted} checkpoints have
     * completed by then (up to {@code maxRun}), and returns the end-to-end durations (ms) of its
     * completed checkpoints, sorted (empty when none completed within {@code maxRun}).
     *
     * @param config velo's stage, or null for the plain job
     */
    static List<Long> durations(
            BatchConfig config,
            boolean unaligned,
            Duration interval,
            Duration runFor,
            int minCompleted,
            Duration maxRun)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
        conf.set(CheckpointingOptions.ENABLE_UNALIGNED, unaligned);
        conf.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 10_000);
        conf.set(RestOptions.BIND_PORT, "0");
        // 4 KiB network buffers instead of 32 KiB: the in-flight data an aligned barrier queues
        // behind (a few buffers per channel) is then tens of ms of the slow sink's work, not
        // seconds, so the figures show the batching stage's share rather than the buffer sizing
        conf.set(TaskManagerOptions.MEMORY_SEGMENT_SIZE, MemorySize.parse("4kb"));
        MiniClusterConfiguration mc =
                new MiniClusterConfiguration.Builder()
                        .setConfiguration(conf)
                        .setNumTaskManagers(1)
                        .setNumSlotsPerTaskManager(2)
                        .build();
        try (MiniCluster cluster = new MiniCluster(mc)) {
            cluster.start();
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(1);
            DataStream<Long> s = env.fromSequence(1, Long.MAX_VALUE);
            if (config != null) {
                s = VeloBatching.of(s, config).named("velo").batch().output();
            }
            s.sinkTo(new SlowSink()).name("slow").disableChaining();
            JobGraph job = env.getStreamGraph().getJobGraph();
            JobID id = cluster.submitJob(job).get().getJobID();
            long start = System.nanoTime();
            long end = start + runFor.toNanos();
            long cap = start + Math.max(runFor.toNanos(), maxRun.toNanos());
            while (true) {
                JobStatus st = cluster.getJobStatus(id).get();
                if (st.isGloballyTerminalState()) {
                    throw new IllegalStateException("checkpoint job ended early: " + st);
                }
                long now = System.nanoTime();
                if (now >= cap
                        || (now >= end
                                && cluster.getExecutionGraph(id)
                                                .get()
                                                .getCheckpointStatsSnapshot()
                                                .getCounts()
                                                .getNumberOfCompletedCheckpoints()
                                        >= minCompleted)) {
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(200); // pacing the status poll, not synchronisation
            }
            AccessExecutionGraph graph = cluster.getExecutionGraph(id).get();
            List<Long> out = new ArrayList<>();
            for (AbstractCheckpointStats c :
                    graph.getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
                if (c.getStatus() == CheckpointStatsStatus.COMPLETED) {
                    out.add(c.getEndToEndDuration());
                }
            }
            cluster.cancelJob(id).get();
            Collections.sort(out);
            return out;
        }
    }

    /** A sink that spends 1 ms per {@value #RECORDS_PER_MS} records (parked, as an I/O wait). */
    static final class SlowSink implements Sink<Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<Long> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                private long count;

                @Override
                public void write(Long element, Context context) {
                    if (++count % RECORDS_PER_MS == 0) {
                        LockSupport.parkNanos(1_000_000L);
                    }
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
