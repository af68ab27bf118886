package dev.velo.flink.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code velo run --web-ui PORT} serves Flink's Web UI for the embedded MiniCluster while the job
 * runs: the dashboard page loads, and velo's metrics of the running job are read through that Web
 * UI's REST API; cancelling the job through it ends {@code velo run}.
 */
class VeloWebUiITCase {

    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void velosMetricsOfARunningJobAreReadThroughTheWebUisRestApi() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path script = dir.resolve("forever.sql");
        Files.writeString(
                script,
                "CREATE TABLE ticks (id BIGINT) WITH ('connector' = 'datagen',"
                        + " 'rows-per-second' = '200');\n"
                        + "CREATE TABLE ticks_out (id BIGINT) WITH ('connector' = 'velo',"
                        + " 'velo.connector' = 'blackhole', 'batch.strategy' = 'fixed_size',"
                        + " 'batch.size' = '20', 'batch.timeout' = '200ms');\n"
                        + "INSERT INTO ticks_out SELECT id FROM ticks;\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> run =
                CompletableFuture.supplyAsync(
                        () ->
                                new VeloCli(Map.of())
                                        .run(
                                                new String[] {
                                                    "run",
                                                    script.toString(),
                                                    "--web-ui",
                                                    String.valueOf(port)
                                                },
                                                new PrintStream(out, true, StandardCharsets.UTF_8),
                                                new PrintStream(
                                                        err, true, StandardCharsets.UTF_8)));
        String base = "http://localhost:" + port;
        String jobId = null;
        try {
            String jobs = awaitBody(base + "/jobs/overview", b -> b.contains("\"RUNNING\""), run);
            jobId = JSON.readTree(jobs).path("jobs").get(0).path("jid").asText();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("Web UI at http://localhost:" + port);

            String page = awaitBody(base + "/", b -> b.contains("<html"), run);
            assertThat(page.toLowerCase()).contains("flink");

            JsonNode job = JSON.readTree(awaitBody(base + "/jobs/" + jobId, b -> true, run));
            List<String> vertices = new ArrayList<>();
            job.path("vertices").forEach(v -> vertices.add(v.path("id").asText()));
            String counter = null;
            String vertex = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (counter == null && System.nanoTime() < deadline) {
                for (String v : vertices) {
                    JsonNode ids =
                            JSON.readTree(
                                    get(base + "/jobs/" + jobId + "/vertices/" + v + "/metrics"));
                    for (JsonNode id : ids) {
                        String name = id.path("id").asText();
                        if (name.endsWith(".velo.numRecordsOut")) {
                            counter = name;
                            vertex = v;
                        }
                    }
                }
                pause(run);
            }
            assertThat(counter).as("a velo metric of the running job").isNotNull();
            String url =
                    base + "/jobs/" + jobId + "/vertices/" + vertex + "/metrics?get=" + counter;
            String value =
                    awaitBody(
                            url,
                            b -> {
                                JsonNode n = parse(b);
                                return n.size() == 1
                                        && Double.parseDouble(n.get(0).path("value").asText("0"))
                                                > 0;
                            },
                            run);
            assertThat(Double.parseDouble(JSON.readTree(value).get(0).path("value").asText()))
                    .isPositive();
        } finally {
            if (jobId != null) {
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                                .method("PATCH", HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        }
        // the cancelled job ends velo run, which reports it
        int exit = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(exit).isNotZero();
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            return JSON.createArrayNode();
        }
    }

    private String get(String url) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? r.body() : "";
    }

    /** The body of {@code url} once it satisfies {@code ready}, within {@link #WAIT}. */
    private String awaitBody(
            String url, java.util.function.Predicate<String> ready, CompletableFuture<?> run)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = get(url);
                if (!last.isEmpty() && ready.test(last)) {
                    return last;
                }
            } catch (java.io.IOException e) {
                last = e.toString(); // not listening yet
            }
            pause(run);
        }
        throw new AssertionError("no answer from " + url + " within " + WAIT + ": " + last);
    }

    /** Waits a little between polls; fails at once when velo run has ended. */
    private static void pause(CompletableFuture<?> run) throws Exception {
        try {
            Object exit = run.get(250, TimeUnit.MILLISECONDS);
            throw new AssertionError("velo run ended early with " + exit);
        } catch (java.util.concurrent.TimeoutException stillRunning) {
            // poll again
        }
    }
}
