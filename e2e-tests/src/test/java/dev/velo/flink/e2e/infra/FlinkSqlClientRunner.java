package dev.velo.flink.e2e.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a SQL script through the real Flink SQL client ({@code sql-client.sh -f script.sql}) in a
 * child JVM, either on its embedded MiniCluster ({@code execution.target: local}, the default) or
 * against a remote cluster, and reports whether every statement succeeded.
 *
 * <p>Each {@link #run} gets its own {@code FLINK_CONF_DIR} under the work directory; output and the
 * client's log stay there for failure messages.
 */
public final class FlinkSqlClientRunner {

    /** What the SQL client prints when a statement fails; {@code -f} still exits 0 then. */
    public static final String STATEMENT_ERROR = "[ERROR] Could not execute SQL statement";

    private static final Logger LOG = LoggerFactory.getLogger(FlinkSqlClientRunner.class);
    private static final String MAIN_CLASS = "org.apache.flink.table.client.SqlClient";
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final Path workDir;
    private final Map<String, String> config = new LinkedHashMap<>();
    private final List<Path> extraClasspath = new ArrayList<>();
    private List<Path> baseClasspath;
    private final List<String> extraJvmArgs = new ArrayList<>();
    private Duration timeout = Duration.ofSeconds(120);
    private String heap = "768m";
    private boolean fastStartupJit = true;

    /** A runner keeping its config, scripts, output and logs under {@code workDir}. */
    public FlinkSqlClientRunner(Path workDir) {
        this.workDir = workDir;
        config.put("execution.target", "local");
        // no rest.bind-port here: the local executor already binds its MiniCluster to a random
        // port, and the setting would leak into the embedded SQL gateway's endpoint
        config.put("parallelism.default", "1");
        config.put("io.tmp.dirs", workDir.resolve("tmp").toAbsolutePath().toString());
    }

    /** Sends jobs to the session cluster whose REST endpoint is {@code host:port}. */
    public FlinkSqlClientRunner remote(String host, int port) {
        config.put("execution.target", "remote");
        config.put("rest.address", host);
        config.put("rest.port", Integer.toString(port));
        return this;
    }

    /** Sends jobs to the given standalone cluster. */
    public FlinkSqlClientRunner remote(StandaloneFlinkCluster cluster) {
        return remote(cluster.restAddress(), cluster.restPort());
    }

    /** Adds a key to the client's {@code config.yaml}. */
    public FlinkSqlClientRunner withConfig(String key, String value) {
        config.put(key, value);
        return this;
    }

    /**
     * Runs the client from {@code classpath} (e.g. a distribution's {@code lib/} JARs plus the SQL
     * client and gateway JARs of its {@code opt/}, as {@code bin/sql-client.sh} does) instead of
     * the Maven classpath. The Python stand-in and {@link #withClasspathEntry} entries are still
     * added.
     */
    public FlinkSqlClientRunner withClasspath(List<Path> classpath) {
        this.baseClasspath = List.copyOf(classpath);
        return this;
    }

    /** Puts an extra jar or class directory on the client's classpath (as if in {@code lib/}). */
    public FlinkSqlClientRunner withClasspathEntry(Path entry) {
        extraClasspath.add(entry);
        return this;
    }

    /** Adds a JVM option of the client JVM. */
    public FlinkSqlClientRunner withJvmArg(String arg) {
        extraJvmArgs.add(arg);
        return this;
    }

    /** Maximum heap of the client JVM (which also hosts the MiniCluster in local mode). */
    public FlinkSqlClientRunner withHeap(String maxHeap) {
        this.heap = maxHeap;
        return this;
    }

    /**
     * Whether the client JVM runs C1-only ({@code -XX:TieredStopAtLevel=1}, the default): much
     * faster start-up for short scripts; switch off when the embedded MiniCluster measures
     * throughput.
     */
    public FlinkSqlClientRunner withFastStartupJit(boolean enabled) {
        this.fastStartupJit = enabled;
        return this;
    }

    /** Bound on one run; the client is killed and {@link #run} throws when it is exceeded. */
    public FlinkSqlClientRunner withTimeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /**
     * Writes {@code script} to a file, runs {@code SqlClient -f} on it and waits for it to exit.
     *
     * @throws IllegalStateException if the client does not exit within the timeout
     */
    public Result run(String script) {
        int n = RUNS.incrementAndGet();
        Path runDir = workDir.resolve("sql-client-" + n);
        Path confDir = runDir.resolve("conf");
        Path scriptFile = runDir.resolve("script.sql");
        Path outputFile = runDir.resolve("output.txt");
        Path logFile = runDir.resolve("log").resolve("sql-client.log");
        try {
            Files.createDirectories(confDir);
            Files.createDirectories(runDir.resolve("tmp"));
            Files.createDirectories(workDir.resolve("tmp"));
            Files.createDirectories(logFile.getParent());
            Files.writeString(scriptFile, script, StandardCharsets.UTF_8);
            Files.writeString(confDir.resolve("config.yaml"), yaml(config), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare " + runDir, e);
        }
        Path log4j = confDir.resolve("log4j-cli.properties");
        ChildJvm.writeLog4jConfig(log4j, "INFO");

        List<Path> classpath =
                new ArrayList<>(
                        baseClasspath != null ? baseClasspath : FlinkClasspath.forChildJvm());
        classpath.add(FlinkClasspath.pythonStandIn(runDir.resolve("python-stand-in")));
        classpath.addAll(extraClasspath);

        List<String> jvmArgs = new ArrayList<>();
        jvmArgs.add("-Xmx" + heap);
        jvmArgs.add("-XX:+UseSerialGC");
        if (fastStartupJit) {
            jvmArgs.add("-XX:TieredStopAtLevel=1");
        }
        jvmArgs.addAll(ChildJvm.flinkJvmOpens());
        jvmArgs.add("-Dlog.file=" + logFile.toAbsolutePath());
        // Flink unpacks its RPC jar (24 MB) into the JVM temp dir: keep that inside the work dir
        jvmArgs.add("-Djava.io.tmpdir=" + runDir.resolve("tmp").toAbsolutePath());
        jvmArgs.add("-Dlog4j.configurationFile=" + log4j.toUri());
        jvmArgs.addAll(extraJvmArgs);

        List<String> cmd =
                ChildJvm.command(
                        runDir,
                        classpath,
                        jvmArgs,
                        MAIN_CLASS,
                        List.of(
                                "-f",
                                scriptFile.toAbsolutePath().toString(),
                                "-hist",
                                runDir.resolve("history").toAbsolutePath().toString()));

        long start = System.nanoTime();
        Process process =
                ChildJvm.start(
                        cmd,
                        Map.of("FLINK_CONF_DIR", confDir.toAbsolutePath().toString()),
                        outputFile);
        boolean exited;
        try {
            exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ChildJvm.kill(process);
            throw new IllegalStateException("Interrupted while the SQL client ran", e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (!exited) {
            ChildJvm.kill(process);
            throw new IllegalStateException(
                    "SQL client did not finish within "
                            + timeout.toSeconds()
                            + " s; output:\n"
                            + ChildJvm.tail(outputFile, 4000)
                            + "\nlog tail:\n"
                            + ChildJvm.tail(logFile, 4000));
        }
        LOG.info(
                "SQL client run {} exited {} after {} ms",
                runDir,
                process.exitValue(),
                elapsed.toMillis());
        return new Result(
                process.exitValue(),
                ChildJvm.tail(outputFile, Integer.MAX_VALUE),
                logFile,
                elapsed,
                List.copyOf(classpath));
    }

    private static String yaml(Map<String, String> config) {
        return config.entrySet().stream()
                .map(e -> e.getKey() + ": " + quote(e.getValue()))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /**
     * One finished SQL client run.
     *
     * @param exitCode the client's exit code (0 even when a statement failed)
     * @param output everything the client printed
     * @param logFile the client's log file (its MiniCluster logs there too in local mode)
     * @param elapsed wall time of the run
     * @param classpath the classpath the client JVM ran with
     */
    public record Result(
            int exitCode, String output, Path logFile, Duration elapsed, List<Path> classpath) {

        /** True when the client exited 0 and printed no {@code [ERROR]} line. */
        public boolean succeeded() {
            return exitCode == 0 && errorLines().isEmpty();
        }

        /** The {@code [ERROR]} lines the client printed (see {@link #STATEMENT_ERROR}). */
        public List<String> errorLines() {
            return output.lines()
                    .filter(l -> l.startsWith("[ERROR]") || l.contains(STATEMENT_ERROR))
                    .collect(Collectors.toList());
        }

        /** Returns this result, or throws an AssertionError carrying the output and log tail. */
        public Result assertSucceeded() {
            if (!succeeded()) {
                throw new AssertionError(
                        "SQL client run failed (exit "
                                + exitCode
                                + ") after "
                                + elapsed.toMillis()
                                + " ms. Output:\n"
                                + output
                                + "\nLog tail ("
                                + logFile
                                + "):\n"
                                + ChildJvm.tail(logFile, 6000));
            }
            return this;
        }
    }
}
