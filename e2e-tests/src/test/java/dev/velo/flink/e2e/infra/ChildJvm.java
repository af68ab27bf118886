package dev.velo.flink.e2e.infra;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Starts and stops the child JVMs of the e2e tests (SQL client, JobManager, TaskManager) and makes
 * sure none outlives the test JVM.
 */
final class ChildJvm {

    /** System property holding the root pom's {@code flink.jvm.opens}, set by surefire. */
    static final String OPENS_PROPERTY = "flink.jvm.opens";

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        // a test JVM that dies without close() must not leave Flink JVMs holding ports and memory
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> LIVE.forEach(Process::destroyForcibly), "velo-e2e-reaper"));
    }

    private ChildJvm() {}

    /** The {@code --add-opens}/{@code --add-exports} flags Flink needs on Java 17. */
    static List<String> flinkJvmOpens() {
        String opens = System.getProperty(OPENS_PROPERTY);
        if (opens == null || opens.isBlank()) {
            throw new IllegalStateException(
                    "System property "
                            + OPENS_PROPERTY
                            + " is not set; surefire passes the root pom's flink.jvm.opens."
                            + " Set it when running outside Maven.");
        }
        return Arrays.stream(opens.trim().split("\\s+")).collect(Collectors.toList());
    }

    /**
     * Builds {@code java [jvmArgs] @classpath-argfile mainClass [args]}. The classpath goes into a
     * Java argument file because ~150 jar paths can exceed a single argument's length limit.
     */
    static List<String> command(
            Path workDir,
            List<Path> classpath,
            List<String> jvmArgs,
            String mainClass,
            List<String> args) {
        Path argFile =
                workDir.resolve(
                        "classpath-"
                                + mainClass.substring(mainClass.lastIndexOf('.') + 1)
                                + ".args");
        String cp =
                classpath.stream()
                        .map(p -> p.toAbsolutePath().toString())
                        .collect(Collectors.joining(File.pathSeparator));
        try {
            Files.createDirectories(workDir);
            Files.writeString(
                    argFile,
                    "-cp \"" + cp.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + argFile, e);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("@" + argFile.toAbsolutePath());
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** Starts the command with stdout and stderr merged into {@code outputFile}; stdin is empty. */
    static Process start(List<String> command, Map<String, String> env, Path outputFile) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(outputFile.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        try {
            Process p = pb.start();
            LIVE.add(p);
            p.onExit().thenRun(() -> LIVE.remove(p));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + command.get(command.size() - 1), e);
        }
    }

    /**
     * Asks the process to stop (SIGTERM), then kills it if it has not exited after {@code grace}.
     */
    static void stop(Process p, Duration grace) {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /** Kills the process at once (SIGKILL), as a crashing machine would, and waits for it. */
    static void kill(Process p) {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code maxChars} characters of a log file, for failure messages. */
    static String tail(Path file, int maxChars) {
        try {
            if (!Files.exists(file)) {
                return "<no " + file.getFileName() + ">";
            }
            String s = Files.readString(file, StandardCharsets.UTF_8);
            return s.length() <= maxChars ? s : "..." + s.substring(s.length() - maxChars);
        } catch (IOException | UncheckedIOException e) {
            return "<cannot read " + file + ": " + e + ">";
        }
    }

    /**
     * A log4j2 configuration writing everything at {@code level} to the file in {@code log.file}.
     */
    static void writeLog4jConfig(Path file, String level) {
        String config =
                String.join(
                        "\n",
                        "rootLogger.level = " + level,
                        "rootLogger.appenderRef.file.ref = MainAppender",
                        "appender.main.name = MainAppender",
                        "appender.main.type = File",
                        "appender.main.append = true",
                        "appender.main.fileName = ${sys:log.file}",
                        "appender.main.layout.type = PatternLayout",
                        "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-40c{1.} - %m%n",
                        "logger.kafka.name = org.apache.kafka",
                        "logger.kafka.level = WARN",
                        "");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    private static File nullDevice() {
        return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
