package dev.velo.flink.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.testing.FailingSinkFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code velo replay} from a filesystem DLQ: the dead letters' files are read back and replayed.
 */
class ReplayFileSystemITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    @Test
    void replaysFromAFilesystemDlq() throws Exception {
        String sinkId = "replay-files";
        Path dlq = dir.resolve("dlq");
        String table =
                "CREATE TABLE small_out (id BIGINT, customer STRING) WITH ('connector' = 'velo',"
                        + " 'velo.connector' = 'failing-sink', 'sink-id' = '"
                        + sinkId
                        + "', 'fail-ids' = '%s', 'sink.failure_strategy' = 'SendToDLQ',"
                        + " 'dlq.connector' = 'filesystem', 'dlq.path' = '"
                        + dlq.toUri()
                        + "');\n";
        String source =
                "-- @job_mode: batch\n"
                        + "CREATE TABLE small (id BIGINT, customer STRING) WITH ('connector' ="
                        + " 'datagen', 'number-of-rows' = '200', 'fields.id.kind' = 'sequence',"
                        + " 'fields.id.start' = '1', 'fields.id.end' = '200');\n";
        Path job = dir.resolve("small.sql");
        Files.writeString(
                job,
                source
                        + String.format(table, "7,70,170")
                        + "INSERT INTO small_out SELECT id, customer FROM small;\n");
        try {
            assertThat(velo("run", job.toString())).as(err()).isZero();
            assertThat(FailingSinkFactory.results(sinkId)).hasSize(197);

            Path fixed = dir.resolve("small-fixed.sql");
            Files.writeString(fixed, source + String.format(table, ""));
            assertThat(velo("replay", fixed.toString(), "--table", "small_out")).as(err()).isZero();
            assertThat(out()).contains("3 sink dead letters of table 'small_out'");
            assertThat(FailingSinkFactory.results(sinkId))
                    .hasSize(200)
                    .containsAll(
                            LongStream.rangeClosed(1, 200)
                                    .mapToObj(String::valueOf)
                                    .collect(Collectors.toList()));
        } finally {
            FailingSinkFactory.reset(sinkId);
        }
    }

    private int velo(String... args) {
        outBytes.reset();
        errBytes.reset();
        return new VeloCli(Map.of())
                .run(
                        args,
                        new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                        new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }
}
