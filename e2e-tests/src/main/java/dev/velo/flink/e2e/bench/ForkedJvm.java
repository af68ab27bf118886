package dev.velo.flink.e2e.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one measured job in a child JVM (what {@code VeloBench --fork} does for every run of a
 * DataStream case), so that no other job has shaped the JIT's type profiles of the Flink runtime's
 * call sites before it: the child has the same java executable, JVM input arguments (heap, {@code
 * --add-opens}) and class path as this JVM, and prints one {@link #RESULT} line that the parent
 * parses. The child's other output is kept (its last {@value #TAIL_LINES} lines) for the error when
 * it fails.
 */
final class ForkedJvm {

    /**
     * The first word of the child's result line: {@code FORKRESULT rate=<rec/s> cpu=<rec/cpu-s>}.
     */
    static final String RESULT = "FORKRESULT";

    /** How many of the child's last output lines a failure reports. */
    static final int TAIL_LINES = 40;

    private static final Pattern RESULT_LINE = Pattern.compile(RESULT + " rate=(\\S+) cpu=(\\S+)");

    private ForkedJvm() {}

    /**
     * The result line a child prints: {@code rate} records per second, {@code cpu} per CPU-second.
     */
    static String resultLine(double rate, double cpu) {
        return String.format(Locale.ROOT, "%s rate=%s cpu=%s", RESULT, rate, cpu);
    }

    /**
     * The command that starts {@code mainClass} with {@code args} in a JVM like this one: its java
     * executable, its input arguments but a debugger agent (whose port this JVM holds) and its
     * {@code java.class.path}.
     */
    static List<String> javaCommand(String mainClass, List<String> args) {
        String java =
                ProcessHandle.current()
                        .info()
                        .command()
                        .orElseGet(
                                () ->
                                        Path.of(System.getProperty("java.home"), "bin", "java")
                                                .toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-Xrunjdwp")) {
                cmd.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Runs {@code command} and returns the {@code rate} and {@code cpu} of its result line. Fails
     * with the child's last lines when it exits with a non-zero code or without a result line, and
     * destroys it (and its descendants) when it has not ended within {@code timeout}. {@code what}
     * names the run in the errors (not the whole command: the class path is long).
     */
    static double[] run(List<String> command, String what, Duration timeout) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        Output output = new Output(p);
        Thread drain = new Thread(output, "forked-jvm-output");
        drain.setDaemon(true);
        drain.start();
        try {
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                destroy(p);
                drain.join(5_000);
                throw new IllegalStateException(
                        "the forked run "
                                + what
                                + " did not end within "
                                + timeout
                                + " and was destroyed; its last lines:\n"
                                + output.tail());
            }
            // the output ends with the process; a grandchild holding the pipe open must not hang us
            drain.join(10_000);
            String result = output.result();
            if (p.exitValue() != 0 || result == null) {
                throw new IllegalStateException(
                        "the forked run "
                                + what
                                + " exited with code "
                                + p.exitValue()
                                + (result == null ? " without a " + RESULT + " line" : "")
                                + "; its last lines:\n"
                                + output.tail());
            }
            Matcher m = RESULT_LINE.matcher(result);
            if (!m.matches()) {
                throw new IllegalStateException(
                        "the forked run "
                                + what
                                + " printed '"
                                + result
                                + "', expected '"
                                + RESULT
                                + " rate=<number> cpu=<number>'");
            }
            return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
        } finally {
            if (p.isAlive()) {
                // this thread was interrupted or failed: leave no child behind
                destroy(p);
            }
        }
    }

    private static void destroy(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** Reads a child's merged stdout and stderr: its result line and its last other lines. */
    private static final class Output implements Runnable {
        private final Process process;
        private final Deque<String> tail = new ArrayDeque<>();
        private String result;

        Output(Process process) {
            this.process = process;
        }

        @Override
        public void run() {
            try (BufferedReader r =
                    new BufferedReader(
                            new InputStreamReader(
                                    process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    add(line);
                }
            } catch (IOException e) {
                add("(reading the output failed: " + e + ")");
            }
        }

        private synchronized void add(String line) {
            if (line.startsWith(RESULT + " ")) {
                result = line;
                return;
            }
            tail.addLast(line);
            if (tail.size() > TAIL_LINES) {
                tail.removeFirst();
            }
        }

        synchronized String result() {
            return result;
        }

        synchronized String tail() {
            return tail.isEmpty() ? "(no output)" : String.join("\n", tail);
        }
    }
}
