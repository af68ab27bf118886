package dev.velo.flink.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code velo run --cluster HOST:PORT} submits through the cluster's REST endpoint (a MiniCluster
 * here, with no test context environment, so the remote executor is really used) and ships the
 * connector jar.
 */
class VeloCliClusterITCase {

    static MiniCluster cluster;
    static URI rest;

    @TempDir static Path dir;

    @BeforeAll
    static void startCluster() throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(2)
                                .build());
        cluster.start();
        rest = cluster.getRestAddress().get();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void runsOnARemoteClusterWithTheConnectorJar() throws IOException {
        // the classes are on the cluster's classpath already; the jar only has to be shipped
        Path target = dir.resolve("home/flink-velo-sql/target");
        Files.createDirectories(target);
        try (OutputStream out =
                        Files.newOutputStream(target.resolve("flink-sql-connector-velo-test.jar"));
                JarOutputStream jar = new JarOutputStream(out, new Manifest())) {
            jar.flush();
        }
        Path output = dir.resolve("out");
        Path script = dir.resolve("remote.sql");
        Files.writeString(
                script,
                "-- @job_mode: batch\n"
                        + "CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen',"
                        + " 'number-of-rows' = '12', 'fields.id.kind' = 'sequence',"
                        + " 'fields.id.start' = '1', 'fields.id.end' = '12');\n"
                        + "CREATE STREAM copied AS SELECT id FROM gen WITH ("
                        + "'copied.type' = 'file_sink', 'copied.path' = '"
                        + output
                        + "', 'copied.format' = 'csv', 'batch.size' = '5');\n");
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        int code =
                new VeloCli(Map.of("VELO_HOME", dir.resolve("home").toString()))
                        .run(
                                new String[] {
                                    "run",
                                    script.toString(),
                                    "--cluster",
                                    rest.getHost() + ":" + rest.getPort()
                                },
                                new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        assertThat(code).as(errBytes.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(outBytes.toString(StandardCharsets.UTF_8))
                .contains("submitted to " + rest.getHost() + ":" + rest.getPort(), "job finished");
        assertThat(lines(output)).hasSize(12);
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
