package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.cli.EmbeddedKafka;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import javax.annotation.Nullable;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ExplainDetail;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wrapper contract, differentially: every table shape is read once as the plain connector and
 * three times wrapped by velo (no velo option; LogAndContinue; SendToDLQ with source-side
 * batching), and each run must give the same rows, the same {@code EXPLAIN CHANGELOG_MODE} (hence
 * the same changelog mode and push-downs) as the plain table. Parallelism 2, one broker.
 */
@Timeout(180)
class TransparencyITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    /** 2024-01-01T00:00:00Z */
    private static final long T0 = 1_704_067_200_000L;

    private static EmbeddedKafka kafka;

    @TempDir static Path tmp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        createTopic("events", 2);
        List<ProducerRecord<byte[], byte[]>> events = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("h", ("x" + i).getBytes(StandardCharsets.UTF_8));
            events.add(
                    new ProducerRecord<>(
                            "events",
                            i % 2,
                            T0 + i * 1000L,
                            null,
                            bytes("{\"id\": " + i + ", \"v\": \"v" + i + "\"}"),
                            headers));
        }
        send(events);

        createTopic("cdc", 1);
        List<ProducerRecord<byte[], byte[]>> cdc = new ArrayList<>();
        cdc.add(debezium("c", null, "{\"id\": 1, \"name\": \"a\", \"qty\": 1}", 1));
        cdc.add(debezium("c", null, "{\"id\": 2, \"name\": \"b\", \"qty\": 2}", 2));
        cdc.add(debezium("c", null, "{\"id\": 3, \"name\": \"c\", \"qty\": 3}", 3));
        cdc.add(
                debezium(
                        "u",
                        "{\"id\": 1, \"name\": \"a\", \"qty\": 1}",
                        "{\"id\": 1, \"name\": \"a\", \"qty\": 10}",
                        4));
        cdc.add(debezium("d", "{\"id\": 2, \"name\": \"b\", \"qty\": 2}", null, 5));
        cdc.add(
                debezium(
                        "u",
                        "{\"id\": 3, \"name\": \"c\", \"qty\": 3}",
                        "{\"id\": 3, \"name\": \"c\", \"qty\": 30}",
                        6));
        send(cdc);

        createTopic("upserts", 2);
        List<ProducerRecord<byte[], byte[]>> upserts = new ArrayList<>();
        String[][] kv = {
            {"a", "1"}, {"b", "2"}, {"a", "3"}, {"c", "4"}, {"b", null}, {"c", "5"}, {"d", "6"}
        };
        for (int i = 0; i < kv.length; i++) {
            String k = kv[i][0];
            upserts.add(
                    new ProducerRecord<>(
                            "upserts",
                            k.equals("a") || k.equals("c") ? 0 : 1,
                            T0 + i * 1000L,
                            bytes("{\"k\": \"" + k + "\"}"),
                            kv[i][1] == null
                                    ? null
                                    : bytes("{\"k\": \"" + k + "\", \"v\": " + kv[i][1] + "}")));
        }
        send(upserts);

        createTopic("rates", 1);
        List<ProducerRecord<byte[], byte[]>> rates = new ArrayList<>();
        String[][] rateRows = {
            {"USD", "1", "1"}, {"EUR", "10", "2"}, {"USD", "2", "5"}, {"EUR", "20", "8"}
        };
        for (String[] r : rateRows) {
            rates.add(
                    new ProducerRecord<>(
                            "rates",
                            0,
                            T0 + Long.parseLong(r[2]) * 1000L,
                            bytes("{\"currency\": \"" + r[0] + "\"}"),
                            bytes("{\"currency\": \"" + r[0] + "\", \"rate\": " + r[1] + "}")));
        }
        send(rates);
        createTopic("orders", 1);
        List<ProducerRecord<byte[], byte[]>> orders = new ArrayList<>();
        String[][] orderRows = {
            {"1", "USD", "3"},
            {"2", "EUR", "4"},
            {"3", "USD", "6"},
            {"4", "EUR", "9"},
            {"5", "USD", "10"}
        };
        for (String[] o : orderRows) {
            orders.add(
                    new ProducerRecord<>(
                            "orders",
                            0,
                            T0 + Long.parseLong(o[2]) * 1000L,
                            null,
                            bytes("{\"id\": " + o[0] + ", \"currency\": \"" + o[1] + "\"}")));
        }
        send(orders);

        for (String dt : List.of("2024-01-01", "2024-01-02", "2024-01-03")) {
            Path dir = tmp.resolve("fs").resolve("dt=" + dt);
            Files.createDirectories(dir);
            List<String> lines = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                lines.add("{\"id\": " + i + ", \"name\": \"" + dt + "-" + i + "\"}");
            }
            Files.write(dir.resolve("part-0.json"), lines, StandardCharsets.UTF_8);
        }
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The plain table and the three velo variants of it. */
    enum Variant {
        PLAIN,
        VELO,
        VELO_LOG_AND_CONTINUE,
        VELO_SEND_TO_DLQ_BATCHED;

        String with(String connector, String options) {
            switch (this) {
                case PLAIN:
                    return "'connector'='" + connector + "', " + options;
                case VELO:
                    return "'connector'='velo', 'velo.connector'='" + connector + "', " + options;
                case VELO_LOG_AND_CONTINUE:
                    return VELO.with(connector, options)
                            + ", 'source.failure_strategy'='LogAndContinue'";
                default:
                    return VELO.with(connector, options)
                            + ", 'source.failure_strategy'='SendToDLQ', 'dlq.connector'="
                            + "'filesystem', 'dlq.path'='"
                            + tmp.resolve("dlq-" + connector).toUri()
                            + "', 'batch.strategy'='fixed_size', 'batch.size'='7'";
            }
        }
    }

    private static String kafkaOptions(String topic, String format) {
        return "'topic'='"
                + topic
                + "', 'properties.bootstrap.servers'='"
                + kafka.bootstrapServers()
                + "', 'scan.startup.mode'='earliest-offset', 'scan.bounded.mode'='latest-offset',"
                + " 'format'='"
                + format
                + "'";
    }

    private static final String EVENTS_COLUMNS =
            "id BIGINT, v STRING,"
                    + " ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',"
                    + " part INT METADATA FROM 'partition' VIRTUAL,"
                    + " off BIGINT METADATA FROM 'offset' VIRTUAL,"
                    + " headers MAP<STRING, BYTES> METADATA VIRTUAL,";

    @Test
    void kafkaMetadataWithAWatermarkOnTheRecordTimestamp() {
        Map<Variant, Outcome> outcomes =
                runAll(
                        v ->
                                "CREATE TEMPORARY TABLE src ("
                                        + EVENTS_COLUMNS
                                        + " WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ("
                                        + v.with("kafka", kafkaOptions("events", "json"))
                                        + ")",
                        "SELECT id, v, ts, part, off, CAST(headers['h'] AS STRING) FROM src");
        Outcome plain = outcomes.get(Variant.PLAIN);
        assertThat(plain.rows).hasSize(40).contains("+I[7, v7, 2024-01-01T00:00:07Z, 1, 3, x7]");
        assertThat(plain.explain).contains("watermark=[", "metadata=[");
        assertSameAsPlain(outcomes);
    }

    @Test
    void eventTimeWindowOnTheKafkaTimestampWatermark() {
        Map<Variant, Outcome> outcomes =
                runAll(
                        v ->
                                "CREATE TEMPORARY TABLE src ("
                                        + EVENTS_COLUMNS
                                        + " WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ("
                                        + v.with("kafka", kafkaOptions("events", "json"))
                                        + ")",
                        "SELECT window_start, COUNT(*), SUM(id) FROM TABLE(TUMBLE(TABLE src,"
                                + " DESCRIPTOR(ts), INTERVAL '10' SECOND))"
                                + " GROUP BY window_start, window_end");
        assertThat(outcomes.get(Variant.PLAIN).rows)
                .hasSize(5)
                .contains("+I[2024-01-01T00:00:10, 10, 145]");
        assertSameAsPlain(outcomes);
    }

    @Test
    void sourceWatermark() {
        Map<Variant, Outcome> outcomes =
                runAllAllowingErrors(
                        v ->
                                "CREATE TEMPORARY TABLE src ("
                                        + EVENTS_COLUMNS
                                        + " WATERMARK FOR ts AS SOURCE_WATERMARK()) WITH ("
                                        + v.with("kafka", kafkaOptions("events", "json"))
                                        + ")",
                        "SELECT id, ts FROM src");
        // Kafka 5.0 does not implement SupportsSourceWatermark: the plain table fails to plan, and
        // the velo table must fail the same way (SourceAbilitiesTest covers a source that does)
        assertThat(outcomes.get(Variant.PLAIN).error).contains("SOURCE_WATERMARK()");
        assertSameAsPlain(outcomes);
    }

    @Test
    void debeziumCdcKeepsItsChangelog() {
        Map<Variant, Outcome> outcomes =
                runAll(
                        v ->
                                "CREATE TEMPORARY TABLE cdc (id BIGINT, name STRING, qty INT,"
                                        + " origin_ts TIMESTAMP_LTZ(3) METADATA FROM"
                                        + " 'value.source.timestamp' VIRTUAL) WITH ("
                                        + v.with("kafka", kafkaOptions("cdc", "debezium-json"))
                                        + ")",
                        "SELECT id, name, qty, origin_ts FROM cdc");
        Outcome plain = outcomes.get(Variant.PLAIN);
        assertThat(plain.explain).contains("changelogMode=[I,UB,UA,D]");
        assertThat(plain.rows)
                .contains(
                        "-D[2, b, 2, 1970-01-01T00:00:00.005Z]",
                        "+U[1, a, 10, 1970-01-01T00:00:00.004Z]");
        assertSameAsPlain(outcomes);

        Map<Variant, Outcome> totals =
                runAll(
                        v ->
                                "CREATE TEMPORARY TABLE cdc (id BIGINT, name STRING, qty INT)"
                                        + " WITH ("
                                        + v.with("kafka", kafkaOptions("cdc", "debezium-json"))
                                        + ")",
                        "SELECT SUM(qty) FROM cdc");
        assertThat(totals.get(Variant.PLAIN).rows).contains("+U[40]");
        assertSameAsPlain(totals);
    }

    @Test
    void upsertKafkaSource() {
        Map<Variant, Outcome> outcomes =
                runAll(
                        v ->
                                "CREATE TEMPORARY TABLE u (k STRING, v BIGINT,"
                                        + " PRIMARY KEY (k) NOT ENFORCED) WITH ("
                                        + v.with(
                                                "upsert-kafka",
                                                "'topic'='upserts', 'properties.bootstrap.servers'='"
                                                        + kafka.bootstrapServers()
                                                        + "', 'scan.bounded.mode'='latest-offset',"
                                                        + " 'key.format'='json',"
                                                        + " 'value.format'='json'")
                                        + ")",
                        "SELECT k, v FROM u");
        Outcome plain = outcomes.get(Variant.PLAIN);
        assertThat(plain.explain).contains("changelogMode=[UA,D]");
        assertThat(plain.rows).contains("-D[b, 2]", "+U[a, 3]");
        assertSameAsPlain(outcomes);
    }

    @Test
    void partitionedFilesystemSourceWithPruningAndFilePath() {
        String path = tmp.resolve("fs").toUri().toString();
        java.util.function.Function<Variant, String> ddl =
                v ->
                        "CREATE TEMPORARY TABLE fs (id BIGINT, name STRING, dt STRING,"
                                + " fp STRING METADATA FROM 'file.path' VIRTUAL)"
                                + " PARTITIONED BY (dt) WITH ("
                                + v.with("filesystem", "'path'='" + path + "', 'format'='json'")
                                + ")";
        Map<Variant, Outcome> pruned =
                runAll(
                        ddl,
                        "SELECT id, name, dt, SUBSTRING(fp FROM POSITION('dt=' IN fp))"
                                + " FROM fs WHERE dt = '2024-01-02'");
        Outcome plain = pruned.get(Variant.PLAIN);
        assertThat(plain.rows)
                .hasSize(20)
                .contains("+I[5, 2024-01-02-5, 2024-01-02, dt=2024-01-02/part-0.json]");
        assertThat(plain.explain).contains("partitions=[", "metadata=[");
        assertSameAsPlain(pruned);

        Map<Variant, Outcome> pushedDown = runAll(ddl, "SELECT name FROM fs WHERE id > 18");
        assertThat(pushedDown.get(Variant.PLAIN).rows).hasSize(6);
        assertThat(pushedDown.get(Variant.PLAIN).explain).contains("project=[", "filter=[");
        assertSameAsPlain(pushedDown);

        Map<Variant, Outcome> limited =
                runAll(ddl, "SELECT COUNT(*) FROM (SELECT id FROM fs LIMIT 5)");
        assertThat(limited.get(Variant.PLAIN).explain).contains("limit=[5]");
        assertSameAsPlain(limited);
    }

    @Test
    void eventTimeTemporalJoinAgainstAVersionedUpsertKafkaTable() {
        Map<Variant, Outcome> outcomes =
                runAll(
                        v ->
                                "CREATE TEMPORARY TABLE rates (currency STRING, rate BIGINT,"
                                        + " ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',"
                                        + " PRIMARY KEY (currency) NOT ENFORCED,"
                                        + " WATERMARK FOR ts AS ts) WITH ("
                                        + v.with(
                                                "upsert-kafka",
                                                "'topic'='rates', 'properties.bootstrap.servers'='"
                                                        + kafka.bootstrapServers()
                                                        + "', 'scan.bounded.mode'='latest-offset',"
                                                        + " 'key.format'='json',"
                                                        + " 'value.format'='json'")
                                        + ");"
                                        + "CREATE TEMPORARY TABLE orders (id BIGINT, currency STRING,"
                                        + " ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',"
                                        + " WATERMARK FOR ts AS ts) WITH ("
                                        + v.with("kafka", kafkaOptions("orders", "json"))
                                        + ")",
                        "SELECT o.id, o.currency, r.rate FROM orders AS o JOIN rates FOR"
                                + " SYSTEM_TIME AS OF o.ts AS r ON o.currency = r.currency");
        assertThat(outcomes.get(Variant.PLAIN).rows)
                .containsExactly(
                        "+I[1, USD, 1]",
                        "+I[2, EUR, 10]",
                        "+I[3, USD, 2]",
                        "+I[4, EUR, 20]",
                        "+I[5, USD, 2]");
        assertThat(outcomes.get(Variant.PLAIN).explain).contains("TemporalJoin");
        assertSameAsPlain(outcomes);
    }

    // ---------------------------------------------------------------------------------------

    /** A query's result and plan, or how it failed. */
    static final class Outcome {
        final List<String> rows;
        final String explain;
        @Nullable final String error;

        Outcome(List<String> rows, String explain, @Nullable String error) {
            this.rows = rows;
            this.explain = explain;
            this.error = error;
        }

        @Override
        public String toString() {
            return error != null ? "error: " + error : rows + "\n" + explain;
        }
    }

    private static Map<Variant, Outcome> runAll(
            java.util.function.Function<Variant, String> ddl, String query) {
        Map<Variant, Outcome> outcomes = runAllAllowingErrors(ddl, query);
        assertThat(outcomes.get(Variant.PLAIN).error).as("plain: " + query).isNull();
        return outcomes;
    }

    private static Map<Variant, Outcome> runAllAllowingErrors(
            java.util.function.Function<Variant, String> ddl, String query) {
        Map<Variant, Outcome> outcomes = new LinkedHashMap<>();
        for (Variant v : Variant.values()) {
            outcomes.put(v, run(ddl.apply(v), query));
        }
        return outcomes;
    }

    static Outcome run(String ddl, String query) {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "2");
        for (String statement : ddl.split(";")) {
            env.executeSql(statement);
        }
        String explain;
        try {
            explain = env.explainSql(query, ExplainDetail.CHANGELOG_MODE);
        } catch (Exception e) {
            return new Outcome(List.of(), "", rootMessage(e));
        }
        String sinkId = java.util.UUID.randomUUID().toString();
        try {
            org.apache.flink.table.api.Table table = env.sqlQuery(query);
            env.createTemporaryTable(
                    "results",
                    org.apache.flink.table.api.TableDescriptor.forConnector("transparency-sink")
                            .schema(
                                    org.apache.flink.table.api.Schema.newBuilder()
                                            .fromResolvedSchema(table.getResolvedSchema())
                                            .build())
                            .option(TransparencySinkFactory.SINK_ID, sinkId)
                            .build());
            table.insertInto("results").execute().await();
        } catch (Exception e) {
            return new Outcome(List.of(), explain, rootMessage(e));
        }
        List<String> rows = new ArrayList<>(TransparencySinkFactory.results(sinkId));
        rows.sort(null);
        return new Outcome(rows, explain, null);
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    static void assertSameAsPlain(Map<Variant, Outcome> outcomes) {
        Outcome plain = outcomes.get(Variant.PLAIN);

        for (Map.Entry<Variant, Outcome> e : outcomes.entrySet()) {
            Outcome o = e.getValue();
            assertThat(o.error)
                    .as("%s: error (plain: %s)", e.getKey(), plain.error)
                    .isEqualTo(plain.error == null ? null : plain.error);
            assertThat(o.explain)
                    .as("%s: EXPLAIN CHANGELOG_MODE", e.getKey())
                    .isEqualTo(plain.explain);
            assertThat(o.rows).as("%s: rows", e.getKey()).isEqualTo(plain.rows);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ProducerRecord<byte[], byte[]> debezium(
            String op, @Nullable String before, @Nullable String after, long sourceMillis) {
        return new ProducerRecord<>(
                "cdc",
                0,
                T0 + sourceMillis,
                null,
                bytes(
                        "{\"before\": "
                                + before
                                + ", \"after\": "
                                + after
                                + ", \"source\": {\"ts_ms\": "
                                + sourceMillis
                                + "}, \"op\": \""
                                + op
                                + "\", \"ts_ms\": "
                                + sourceMillis
                                + "}"));
    }

    /** Without time retention: the records carry 2024 timestamps. */
    static void createTopic(String name, int partitions) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(name, partitions, (short) 1)
                                            .configs(Map.of("retention.ms", "-1"))))
                    .all()
                    .get();
        }
    }

    static void send(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<?>> acks = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
            }
            for (Future<?> ack : acks) {
                ack.get();
            }
        }
    }
}
