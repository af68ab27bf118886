package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.sql.testing.FailingSinkFactory;
import dev.velo.flink.sql.testing.VeloMetricsProbe;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SQL INSERT INTO velo(...) on a MiniCluster: every batch strategy and failure strategy. */
class VeloSinkITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    private static final VeloMetricsProbe METRICS = new VeloMetricsProbe(REPORTER);
    private static final int ROWS = 1000;

    private static TableEnvironment tableEnv() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "2");
        env.executeSql(
                "CREATE TEMPORARY TABLE src (id BIGINT, name STRING) WITH ("
                        + "'connector'='datagen', 'number-of-rows'='"
                        + ROWS
                        + "', 'fields.id.kind'='sequence', 'fields.id.start'='1',"
                        + " 'fields.id.end'='"
                        + ROWS
                        + "', 'fields.name.length'='8')");
        return env;
    }

    private static String newSinkId() {
        String id = UUID.randomUUID().toString();
        FailingSinkFactory.reset(id);
        return id;
    }

    private static JobID insert(TableEnvironment env, String sinkId, String veloOptions)
            throws Exception {
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT, name STRING) WITH ("
                        + "'connector'='velo', 'velo.connector'='failing-sink', 'sink-id'='"
                        + sinkId
                        + "'"
                        + (veloOptions.isEmpty() ? "" : ", " + veloOptions)
                        + ")");
        TableResult result = env.executeSql("INSERT INTO out_t SELECT id, name FROM src");
        JobID job = result.getJobClient().orElseThrow().getJobID();
        result.await();
        return job;
    }

    private static List<String> expectedIds(Set<String> without) {
        return LongStream.rangeClosed(1, ROWS)
                .mapToObj(String::valueOf)
                .filter(s -> !without.contains(s))
                .collect(Collectors.toList());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "'batch.strategy'='fixed_size', 'batch.size'='64', 'batch.timeout'='5s'",
                "'batch.strategy'='time_window', 'batch.window'='50ms'",
                "'batch.strategy'='memory_based', 'batch.memory_size'='4096'",
                "'batch.strategy'='adaptive_size', 'batch.min_size'='10',"
                        + " 'batch.adaptive_max_size'='200', 'batch.target_latency'='20ms'",
                "'batch.strategy'='low_latency', 'batch.low_latency_max_size'='5',"
                        + " 'batch.low_latency_wait'='10ms'",
                "'batch.strategy'='mega_batch', 'batch.mega_batch_size'='10000',"
                        + " 'batch.parallel'='true'",
                "'batch.strategy'='mega_batch', 'batch.mega_batch_size'='300',"
                        + " 'batch.parallel'='false', 'batch.reuse_buffer'='false'",
                "'batch.enable'='false'"
            })
    void everyStrategyDeliversEveryRowOnce(String options) throws Exception {
        String sinkId = newSinkId();
        JobID job = insert(tableEnv(), sinkId, options);

        assertThat(FailingSinkFactory.results(sinkId))
                .containsExactlyInAnyOrderElementsOf(expectedIds(Set.of()));
        assertThat(METRICS.sum(job, "numRecordsIn")).isEqualTo(ROWS);
        assertThat(METRICS.sum(job, "numRecordsOut")).isEqualTo(ROWS);
    }

    @Test
    void fixedSizeFlushesBatchesOfTheConfiguredSize() throws Exception {
        String sinkId = newSinkId();
        JobID job =
                insert(
                        tableEnv(),
                        sinkId,
                        "'batch.strategy'='fixed_size', 'batch.size'='100', 'batch.timeout'='1h',"
                                + " 'failure_strategy'='LogAndContinue'");
        // 1000 rows over 2 subtasks: full batches of 100, at most one remainder each at the end.
        assertThat(METRICS.sum(job, "numBatches")).isBetween(10L, 12L);
        assertThat(METRICS.sum(job, "numRecordsOut")).isEqualTo(ROWS);
        // LogAndContinue learns each record's outcome from delegate flushes, one per window of
        // unconfirmed writes (10,000 here) and at the end of input: one per subtask for 1000 rows
        List<Integer> flushes = FailingSinkFactory.flushSizes(sinkId);
        assertThat(flushes).hasSizeBetween(1, 2);
        assertThat(flushes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(ROWS);
    }

    @Test
    void failBatchWritesBatchesWithoutAFlushEachAndFlushesAtTheEnd() throws Exception {
        String sinkId = newSinkId();
        JobID job =
                insert(
                        tableEnv(),
                        sinkId,
                        "'batch.strategy'='fixed_size', 'batch.size'='100', 'batch.timeout'='1h'");
        // FailBatch: batches of 100 go to the delegate, which is flushed only at the end of input
        // (and before checkpoints), like a plain sink: one flush per subtask here.
        List<Integer> flushes = FailingSinkFactory.flushSizes(sinkId);
        assertThat(flushes).hasSizeBetween(1, 2);
        assertThat(flushes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(ROWS);
        assertThat(METRICS.sum(job, "numBatches")).isBetween(10L, 12L);
        assertThat(METRICS.sum(job, "numRecordsOut")).isEqualTo(ROWS);
        assertThat(FailingSinkFactory.results(sinkId))
                .containsExactlyInAnyOrderElementsOf(expectedIds(Set.of()));
    }

    @Test
    void logAndContinueDropsAndCountsFailedRows() throws Exception {
        String sinkId = newSinkId();
        JobID job =
                insert(
                        tableEnv(),
                        sinkId,
                        "'fail-ids'='7,77,777', 'failure_strategy'='LogAndContinue'");
        assertThat(FailingSinkFactory.results(sinkId))
                .containsExactlyInAnyOrderElementsOf(expectedIds(Set.of("7", "77", "777")));
        long in = METRICS.sum(job, "numRecordsIn");
        long out = METRICS.sum(job, "numRecordsOut");
        long dropped = METRICS.sum(job, "numRecordsDropped");
        long dead = METRICS.sum(job, "numRecordsDeadLettered");
        assertThat(dropped).isEqualTo(3);
        assertThat(dead).isZero();
        assertThat(in).isEqualTo(ROWS).isEqualTo(out + dead + dropped);
    }

    @Test
    void sendToDlqWritesDeadLettersThatReadBackWithSql(@TempDir Path dir) throws Exception {
        String sinkId = newSinkId();
        String dlq = dir.resolve("dlq").toUri().toString();
        TableEnvironment env = tableEnv();
        JobID job =
                insert(
                        env,
                        sinkId,
                        "'fail-ids'='7,77,777', 'failure_strategy'='SendToDLQ',"
                                + " 'dlq.connector'='filesystem', 'dlq.path'='"
                                + dlq
                                + "'");
        assertThat(FailingSinkFactory.results(sinkId))
                .containsExactlyInAnyOrderElementsOf(expectedIds(Set.of("7", "77", "777")));

        env.executeSql(
                "CREATE TEMPORARY TABLE dlq ("
                        + dev.velo.flink.sql.dlq.DeadLetterSchema.CREATE_TABLE_COLUMNS
                        + ") WITH ('connector'='filesystem', 'path'='"
                        + dlq
                        + "', 'format'='json')");
        List<Row> letters = new ArrayList<>();
        try (CloseableIterator<Row> it =
                env.executeSql(
                                "SELECT CAST(payload AS STRING), error_class, error_message,"
                                        + " attempts, table_name, side, strategy FROM dlq")
                        .collect()) {
            it.forEachRemaining(letters::add);
        }
        assertThat(letters).hasSize(3);
        Set<String> payloadIds = new HashSet<>();
        for (Row r : letters) {
            String payload = (String) r.getField(0);
            assertThat(payload).startsWith("{\"id\":");
            payloadIds.add(payload.substring(6, payload.indexOf(',')));
            assertThat(r.getField(1)).isEqualTo(IllegalArgumentException.class.getName());
            assertThat((String) r.getField(2)).startsWith("poison record");
            assertThat(r.getField(3)).isEqualTo(1);
            assertThat(r.getField(4)).isEqualTo("out_t");
            assertThat(r.getField(5)).isEqualTo("sink");
            assertThat(r.getField(6)).isEqualTo("SendToDLQ");
        }
        assertThat(payloadIds).containsExactlyInAnyOrder("7", "77", "777");
        long in = METRICS.sum(job, "numRecordsIn");
        long out = METRICS.sum(job, "numRecordsOut");
        long dead = METRICS.sum(job, "numRecordsDeadLettered");
        assertThat(dead).isEqualTo(3);
        assertThat(in)
                .isEqualTo(ROWS)
                .isEqualTo(out + dead + METRICS.sum(job, "numRecordsDropped"));
    }

    @Test
    void failBatchFailsTheJobNamingTableBatchAndCause() {
        String sinkId = newSinkId();
        assertThatThrownBy(
                        () ->
                                insert(
                                        tableEnv(),
                                        sinkId,
                                        "'fail-ids'='77', 'failure_strategy'='FailBatch'"))
                .satisfies(
                        e -> {
                            String chain = causeChain(e);
                            assertThat(chain).contains("out_t").contains("batch");
                            assertThat(chain).contains("poison record 77");
                        });
    }

    @Test
    void retryWithBackoffRewritesTransientlyFailedBatches() throws Exception {
        String sinkId = newSinkId();
        JobID job =
                insert(
                        tableEnv(),
                        sinkId,
                        "'transient-flush-failures'='3', 'transient-write-failures'='2',"
                                + " 'failure_strategy'='RetryWithBackoff', 'max_retries'='5',"
                                + " 'retry_backoff'='20ms', 'retry_jitter'='0'");
        assertThat(FailingSinkFactory.results(sinkId))
                .containsExactlyInAnyOrderElementsOf(expectedIds(Set.of()));
        assertThat(METRICS.sum(job, "numRetries")).isGreaterThanOrEqualTo(5);
        assertThat(METRICS.sum(job, "numRecordsDropped")).isZero();
        assertThat(METRICS.sum(job, "numRecordsDeadLettered")).isZero();
    }

    @Test
    void retryExhaustedGoesToTheConfiguredStrategy(@TempDir Path dir) throws Exception {
        String sinkId = newSinkId();
        JobID job =
                insert(
                        tableEnv(),
                        sinkId,
                        "'fail-ids'='5', 'failure_strategy'='RetryWithBackoff',"
                                + " 'max_retries'='2', 'retry_backoff'='1ms',"
                                + " 'retry_exhausted'='LogAndContinue'");
        assertThat(FailingSinkFactory.results(sinkId))
                .containsExactlyInAnyOrderElementsOf(expectedIds(Set.of("5")));
        assertThat(METRICS.sum(job, "numRecordsDropped")).isEqualTo(1);
    }

    @Test
    void legacySinkFunctionConnectorsAreBatched() throws Exception {
        TableEnvironment env = tableEnv();
        env.executeSql(
                "CREATE TEMPORARY TABLE printed (id BIGINT, name STRING) WITH ("
                        + "'connector'='velo', 'velo.connector'='print',"
                        + " 'print-identifier'='velo-it', 'batch.size'='250')");
        TableResult result = env.executeSql("INSERT INTO printed SELECT id, name FROM src");
        JobID job = result.getJobClient().orElseThrow().getJobID();
        result.await();
        // two velo stages count each row: the batching stage and the wrapped sink function
        assertThat(METRICS.sum(job, "numRecordsIn")).isEqualTo(2L * ROWS);
        assertThat(METRICS.sum(job, "numRecordsOut")).isEqualTo(2L * ROWS);
        assertThat(METRICS.sum(job, "numRecordsDropped")).isZero();
        assertThat(METRICS.sum(job, "numBatches")).isBetween(4L, 6L);
    }

    static String causeChain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
        }
        return sb.toString();
    }
}
