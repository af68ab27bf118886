package dev.velo.flink.e2e.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** A JobManager and a TaskManager as child JVMs; a job JAR submitted like {@code flink run}. */
class StandaloneClusterITCase {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    void runsASubmittedJobJarToCompletion() throws IOException {
        Path out = work.resolve("out");
        Path jar = JobJars.jarOf(work.resolve("job.jar"), SequenceToFileJob.class);
        try (StandaloneFlinkCluster cluster =
                StandaloneFlinkCluster.start(work.resolve("cluster"))) {
            JobID job =
                    cluster.submitJar(
                            jar, SequenceToFileJob.class.getName(), out.toUri().toString(), "25");
            assertThat(cluster.waitForJob(job, Duration.ofSeconds(60)))
                    .isEqualTo(JobStatus.FINISHED);
        }
        assertThat(lines(out))
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, 25)
                                .mapToObj(i -> "record-" + i)
                                .collect(Collectors.toList()));
    }

    private static List<String> lines(Path dir) throws IOException {
        List<String> all = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f :
                    files.filter(Files::isRegularFile)
                            .filter(p -> !p.getFileName().toString().startsWith("."))
                            .collect(Collectors.toList())) {
                all.addAll(Files.readAllLines(f));
            }
        }
        return all;
    }
}
