package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.sql.testing.FailingSinkFactory;
import dev.velo.flink.sql.testing.VeloMetricsProbe;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** SQL SELECT FROM velo(...) with malformed input: every source failure strategy. */
class VeloSourceITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    private static final VeloMetricsProbe METRICS = new VeloMetricsProbe(REPORTER);
    private static final int ROWS = 500;
    private static final Set<Integer> BAD = Set.of(10, 250, 499);

    @TempDir Path dir;
    private Path input;

    @BeforeEach
    void writeInput() throws Exception {
        input = dir.resolve("in");
        Files.createDirectories(input);
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= ROWS; i++) {
            lines.add(
                    BAD.contains(i)
                            ? "{\"id\": " + i + ", \"name\": broken"
                            : "{\"id\": " + i + ", \"name\": \"n" + i + "\"}");
        }
        Files.write(input.resolve("part-0.json"), lines, StandardCharsets.UTF_8);
    }

    private JobID run(TableEnvironment env, String options, String sinkId) throws Exception {
        env.executeSql(
                "CREATE TEMPORARY TABLE src (id BIGINT, name STRING) WITH ('connector'='velo',"
                        + " 'velo.connector'='filesystem', 'path'='"
                        + input.toUri()
                        + "', 'format'='json', "
                        + options
                        + ")");
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT, name STRING) WITH ("
                        + "'connector'='failing-sink', 'sink-id'='"
                        + sinkId
                        + "')");
        TableResult result = env.executeSql("INSERT INTO out_t SELECT id, name FROM src");
        JobID job = result.getJobClient().orElseThrow().getJobID();
        result.await();
        return job;
    }

    private static List<String> goodIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= ROWS; i++) {
            if (!BAD.contains(i)) {
                ids.add(String.valueOf(i));
            }
        }
        return ids;
    }

    private static TableEnvironment env() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        return env;
    }

    @Test
    void logAndContinueDropsUndecodableRecords() throws Exception {
        String sinkId = UUID.randomUUID().toString();
        JobID job = run(env(), "'source.failure_strategy'='LogAndContinue'", sinkId);
        assertThat(FailingSinkFactory.results(sinkId)).containsExactlyElementsOf(goodIds());
        assertThat(METRICS.sum(job, "source", "numRecordsDropped")).isEqualTo(BAD.size());
        assertThat(METRICS.sum(job, "source", "numRecordsIn")).isEqualTo(ROWS);
        assertThat(METRICS.sum(job, "source", "numRecordsOut")).isEqualTo(ROWS - BAD.size());
    }

    @Test
    void sendToDlqKeepsTheRawBytes() throws Exception {
        String sinkId = UUID.randomUUID().toString();
        String dlq = dir.resolve("dlq").toUri().toString();
        TableEnvironment env = env();
        JobID job =
                run(
                        env,
                        "'source.failure_strategy'='SendToDLQ', 'dlq.connector'='filesystem',"
                                + " 'dlq.path'='"
                                + dlq
                                + "'",
                        sinkId);
        assertThat(FailingSinkFactory.results(sinkId)).containsExactlyElementsOf(goodIds());
        env.executeSql(
                "CREATE TEMPORARY TABLE dlq ("
                        + dev.velo.flink.sql.dlq.DeadLetterSchema.CREATE_TABLE_COLUMNS
                        + ") WITH ('connector'='filesystem', 'path'='"
                        + dlq
                        + "', 'format'='json')");
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it =
                env.executeSql("SELECT payload, side, strategy, error_class FROM dlq").collect()) {
            it.forEachRemaining(rows::add);
        }
        assertThat(
                        rows.stream()
                                .map(
                                        r ->
                                                new String(
                                                        (byte[]) r.getField(0),
                                                        StandardCharsets.UTF_8))
                                .collect(Collectors.toList()))
                .containsExactlyInAnyOrder(
                        "{\"id\": 10, \"name\": broken",
                        "{\"id\": 250, \"name\": broken",
                        "{\"id\": 499, \"name\": broken");
        assertThat(rows).allMatch(r -> "source".equals(r.getField(1)));
        assertThat(rows).allMatch(r -> "SendToDLQ".equals(r.getField(2)));
        long in = METRICS.sum(job, "source", "numRecordsIn");
        long out = METRICS.sum(job, "source", "numRecordsOut");
        long dead = METRICS.sum(job, "source", "numRecordsDeadLettered");
        long dropped = METRICS.sum(job, "source", "numRecordsDropped");
        assertThat(dead).isEqualTo(BAD.size());
        assertThat(in).isEqualTo(ROWS).isEqualTo(out + dead + dropped);
    }

    @Test
    void retryWithBackoffDoesNotRetryDecodingErrorsAndFallsBackToExhausted() throws Exception {
        String sinkId = UUID.randomUUID().toString();
        JobID job =
                run(
                        env(),
                        "'source.failure_strategy'='RetryWithBackoff', 'source.max_retries'='3',"
                                + " 'source.retry_backoff'='1000ms',"
                                + " 'source.retry_exhausted'='LogAndContinue'",
                        sinkId);
        assertThat(FailingSinkFactory.results(sinkId)).containsExactlyElementsOf(goodIds());
        assertThat(METRICS.sum(job, "source", "numRetries")).isZero();
        assertThat(METRICS.sum(job, "source", "numRecordsDropped")).isEqualTo(BAD.size());
    }

    @Test
    void explicitFailBatchNamesTableAndRecordPosition() {
        String sinkId = UUID.randomUUID().toString();
        assertThatThrownBy(() -> run(env(), "'source.failure_strategy'='FailBatch'", sinkId))
                .satisfies(
                        e ->
                                assertThat(VeloSinkITCase.causeChain(e))
                                        .contains("Table 'src'")
                                        .contains("could not decode the record number 9")
                                        .containsIgnoringCase("deserialize"));
    }

    @Test
    void defaultFailBatchLeavesDecodingToTheWrappedFormat() {
        String sinkId = UUID.randomUUID().toString();
        assertThatThrownBy(() -> run(env(), "'batch.enable'='false'", sinkId))
                .satisfies(
                        e ->
                                assertThat(VeloSinkITCase.causeChain(e))
                                        .containsIgnoringCase("deserialize")
                                        .doesNotContain("could not decode the record"));
    }

    @Test
    void explicitFailBatchWithDecodingInFlinkVeloNamesTable() {
        String sinkId = UUID.randomUUID().toString();
        assertThatThrownBy(
                        () ->
                                run(
                                        env(),
                                        "'source.failure_strategy'='RetryWithBackoff',"
                                                + " 'source.max_retries'='1'",
                                        sinkId))
                .satisfies(
                        e ->
                                assertThat(VeloSinkITCase.causeChain(e))
                                        .contains("Table 'src'")
                                        .contains("could not decode the record number 9"));
    }

    @Test
    void sourceSideBatchingGroupsRecordsBeforeTheQuery() throws Exception {
        Path clean = dir.resolve("clean");
        Files.createDirectories(clean);
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= ROWS; i++) {
            lines.add("{\"id\": " + i + ", \"name\": \"n" + i + "\"}");
        }
        Files.write(clean.resolve("part-0.json"), lines, StandardCharsets.UTF_8);
        input = clean;
        String sinkId = UUID.randomUUID().toString();
        JobID job =
                run(
                        env(),
                        "'batch.strategy'='fixed_size', 'batch.size'='50', 'batch.timeout'='1h'",
                        sinkId);
        assertThat(FailingSinkFactory.results(sinkId)).hasSize(ROWS);
        assertThat(METRICS.sum(job, "numRecordsIn")).isEqualTo(ROWS);
        assertThat(METRICS.sum(job, "numRecordsOut")).isEqualTo(ROWS);
        assertThat(METRICS.sum(job, "numBatches")).isEqualTo(ROWS / 50);
    }
}
