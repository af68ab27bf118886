package dev.velo.flink.sql.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.testing.CollectingDlqSinkFactory;
import dev.velo.flink.sql.testing.EmbeddedKafkaExtension;
import dev.velo.flink.sql.testing.FailingSinkFactory;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.JobID;
import org.apache.flink.formats.common.TimestampFormat;
import org.apache.flink.formats.json.JsonRowDataDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.conversion.DataStructureConverter;
import org.apache.flink.table.data.conversion.DataStructureConverters;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows of every temporal, numeric and nested type whose sink write fails are dead-lettered to a
 * Kafka DLQ, a filesystem DLQ and a connector velo never heard of; the dead letters read back with
 * SQL and their payloads decode with the original format to the original values.
 */
class DlqRoundTripITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    private static final String COLUMNS =
            "id BIGINT, d DATE, t TIME(0), ts TIMESTAMP(3), amount DECIMAL(10, 2),"
                    + " tags ARRAY<STRING>, attrs MAP<STRING, INT>, nested ROW<a INT, b STRING>";

    private static final DataType ROW_TYPE =
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.BIGINT()),
                    DataTypes.FIELD("d", DataTypes.DATE()),
                    DataTypes.FIELD("t", DataTypes.TIME(0)),
                    DataTypes.FIELD("ts", DataTypes.TIMESTAMP(3)),
                    DataTypes.FIELD("amount", DataTypes.DECIMAL(10, 2)),
                    DataTypes.FIELD("tags", DataTypes.ARRAY(DataTypes.STRING())),
                    DataTypes.FIELD("attrs", DataTypes.MAP(DataTypes.STRING(), DataTypes.INT())),
                    DataTypes.FIELD(
                            "nested",
                            DataTypes.ROW(
                                    DataTypes.FIELD("a", DataTypes.INT()),
                                    DataTypes.FIELD("b", DataTypes.STRING()))));

    private static final String VALUES =
            "VALUES"
                    + " (CAST(1 AS BIGINT), DATE '2024-02-29', TIME '23:59:58',"
                    + " TIMESTAMP '2024-02-29 12:34:56.789', CAST(12345.67 AS DECIMAL(10, 2)),"
                    + " ARRAY['a', 'b'], MAP['k', 1], ROW(7, 'x')),"
                    + " (CAST(2 AS BIGINT), DATE '2000-01-01', TIME '00:00:01',"
                    + " TIMESTAMP '2000-01-01 00:00:00.000', CAST(1 AS DECIMAL(10, 2)),"
                    + " ARRAY['ok'], MAP['ok', 0], ROW(0, 'ok')),"
                    + " (CAST(3 AS BIGINT), DATE '1969-12-31', TIME '00:00:00',"
                    + " TIMESTAMP '1999-12-31 23:59:59.001', CAST(-0.01 AS DECIMAL(10, 2)),"
                    + " ARRAY['c, \"quoted\"'], MAP['x', -2, 'y', 3], ROW(-1, 'n\u00e9sted'))";

    /** The rows with ids 1 and 3, which the sink fails. */
    private static final List<Row> FAILED =
            List.of(
                    Row.of(
                            1L,
                            LocalDate.of(2024, 2, 29),
                            LocalTime.of(23, 59, 58),
                            LocalDateTime.of(2024, 2, 29, 12, 34, 56, 789_000_000),
                            new BigDecimal("12345.67"),
                            new String[] {"a", "b"},
                            Map.of("k", 1),
                            Row.of(7, "x")),
                    Row.of(
                            3L,
                            LocalDate.of(1969, 12, 31),
                            LocalTime.of(0, 0, 0),
                            LocalDateTime.of(1999, 12, 31, 23, 59, 59, 1_000_000),
                            new BigDecimal("-0.01"),
                            new String[] {"c, \"quoted\""},
                            Map.of("x", -2, "y", 3),
                            Row.of(-1, "n\u00e9sted")));

    @TempDir static Path dir;

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void kafkaDeadLettersReadBackWithSqlAndDecodeToTheOriginalRows() throws Exception {
        String topic = "rt-dlq-" + UUID.randomUUID();
        KAFKA.get().createTopic(topic, 2);
        TableEnvironment env = env();
        JobID job =
                insert(
                        env,
                        "'dlq.connector'='kafka', 'dlq.topic'='"
                                + topic
                                + "', 'dlq.properties.bootstrap.servers'='"
                                + KAFKA.get().bootstrapServers()
                                + "'");
        env.executeSql(
                "CREATE TEMPORARY TABLE dlq_table ("
                        + DeadLetterSchema.CREATE_TABLE_COLUMNS
                        + ") WITH ('connector'='kafka', 'topic'='"
                        + topic
                        + "', 'properties.bootstrap.servers'='"
                        + KAFKA.get().bootstrapServers()
                        + "', 'properties.group.id'='rt', 'scan.startup.mode'='earliest-offset',"
                        + " 'scan.bounded.mode'='latest-offset', 'format'='json')");
        assertThat(decodedPayloads(env)).containsExactlyInAnyOrderElementsOf(FAILED);
        assertThat(sideAndTable(env)).containsOnly("sink/out_t");
        assertThat(KAFKA.get().consumeAll(topic, 2, java.time.Duration.ofSeconds(30)))
                .allSatisfy(r -> assertThat(new String(r.key())).isEqualTo("out_t"));
        assertThat(standardOutErrors(job)).isEqualTo(FAILED.size());
    }

    @Test
    void filesystemDeadLettersInCsvReadBackWithSqlAndDecodeToTheOriginalRows() throws Exception {
        String path = dir.resolve("dlq-" + UUID.randomUUID()).toUri().toString();
        TableEnvironment env = env();
        insert(env, "'dlq.connector'='filesystem', 'dlq.path'='" + path + "', 'dlq.format'='csv'");
        env.executeSql(
                "CREATE TEMPORARY TABLE dlq_table ("
                        + DeadLetterSchema.CREATE_TABLE_COLUMNS
                        + ") WITH ('connector'='filesystem', 'path'='"
                        + path
                        + "', 'format'='csv')");
        assertThat(decodedPayloads(env)).containsExactlyInAnyOrderElementsOf(FAILED);
        assertThat(sideAndTable(env)).containsOnly("sink/out_t");
        // the column after kafka_offset: the poison records' IllegalArgumentException
        assertThat(collect(env, "SELECT retry_decision FROM dlq_table"))
                .hasSize(FAILED.size())
                .allSatisfy(
                        r ->
                                assertThat((String) r.getField(0))
                                        .startsWith("non_retriable: ")
                                        .contains("IllegalArgumentException"));
    }

    @Test
    void aConnectorVeloNeverHeardOfReceivesTheDeadLetters() throws Exception {
        String mine = UUID.randomUUID().toString();
        insert(env(), "'dlq.connector'='collecting', 'dlq.my-option'='" + mine + "'");
        List<Row> letters = CollectingDlqSinkFactory.flushed(mine);
        List<Row> decoded = new ArrayList<>();
        for (Row letter : letters) {
            decoded.add(decode((byte[]) letter.getField("payload")));
            assertThat(letter.getField("strategy")).isEqualTo("SendToDLQ");
            assertThat((String) letter.getField("retry_decision")).startsWith("non_retriable: ");
        }
        assertThat(decoded).containsExactlyInAnyOrderElementsOf(FAILED);
    }

    private static TableEnvironment env() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "2");
        return env;
    }

    private static JobID insert(TableEnvironment env, String dlqOptions) throws Exception {
        String sinkId = UUID.randomUUID().toString();
        FailingSinkFactory.reset(sinkId);
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t ("
                        + COLUMNS
                        + ") WITH ('connector'='velo', 'velo.connector'='failing-sink',"
                        + " 'sink-id'='"
                        + sinkId
                        + "', 'fail-ids'='1,3', 'failure_strategy'='SendToDLQ', "
                        + dlqOptions
                        + ")");
        TableResult result =
                env.executeSql(
                        "INSERT INTO out_t SELECT * FROM ("
                                + VALUES
                                + ") AS v(id, d, t, ts, amount, tags, attrs, nested)");
        JobID job = result.getJobClient().orElseThrow().getJobID();
        result.await();
        assertThat(FailingSinkFactory.results(sinkId)).containsExactly("2");
        return job;
    }

    private static List<Row> decodedPayloads(TableEnvironment env) throws Exception {
        List<Row> decoded = new ArrayList<>();
        for (Row r : collect(env, "SELECT payload FROM dlq_table")) {
            decoded.add(decode((byte[]) r.getField(0)));
        }
        return decoded;
    }

    private static List<String> sideAndTable(TableEnvironment env) throws Exception {
        List<String> out = new ArrayList<>();
        for (Row r : collect(env, "SELECT side, table_name FROM dlq_table")) {
            out.add(r.getField(0) + "/" + r.getField(1));
        }
        return out;
    }

    private static List<Row> collect(TableEnvironment env, String query) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = env.executeSql(query).collect()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    /** A payload decoded with the sink table's format (json: the failing sink has none). */
    private static Row decode(byte[] payload) throws Exception {
        RowType rowType = (RowType) ROW_TYPE.getLogicalType();
        JsonRowDataDeserializationSchema json =
                new JsonRowDataDeserializationSchema(
                        rowType, InternalTypeInfo.of(rowType), true, false, TimestampFormat.SQL);
        json.open(null); // the json format's open reads nothing from its context
        RowData row = json.deserialize(payload);
        DataStructureConverter<Object, Object> converter =
                DataStructureConverters.getConverter(ROW_TYPE);
        converter.open(DlqRoundTripITCase.class.getClassLoader());
        return (Row) converter.toExternal(row);
    }

    /** FLIP-33 numRecordsOutErrors of the velo sink writers of {@code job}. */
    private static long standardOutErrors(JobID job) {
        long total = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> e :
                REPORTER.getMetricsByGroup().entrySet()) {
            String[] scope = e.getKey().getScopeComponents();
            String last = scope.length == 0 ? "" : scope[scope.length - 1];
            if (last.equals(DlqWriterMetricGroup.GROUP)
                    || !job.toString().equals(e.getKey().getAllVariables().get("<job_id>"))) {
                continue;
            }
            Metric m = e.getValue().get("numRecordsOutErrors");
            if (m instanceof Counter) {
                total += ((Counter) m).getCount();
            }
        }
        return total;
    }
}
