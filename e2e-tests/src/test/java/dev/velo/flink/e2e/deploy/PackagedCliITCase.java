package dev.velo.flink.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code velo} archive {@code mvn package} builds ({@code flink-velo-cli}), unpacked into a
 * directory outside the checkout and started from yet another directory, is a tool of its own:
 * {@code --version} and {@code --help} answer, and a file-to-file Velostream script validates,
 * translates and runs on its embedded MiniCluster, with no Maven and no project classpath.
 */
class PackagedCliITCase {

    private static final long TIMEOUT_SECONDS = 240;

    @TempDir static Path install;

    private static Path velo;

    @TempDir Path work;

    @BeforeAll
    static void unpack() throws Exception {
        Path archive = Path.of(System.getProperty("velo.cli.archive", "missing"));
        assertThat(archive)
                .as("the velo archive (built by mvn package in flink-velo-cli)")
                .isRegularFile();
        Result untar = exec(install, List.of("tar", "-xzf", archive.toAbsolutePath().toString()));
        assertThat(untar.exit).as(untar.output).isZero();
        try (Stream<Path> dirs = Files.list(install)) {
            Path home = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
            velo = home.resolve("bin").resolve("velo");
        }
        assertThat(Files.isExecutable(velo)).as(velo.toString()).isTrue();
    }

    private record Result(int exit, String output) {}

    private static Result exec(Path cwd, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.redirectErrorStream(true);
        // only what a user's shell has: no Maven, no project classpath
        pb.environment().remove("CLASSPATH");
        pb.environment().remove("MAVEN_OPTS");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private Result velo(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(velo.toString());
        command.addAll(List.of(args));
        return exec(work, command);
    }

    @Test
    void versionAndHelpAnswer() throws Exception {
        Result version = velo("--version");
        assertThat(version.exit).as(version.output).isZero();
        assertThat(version.output)
                .containsPattern("velo \\d+\\.\\d+\\.\\d+\\S* \\(Apache Flink 2\\.3");
        Result help = velo("--help");
        assertThat(help.exit).as(help.output).isZero();
        assertThat(help.output).contains("usage: velo").contains("translate").contains("validate");
    }

    @Test
    void aFileToFileScriptValidatesTranslatesAndRuns() throws Exception {
        Files.writeString(
                work.resolve("orders.csv"),
                "id,customer,amount\n1,ann,50.0\n2,bob,500.5\n3,cy,900.0\n");
        Files.writeString(
                work.resolve("big.sql"),
                "-- @job_mode: batch\n"
                        + "CREATE STREAM big_orders AS\n"
                        + "SELECT id, customer, amount FROM orders WHERE amount > 100\n"
                        + "WITH (\n"
                        + "  'source.path' = 'orders.csv',\n"
                        + "  'source.format' = 'csv',\n"
                        + "  'sink.path' = 'out',\n"
                        + "  'sink.format' = 'json',\n"
                        + "  'batch.strategy' = 'fixed_size',\n"
                        + "  'batch.size' = '2'\n"
                        + ");\n");

        Result validate = velo("validate", "big.sql");
        assertThat(validate.exit).as(validate.output).isZero();
        assertThat(validate.output).contains("big_orders").contains("fixed_size");

        Result translate = velo("translate", "big.sql");
        assertThat(translate.exit).as(translate.output).isZero();
        assertThat(translate.output).contains("'connector' = 'velo'").contains("AS SELECT");

        Result run = velo("run", "big.sql");
        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output).contains("velo: job finished");
        List<String> rows = lines(work.resolve("out"));
        assertThat(rows).hasSize(2);
        assertThat(String.join("\n", rows)).contains("500.5").contains("900.0");
    }

    private static List<String> lines(Path output) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(output)) {
            for (Path p : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                if (!p.getFileName().toString().startsWith(".")) {
                    lines.addAll(Files.readAllLines(p));
                }
            }
        }
        return lines;
    }
}
