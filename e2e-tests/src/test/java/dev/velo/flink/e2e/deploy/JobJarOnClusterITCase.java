package dev.velo.flink.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.api.VeloBatching;
import dev.velo.flink.e2e.infra.StandaloneFlinkCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A DataStream job using flink-velo-batching, packed into a job JAR with the library shaded in and
 * submitted to a standalone cluster ({@link SharedCluster}: JobManager + TaskManager child JVMs
 * whose classpath has Flink but no flink-velo) the way {@code flink run} submits it.
 */
class JobJarOnClusterITCase {

    private static final long RECORDS = 2_000;
    private static final long DIVISOR = 7;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    @RegisterExtension static final SharedCluster SHARED_CLUSTER = new SharedCluster();

    private static StandaloneFlinkCluster cluster;
    private static Path jobJar;

    @BeforeAll
    static void buildJar() {
        jobJar =
                UserJobJar.build(
                        work.resolve("velo-job.jar"),
                        VeloBatchingFileJob.class,
                        VeloBatching.class);
        cluster = SHARED_CLUSTER.get();
    }

    @Test
    void theJobJarCarriesTheJobAndTheVeloRuntime() {
        List<String> entries = UserJobJar.entries(jobJar);
        assertThat(entries)
                .contains(
                        "dev/velo/flink/e2e/deploy/VeloBatchingFileJob.class",
                        "dev/velo/flink/e2e/deploy/VeloBatchingFileJob$RejectMultiples.class",
                        "dev/velo/flink/batching/api/VeloBatching.class",
                        "dev/velo/flink/batching/internal/operator/BatchingOperator.class",
                        "dev/velo/flink/batching/dlq/DeadLetter.class")
                // nothing else from the test module: the cluster must not need it
                .noneMatch(n -> n.startsWith("dev/velo/flink/e2e/infra/"))
                .noneMatch(n -> n.startsWith("dev/velo/flink/sql/"))
                .noneMatch(n -> n.startsWith("org/apache/flink/"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"highThroughput", "lowLatency"})
    void runsTheVeloJobToCompletionWithOutputAndDeadLetters(String preset) throws IOException {
        Path out = work.resolve("out-" + preset);
        Path dead = work.resolve("dead-" + preset);

        JobID job =
                cluster.submitJar(
                        jobJar,
                        VeloBatchingFileJob.class.getName(),
                        out.toUri().toString(),
                        dead.toUri().toString(),
                        Long.toString(RECORDS),
                        preset,
                        Long.toString(DIVISOR));

        assertThat(cluster.waitForJob(job, Duration.ofSeconds(90)))
                .as("job status (logs in %s)", cluster.logDir())
                .isEqualTo(JobStatus.FINISHED);
        assertThat(lines(out))
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, RECORDS)
                                .filter(i -> i % DIVISOR != 0)
                                .mapToObj(i -> "record-" + i)
                                .collect(Collectors.toList()));
        assertThat(lines(dead))
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, RECORDS)
                                .filter(i -> i % DIVISOR == 0)
                                .mapToObj(
                                        i ->
                                                i
                                                        + "|process|SendToDLQ|"
                                                        + IllegalStateException.class.getName())
                                .collect(Collectors.toList()));
    }

    @Test
    void withoutTheVeloRuntimeInTheJarTheClusterCannotRunTheJob() throws IOException {
        // proves the cluster has no flink-velo of its own: what runs above came from the job JAR
        Path bare = UserJobJar.build(work.resolve("bare-job.jar"), VeloBatchingFileJob.class);
        assertThat(UserJobJar.entries(bare))
                .noneMatch(n -> n.startsWith("dev/velo/flink/batching/"));

        JobID job =
                cluster.submitJar(
                        bare,
                        VeloBatchingFileJob.class.getName(),
                        work.resolve("bare-out").toUri().toString(),
                        work.resolve("bare-dead").toUri().toString(),
                        "10",
                        "defaults",
                        Long.toString(DIVISOR));

        assertThat(cluster.waitForJob(job, Duration.ofSeconds(90))).isEqualTo(JobStatus.FAILED);
        assertThat(lines(work.resolve("bare-out"))).isEmpty();
        assertThat(jobExceptions(job))
                .contains("ClassNotFoundException")
                .contains("dev.velo.flink.batching");
    }

    /** The job's exception history as the REST API reports it (JSON). */
    private static String jobExceptions(JobID job) {
        HttpRequest request =
                HttpRequest.newBuilder(
                                URI.create(cluster.restUrl() + "/jobs/" + job + "/exceptions"))
                        .timeout(Duration.ofSeconds(30))
                        .build();
        try {
            return HttpClient.newHttpClient()
                    .send(request, HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> lines(Path dir) throws IOException {
        List<String> all = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return all;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f :
                    files.filter(Files::isRegularFile)
                            .filter(p -> !p.getFileName().toString().startsWith("."))
                            .collect(Collectors.toList())) {
                Files.readAllLines(f).stream().filter(l -> !l.isBlank()).forEach(all::add);
            }
        }
        return all;
    }
}
