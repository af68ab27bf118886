package dev.velo.flink.e2e.bench;

import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * One MiniCluster for every job of a harness run. A local environment starts and stops a
 * MiniCluster for each job (about a second of CPU on this machine, more than a short run itself);
 * the jobs of the harness only need slots, so they share one cluster. The measured spans (the sink
 * writer's life, the job's net runtime) never included the cluster's start, so the figures keep
 * their meaning; a run just gets there sooner. Environments created here submit their stream graph
 * to the shared cluster directly (no REST round trip).
 */
final class BenchCluster implements AutoCloseable {

    private static final String NAME = "velo-bench-cluster";

    private final MiniCluster cluster;
    private final PipelineExecutorServiceLoader executors;

    /** Starts a cluster of one TaskManager with {@code slots} slots. */
    BenchCluster(int slots) throws Exception {
        this.cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(restOnAnyFreePort())
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        cluster.start();
        PipelineExecutor executor = this::submit;
        PipelineExecutorFactory factory =
                new PipelineExecutorFactory() {
                    @Override
                    public String getName() {
                        return NAME;
                    }

                    @Override
                    public boolean isCompatibleWith(Configuration configuration) {
                        return true;
                    }

                    @Override
                    public PipelineExecutor getExecutor(Configuration configuration) {
                        return executor;
                    }
                };
        this.executors =
                new PipelineExecutorServiceLoader() {
                    @Override
                    public PipelineExecutorFactory getExecutorFactory(Configuration c) {
                        return factory;
                    }

                    @Override
                    public Stream<String> getExecutorNames() {
                        return Stream.of(factory.getName());
                    }
                };
    }

    /** The REST endpoint on a free port: another harness or test may hold Flink's 8081. */
    private static Configuration restOnAnyFreePort() {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        return conf;
    }

    /** An environment whose jobs run on this cluster, with {@code conf} as its configuration. */
    StreamExecutionEnvironment env(Configuration conf, int parallelism) {
        // the environment asks its executor loader only for a named target, and waits for the
        // job's result only when attached (a local environment sets both)
        conf.set(DeploymentOptions.TARGET, NAME);
        conf.set(DeploymentOptions.ATTACHED, true);
        StreamExecutionEnvironment env =
                new StreamExecutionEnvironment(
                        executors, conf, Thread.currentThread().getContextClassLoader());
        env.setParallelism(parallelism);
        return env;
    }

    private CompletableFuture<JobClient> submit(
            org.apache.flink.api.dag.Pipeline pipeline,
            Configuration configuration,
            ClassLoader classLoader)
            throws Exception {
        // what a local executor does too: the job id (fixed or new) and the configuration
        StreamGraph graph = PipelineExecutorUtils.getStreamGraph(pipeline, configuration);
        return cluster.submitJob(graph)
                .thenApply(
                        r ->
                                new MiniClusterJobClient(
                                        r.getJobID(),
                                        cluster,
                                        classLoader,
                                        MiniClusterJobClient.JobFinalizationBehavior.NOTHING));
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
