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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JobManager and a TaskManager as child JVMs, receiving work from outside as a real cluster does:
 * a job JAR submitted like {@code flink run}, and a SQL script from the SQL client.
 */
class StandaloneClusterITCase {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    private static StandaloneFlinkCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = StandaloneFlinkCluster.start(work.resolve("cluster"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void runsASubmittedJobJarToCompletion() throws IOException {
        Path out = work.resolve("jar-out");
        Path jar = JobJars.jarOf(work.resolve("job.jar"), SequenceToFileJob.class);

        JobID job =
                cluster.submitJar(
                        jar, SequenceToFileJob.class.getName(), out.toUri().toString(), "25");

        assertThat(cluster.waitForJob(job, Duration.ofSeconds(60))).isEqualTo(JobStatus.FINISHED);
        assertThat(lines(out))
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, 25)
                                .mapToObj(i -> "record-" + i)
                                .collect(Collectors.toList()));
    }

    @Test
    void runsASqlScriptFromTheSqlClient() throws IOException {
        Path out = work.resolve("sql-out");
        new FlinkSqlClientRunner(work.resolve("client"))
                .remote(cluster)
                .run(
                        String.join(
                                "\n",
                                "SET 'table.dml-sync' = 'true';",
                                "SET 'execution.runtime-mode' = 'batch';",
                                "CREATE TABLE numbers (id BIGINT) WITH (",
                                "  'connector' = 'datagen', 'number-of-rows' = '17',",
                                "  'fields.id.kind' = 'sequence', 'fields.id.start' = '1',",
                                "  'fields.id.end' = '17');",
                                "CREATE TABLE sink (id BIGINT) WITH (",
                                "  'connector' = 'filesystem', 'path' = '" + out.toUri() + "',",
                                "  'format' = 'csv');",
                                "INSERT INTO sink SELECT id FROM numbers;",
                                ""))
                .assertSucceeded();

        assertThat(lines(out)).hasSize(17).contains("1", "17");
    }

    private static List<String> lines(Path dir) throws IOException {
        List<String> all = new ArrayList<>();
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
