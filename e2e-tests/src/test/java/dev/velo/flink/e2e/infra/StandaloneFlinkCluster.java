package dev.velo.flink.e2e.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink session cluster as a real installation runs it: one JobManager and one TaskManager, each
 * a child JVM started from the Maven classpath the way {@code bin/jobmanager.sh} and {@code
 * bin/taskmanager.sh} start them (memory flags from {@code BashJavaUtils}), bound to 127.0.0.1 on
 * free ports. Jobs arrive as JAR files through the REST API, like {@code flink run}.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneFlinkCluster.class);
    private static final String HOST = "127.0.0.1";
    private static final String JM_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TM_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final String BASH_JAVA_UTILS =
            "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String EXEC_RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final Pattern TASK_MANAGERS = Pattern.compile("\"taskmanagers\"\\s*:\\s*(\\d+)");
    private static final Pattern SLOTS = Pattern.compile("\"slots-total\"\\s*:\\s*(\\d+)");

    /**
     * BashJavaUtils results by command and memory settings: the same config gives the same flags.
     */
    private static final Map<String, List<List<String>>> MEMORY_PARAMS_CACHE =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final Path workDir;
    private final Path confDir;
    private final Path logDir;
    private final int restPort;
    private final Duration startupTimeout;
    private final List<Path> classpath;
    private final HttpClient http = HttpClient.newHttpClient();

    private final Map<String, String> config = new LinkedHashMap<>();
    private Process jobManager;
    private Process taskManager;
    private List<String> tmMemoryJvmArgs;
    private List<String> tmMemoryDynamicArgs;
    private int taskManagerStarts;
    private RestClusterClient<StandaloneClusterId> client;

    private StandaloneFlinkCluster(
            Path workDir, List<Path> classpath, int restPort, Duration startupTimeout) {
        this.workDir = workDir;
        this.confDir = workDir.resolve("conf");
        this.logDir = workDir.resolve("log");
        this.restPort = restPort;
        this.startupTimeout = startupTimeout;
        this.classpath = List.copyOf(classpath);
    }

    /** Starts a cluster with 2 slots under {@code workDir}, waiting at most 90 s. */
    public static StandaloneFlinkCluster start(Path workDir) {
        return start(workDir, Map.of(), Duration.ofSeconds(90));
    }

    /**
     * Starts a cluster under {@code workDir} with {@code extraConfig} added to (or overriding) its
     * {@code config.yaml}. {@code env.java.opts.all}, {@code env.java.opts.jobmanager} and {@code
     * env.java.opts.taskmanager} are honoured as the distribution's scripts honour them; {@code
     * env.java.opts.all} defaults to {@code -XX:TieredStopAtLevel=1} for fast start-up.
     *
     * @throws IllegalStateException if the REST API does not show one TaskManager with a slot
     *     within {@code startupTimeout}; both JVMs are stopped by then
     */
    public static StandaloneFlinkCluster start(
            Path workDir, Map<String, String> extraConfig, Duration startupTimeout) {
        return start(workDir, FlinkClasspath.forChildJvm(), extraConfig, startupTimeout);
    }

    /**
     * Starts a cluster whose JobManager and TaskManager run from {@code classpath} (e.g. the JARs
     * of a distribution's {@code lib/}, as {@code bin/start-cluster.sh} puts them) instead of the
     * Maven classpath; otherwise as {@link #start(Path, Map, Duration)}.
     */
    public static StandaloneFlinkCluster start(
            Path workDir,
            List<Path> classpath,
            Map<String, String> extraConfig,
            Duration startupTimeout) {
        int[] ports = freePorts(3);
        StandaloneFlinkCluster cluster =
                new StandaloneFlinkCluster(workDir, classpath, ports[0], startupTimeout);
        try {
            cluster.writeConfig(ports[1], ports[2], extraConfig);
            cluster.startProcesses();
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** Address of the REST endpoint (always 127.0.0.1). */
    public String restAddress() {
        return HOST;
    }

    /** Port of the REST endpoint. */
    public int restPort() {
        return restPort;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String restUrl() {
        return "http://" + HOST + ":" + restPort;
    }

    /** The {@code FLINK_CONF_DIR} of the cluster, holding its {@code config.yaml}. */
    public Path configDir() {
        return confDir;
    }

    /** The classpath of the JobManager and TaskManager JVMs. */
    public List<Path> classpath() {
        return classpath;
    }

    /** The JobManager and TaskManager log and output files live here. */
    public Path logDir() {
        return logDir;
    }

    /**
     * Submits a job JAR as {@code flink run -c mainClass jar args} does: runs the main method here
     * to build the job graph, then uploads the JAR with the graph through the REST API.
     *
     * @return the id of the submitted job
     */
    public JobID submitJar(Path jar, String mainClass, String... args) {
        Configuration conf = clientConfiguration();
        try (PackagedProgram program =
                PackagedProgram.newBuilder()
                        .setJarFile(jar.toFile())
                        .setEntryPointClassName(mainClass)
                        .setArguments(args)
                        .setConfiguration(conf)
                        .build()) {
            JobGraph graph = PackagedProgramUtils.createJobGraph(program, conf, 1, false);
            return client().submitJob(graph).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while submitting " + jar, e);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "Cannot submit " + jar + " (" + mainClass + "): " + e + logHint(), e);
        }
    }

    /** The job's current status. */
    public JobStatus jobStatus(JobID jobId) {
        try {
            return client().getJobStatus(jobId).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while asking for job " + jobId, e);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot get the status of job " + jobId, e);
        }
    }

    /**
     * Waits until the job reaches a globally terminal status (FINISHED, FAILED, CANCELED) and
     * returns it.
     *
     * @throws IllegalStateException if it is still running after {@code timeout}
     */
    public JobStatus waitForJob(JobID jobId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JobStatus status = jobStatus(jobId);
        while (!status.isGloballyTerminalState()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Job " + jobId + " still " + status + " after " + timeout + logHint());
            }
            pause(100);
            status = jobStatus(jobId);
        }
        return status;
    }

    /** Kills the TaskManager JVM at once (SIGKILL), as a lost machine would. */
    public synchronized void killTaskManager() {
        ChildJvm.kill(taskManager);
        taskManager = null;
    }

    /**
     * Starts a new TaskManager (after {@link #killTaskManager()}) and waits until it has
     * registered. The JobManager may list the dead one until the heartbeat timeout (10 s) removes
     * it.
     */
    public synchronized void startTaskManager() {
        if (taskManager != null && taskManager.isAlive()) {
            throw new IllegalStateException("The TaskManager is already running");
        }
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        taskManager = launchTaskManager();
        awaitTaskManager(deadline);
    }

    /** Stops both JVMs and the REST client. The work directory is left for the caller. */
    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
        ChildJvm.stop(taskManager, Duration.ofSeconds(10));
        ChildJvm.stop(jobManager, Duration.ofSeconds(10));
        taskManager = null;
        jobManager = null;
    }

    // ---------------------------------------------------------------------------------------

    private void writeConfig(int rpcPort, int blobPort, Map<String, String> extra) {
        Map<String, String> c = config;
        // C1-only JIT: start-up (Pekko, Scala) is mostly one-off code; 3-4x faster on 2 busy
        // cores. Override env.java.opts.all (e.g. with '') when measuring throughput.
        c.put("env.java.opts.all", "-XX:TieredStopAtLevel=1");
        c.put("jobmanager.rpc.address", HOST);
        c.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        c.put("jobmanager.bind-host", HOST);
        c.put("rest.address", HOST);
        c.put("rest.bind-address", HOST);
        c.put("rest.port", Integer.toString(restPort));
        c.put("blob.server.port", Integer.toString(blobPort));
        c.put("taskmanager.host", HOST);
        c.put("taskmanager.bind-host", HOST);
        c.put("jobmanager.memory.process.size", "768m");
        c.put("taskmanager.memory.process.size", "1024m");
        c.put("taskmanager.memory.managed.fraction", "0.1");
        c.put("taskmanager.memory.jvm-overhead.min", "96m");
        c.put("taskmanager.numberOfTaskSlots", "2");
        c.put("parallelism.default", "1");
        c.put("io.tmp.dirs", workDir.resolve("tmp").toAbsolutePath().toString());
        c.put("web.tmpdir", workDir.resolve("tmp").toAbsolutePath().toString());
        // a killed TaskManager should be noticed in seconds, not the default 50 s
        c.put("heartbeat.timeout", "10000");
        c.put("heartbeat.interval", "2000");
        c.putAll(extra);
        String yaml =
                c.entrySet().stream()
                        .map(e -> e.getKey() + ": '" + e.getValue().replace("'", "''") + "'")
                        .collect(Collectors.joining("\n", "", "\n"));
        try {
            Files.createDirectories(confDir);
            Files.createDirectories(logDir);
            Files.createDirectories(workDir.resolve("tmp"));
            Files.writeString(confDir.resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the cluster config in " + confDir, e);
        }
        ChildJvm.writeLog4jConfig(confDir.resolve("log4j.properties"), "INFO");
    }

    private void startProcesses() {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        // both memory computations are independent JVM runs: do them side by side
        CompletableFuture<List<List<String>>> jmParams =
                CompletableFuture.supplyAsync(() -> memoryParams("GET_JM_RESOURCE_PARAMS"));
        CompletableFuture<List<List<String>>> tmParams =
                CompletableFuture.supplyAsync(() -> memoryParams("GET_TM_RESOURCE_PARAMS"));
        long begin = System.nanoTime();
        List<List<String>> jm = jmParams.join();
        List<List<String>> tm = tmParams.join();
        LOG.info(
                "BashJavaUtils memory parameters in {} ms",
                (System.nanoTime() - begin) / 1_000_000);
        tmMemoryJvmArgs = tm.get(0);
        tmMemoryDynamicArgs = tm.get(1);

        List<String> jmArgs = new ArrayList<>(List.of("--configDir", confDir.toString()));
        jmArgs.addAll(List.of("--executionMode", "cluster"));
        jmArgs.addAll(jm.get(1));
        jobManager = launch("jobmanager", JM_MAIN, withJavaOpts(jm.get(0), "jobmanager"), jmArgs);
        taskManager = launchTaskManager();
        long launched = System.nanoTime();
        awaitTaskManager(deadline);
        LOG.info(
                "Standalone cluster at {} ready {} ms after launch (work dir {})",
                restUrl(),
                (System.nanoTime() - launched) / 1_000_000,
                workDir);
    }

    private Process launchTaskManager() {
        taskManagerStarts++;
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(tmMemoryDynamicArgs);
        // a known id tells a restarted TaskManager apart from the dead one the JM still lists
        args.addAll(List.of("-D", "taskmanager.resource-id=" + taskManagerId()));
        String name = taskManagerStarts == 1 ? "taskmanager" : "taskmanager-" + taskManagerStarts;
        return launch(name, TM_MAIN, withJavaOpts(tmMemoryJvmArgs, "taskmanager"), args);
    }

    private String taskManagerId() {
        return "velo-tm-" + taskManagerStarts;
    }

    /** Adds {@code env.java.opts.all} and {@code env.java.opts.<role>}, as the scripts do. */
    private List<String> withJavaOpts(List<String> memoryArgs, String role) {
        List<String> args = new ArrayList<>(memoryArgs);
        for (String key : List.of("env.java.opts.all", "env.java.opts." + role)) {
            String opts = config.get(key);
            if (opts != null && !opts.isBlank()) {
                args.addAll(words(opts));
            }
        }
        return args;
    }

    private Process launch(
            String name, String mainClass, List<String> memoryArgs, List<String> args) {
        List<String> jvmArgs = new ArrayList<>(memoryArgs);
        jvmArgs.add("-XX:+UseSerialGC");
        jvmArgs.addAll(ChildJvm.flinkJvmOpens());
        jvmArgs.add("-Dlog.file=" + logDir.resolve(name + ".log").toAbsolutePath());
        // Flink unpacks its RPC jar (24 MB) into the JVM temp dir: keep that inside the work dir
        jvmArgs.add("-Djava.io.tmpdir=" + workDir.resolve("tmp").toAbsolutePath());
        jvmArgs.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        List<String> cmd = ChildJvm.command(workDir, classpath, jvmArgs, mainClass, args);
        return ChildJvm.start(
                cmd,
                Map.of("FLINK_CONF_DIR", confDir.toAbsolutePath().toString()),
                logDir.resolve(name + ".out"));
    }

    /**
     * Runs {@code BashJavaUtils <command> --configDir DIR} as the distribution's scripts do and
     * returns its two result lines split into words: JVM memory flags, then {@code -D} settings.
     */
    private List<List<String>> memoryParams(String command) {
        String key = command + memorySettings();
        List<List<String>> cached = MEMORY_PARAMS_CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        List<List<String>> computed = runBashJavaUtils(command);
        MEMORY_PARAMS_CACHE.put(key, computed);
        return computed;
    }

    private String memorySettings() {
        return config.entrySet().stream()
                .filter(e -> e.getKey().contains("memory") || e.getKey().contains("cpu"))
                .map(Object::toString)
                .sorted()
                .collect(Collectors.joining(","));
    }

    private List<List<String>> runBashJavaUtils(String command) {
        Path out = logDir.resolve(command.toLowerCase() + ".out");
        List<String> jvmArgs =
                new ArrayList<>(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        jvmArgs.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        jvmArgs.add("-Dlog.file=" + logDir.resolve("bash-java-utils.log").toAbsolutePath());
        Path cmdDir = workDir.resolve(command.toLowerCase());
        Process p =
                ChildJvm.start(
                        ChildJvm.command(
                                cmdDir,
                                classpath,
                                jvmArgs,
                                BASH_JAVA_UTILS,
                                List.of(command, "--configDir", confDir.toString())),
                        Map.of(),
                        out);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                ChildJvm.kill(p);
                throw new IllegalStateException(command + " did not finish within 60 s");
            }
            List<String> results =
                    Files.readAllLines(out, StandardCharsets.UTF_8).stream()
                            .filter(l -> l.startsWith(EXEC_RESULT_PREFIX))
                            .map(l -> l.substring(EXEC_RESULT_PREFIX.length()).trim())
                            .collect(Collectors.toList());
            if (p.exitValue() != 0 || results.size() < 2) {
                throw new IllegalStateException(
                        "BashJavaUtils "
                                + command
                                + " failed (exit "
                                + p.exitValue()
                                + "):\n"
                                + ChildJvm.tail(out, 4000));
            }
            // the last two result lines are the ones the scripts use
            List<String> lastTwo = results.subList(results.size() - 2, results.size());
            return lastTwo.stream().map(StandaloneFlinkCluster::words).collect(Collectors.toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the current TaskManager (by its resource id) is registered and the cluster shows
     * at least one slot.
     */
    private void awaitTaskManager(long deadline) {
        String id = taskManagerId();
        String last = "<no answer>";
        while (System.nanoTime() < deadline) {
            if (jobManager == null || !jobManager.isAlive()) {
                throw new IllegalStateException("The JobManager exited" + logHint());
            }
            if (taskManager == null || !taskManager.isAlive()) {
                throw new IllegalStateException("The TaskManager " + id + " exited" + logHint());
            }
            try {
                String tms = get("/taskmanagers");
                String overview = get("/overview");
                last = overview;
                if (tms.contains("\"" + id + "\"")
                        && number(TASK_MANAGERS, overview) >= 1
                        && number(SLOTS, overview) >= 1) {
                    return;
                }
            } catch (IOException notUpYet) {
                last = notUpYet.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the cluster", e);
            }
            pause(200);
        }
        throw new IllegalStateException(
                "Standalone cluster at "
                        + restUrl()
                        + " did not show TaskManager "
                        + id
                        + " with a slot within "
                        + startupTimeout.toSeconds()
                        + " s; last /overview: "
                        + last
                        + logHint());
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(restUrl() + path))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private synchronized RestClusterClient<StandaloneClusterId> client() {
        if (client == null) {
            try {
                client =
                        new RestClusterClient<>(
                                clientConfiguration(), StandaloneClusterId.getInstance());
            } catch (Exception e) {
                throw new IllegalStateException("Cannot create a REST client for " + restUrl(), e);
            }
        }
        return client;
    }

    private Configuration clientConfiguration() {
        Configuration conf = GlobalConfiguration.loadConfiguration(confDir.toString());
        conf.setString("execution.target", "remote");
        return conf;
    }

    private String logHint() {
        return "\n-- jobmanager.log tail --\n"
                + ChildJvm.tail(logDir.resolve("jobmanager.log"), 3000)
                + "\n-- jobmanager.out tail --\n"
                + ChildJvm.tail(logDir.resolve("jobmanager.out"), 1500)
                + "\n-- taskmanager.log tail --\n"
                + ChildJvm.tail(logDir.resolve("taskmanager.log"), 3000)
                + "\n-- taskmanager.out tail --\n"
                + ChildJvm.tail(logDir.resolve("taskmanager.out"), 1500);
    }

    private static int number(Pattern p, String json) {
        Matcher m = p.matcher(json);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static List<String> words(String line) {
        return Arrays.stream(line.trim().split("\\s+"))
                .filter(w -> !w.isEmpty())
                .collect(Collectors.toList());
    }

    /** Poll interval between condition checks; every wait using it is bounded by a deadline. */
    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    private static int[] freePorts(int n) {
        List<ServerSocket> open = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                open.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find free loopback ports", e);
        } finally {
            for (ServerSocket s : open) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // probing only
                }
            }
        }
    }
}
