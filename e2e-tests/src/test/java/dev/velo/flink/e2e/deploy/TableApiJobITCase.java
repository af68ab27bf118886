package dev.velo.flink.e2e.deploy;

import static org.apache.flink.table.api.Expressions.$;
import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchOptions;
import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.sql.dlq.DeadLetterSchema;
import dev.velo.flink.sql.dlq.DlqOptions;
import dev.velo.flink.sql.factory.VeloConnectorOptions;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.connector.datagen.table.DataGenConnectorOptions;
import org.apache.flink.connector.file.table.FileSystemConnectorOptions;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table API Java jobs as users write them: velo tables declared with {@link TableDescriptor} and
 * the options' {@code ConfigOption} constants, on sinks (blackhole, filesystem) and a source with
 * malformed input. Every row arrives exactly once and the velo counters balance.
 */
class TableApiJobITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    private static final long ROWS = 4_000;
    private static final Schema SCHEMA =
            Schema.newBuilder()
                    .column("id", DataTypes.BIGINT())
                    .column("name", DataTypes.STRING())
                    .build();

    @TempDir Path dir;

    @Test
    void megaBatchIntoBlackholeCountsEveryRow() throws Exception {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.createTemporaryTable("numbers", numbers());
        env.createTemporaryTable(
                "velo_void",
                TableDescriptor.forConnector(VeloConnectorOptions.IDENTIFIER)
                        .schema(SCHEMA)
                        .option(VeloConnectorOptions.VELO_CONNECTOR, "blackhole")
                        .option(BatchOptions.STRATEGY, "mega_batch")
                        .option(BatchOptions.MEGA_BATCH_SIZE, 1_000)
                        .option(BatchOptions.PARALLEL, true)
                        .option(BatchOptions.TIMEOUT, Duration.ofSeconds(30))
                        .build());

        TableResult result = env.from("numbers").insertInto("velo_void").execute();
        JobID job = jobOf(result);

        // the job's only velo operator (named velo-sink[velo_void] where the sql module is current)
        VeloCounters counters = VeloCounters.of(REPORTER, job, "");
        assertThat(counters.in()).isEqualTo(ROWS);
        assertThat(counters.out()).isEqualTo(ROWS);
        assertThat(counters.deadLettered() + counters.dropped()).isZero();
        // 4,000 rows at mega_batch_size 1,000 over at most two subtasks: full batches, no timer
        assertThat(counters.batches()).isBetween(4L, 6L);
    }

    @Test
    void fixedSizeIntoFilesystemWritesEveryRowOnce() throws Exception {
        Path out = dir.resolve("out");
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        env.createTemporaryTable("numbers", numbers());
        env.createTemporaryTable(
                "velo_files",
                TableDescriptor.forConnector(VeloConnectorOptions.IDENTIFIER)
                        .schema(SCHEMA)
                        .option(VeloConnectorOptions.VELO_CONNECTOR, "filesystem")
                        .option(FileSystemConnectorOptions.PATH, out.toUri().toString())
                        .format("csv")
                        .option(BatchOptions.STRATEGY, "fixed_size")
                        .option(BatchOptions.SIZE, 64)
                        .option(BatchOptions.TIMEOUT, Duration.ofMillis(200))
                        .build());

        JobID job = jobOf(env.from("numbers").insertInto("velo_files").execute());

        env.createTemporaryTable(
                "read_back",
                TableDescriptor.forConnector("filesystem")
                        .schema(SCHEMA)
                        .option(FileSystemConnectorOptions.PATH, out.toUri().toString())
                        .format("csv")
                        .build());
        List<Long> ids = new ArrayList<>();
        try (CloseableIterator<Row> it =
                env.from("read_back").select($("id")).execute().collect()) {
            it.forEachRemaining(r -> ids.add((Long) r.getField(0)));
        }
        assertThat(ids).containsExactlyInAnyOrderElementsOf(range(1, ROWS));
        VeloCounters counters = VeloCounters.of(REPORTER, job, "velo_files");
        assertThat(counters.in()).isEqualTo(ROWS).isEqualTo(counters.out());
        assertThat(counters.batches()).isGreaterThanOrEqualTo(ROWS / 64);
    }

    @Test
    void sourceWithSendToDlqDeliversGoodRowsOnceAndBadOnesToTheDlq() throws Exception {
        int lines = 1_000;
        Set<Integer> bad = Set.of(1, 333, 1_000);
        Path input = dir.resolve("in");
        Files.createDirectories(input);
        List<String> json = new ArrayList<>();
        for (int i = 1; i <= lines; i++) {
            json.add(
                    bad.contains(i)
                            ? "{\"id\": " + i + ", \"name\": oops"
                            : "{\"id\": " + i + ", \"name\": \"n" + i + "\"}");
        }
        Files.write(input.resolve("part-0.json"), json, StandardCharsets.UTF_8);
        Path dlq = dir.resolve("dlq");

        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        env.createTemporaryTable(
                "velo_events",
                TableDescriptor.forConnector(VeloConnectorOptions.IDENTIFIER)
                        .schema(SCHEMA)
                        .option(VeloConnectorOptions.VELO_CONNECTOR, "filesystem")
                        .option(FileSystemConnectorOptions.PATH, input.toUri().toString())
                        .format("json")
                        .option(
                                FailureOptions.sideKey(
                                        FailureOptions.SOURCE_PREFIX,
                                        FailureOptions.FAILURE_STRATEGY),
                                "SendToDLQ")
                        .option(DlqOptions.DLQ_CONNECTOR, "filesystem")
                        .option(DlqOptions.DLQ_PATH, dlq.toUri().toString())
                        .build());

        List<Long> ids = new ArrayList<>();
        TableResult result = env.from("velo_events").select($("id"), $("name")).execute();
        try (CloseableIterator<Row> it = result.collect()) {
            it.forEachRemaining(r -> ids.add((Long) r.getField(0)));
        }
        JobID job = result.getJobClient().orElseThrow().getJobID();

        assertThat(ids)
                .containsExactlyInAnyOrderElementsOf(
                        range(1, lines).stream()
                                .filter(i -> !bad.contains(i.intValue()))
                                .collect(Collectors.toList()));
        env.createTemporaryTable(
                "dead_letters",
                TableDescriptor.forConnector("filesystem")
                        .schema(
                                Schema.newBuilder()
                                        .fromRowDataType(DeadLetterSchema.DATA_TYPE)
                                        .build())
                        .option(FileSystemConnectorOptions.PATH, dlq.toUri().toString())
                        .format("json")
                        .build());
        List<Row> letters = new ArrayList<>();
        try (CloseableIterator<Row> it =
                env.from("dead_letters")
                        .select($("payload"), $("side"), $("strategy"), $("table_name"))
                        .execute()
                        .collect()) {
            it.forEachRemaining(letters::add);
        }
        assertThat(
                        letters.stream()
                                .map(
                                        r ->
                                                new String(
                                                        (byte[]) r.getField(0),
                                                        StandardCharsets.UTF_8)))
                .containsExactlyInAnyOrderElementsOf(
                        bad.stream().map(i -> json.get(i - 1)).collect(Collectors.toList()));
        assertThat(letters)
                .allSatisfy(
                        r -> {
                            assertThat(r.getField(1)).isEqualTo("source");
                            assertThat(r.getField(2)).isEqualTo("SendToDLQ");
                            assertThat(r.getField(3)).isEqualTo("velo_events");
                        });

        VeloCounters counters = VeloCounters.of(REPORTER, job, "velo-decode[velo_events]");
        assertThat(counters.in()).isEqualTo(lines);
        assertThat(counters.out()).isEqualTo(lines - bad.size());
        assertThat(counters.deadLettered()).isEqualTo(bad.size());
        assertThat(counters.balanced()).as("%s", counters).isTrue();
    }

    private static TableDescriptor numbers() {
        return TableDescriptor.forConnector("datagen")
                .schema(SCHEMA)
                .option(DataGenConnectorOptions.NUMBER_OF_ROWS, ROWS)
                .option("fields.id.kind", "sequence")
                .option("fields.id.start", "1")
                .option("fields.id.end", String.valueOf(ROWS))
                .option("fields.name.length", "8")
                .build();
    }

    private static JobID jobOf(TableResult result) throws Exception {
        JobID job = result.getJobClient().orElseThrow().getJobID();
        result.await();
        return job;
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().collect(Collectors.toList());
    }
}
