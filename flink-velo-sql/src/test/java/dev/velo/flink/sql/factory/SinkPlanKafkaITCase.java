package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.testing.EmbeddedKafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ExplainDetail;
import org.apache.flink.table.api.PlanReference;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Differential: the same Kafka / upsert-kafka sink written plain, wrapped by velo without options
 * and wrapped by velo with mega_batch and a sink failure strategy gives the same records, the same
 * plan (changelog modes, metadata projections) and the same sink abilities in the compiled plan.
 */
class SinkPlanKafkaITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    /** The three ways to declare the same sink. */
    enum Variant {
        PLAIN,
        VELO,
        VELO_BATCHED;

        String with(String connector) {
            switch (this) {
                case PLAIN:
                    return "'connector'='" + connector + "'";
                case VELO:
                    return "'connector'='velo', 'velo.connector'='" + connector + "'";
                default:
                    return "'connector'='velo', 'velo.connector'='"
                            + connector
                            + "', 'batch.strategy'='mega_batch',"
                            + " 'batch.mega_batch_size'='2000',"
                            + " 'failure_strategy'='LogAndContinue'";
            }
        }
    }

    /** What one variant produced: its plan, its sink abilities and the records of its topic. */
    record Outcome(
            String explain, String abilities, List<ConsumerRecord<byte[], byte[]>> records) {}

    private static TableEnvironment env() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "2");
        return env;
    }

    /**
     * Creates {@code out_t} with {@code columns} for {@code variant} writing to a new topic, plans
     * and runs {@code insert}, and reads the topic back.
     */
    private static Outcome run(
            TableEnvironment env,
            Variant variant,
            String connector,
            String columns,
            String options,
            String insert,
            String topic)
            throws Exception {
        KAFKA.get().createTopic(topic, 2);
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t ("
                        + columns
                        + ") WITH ("
                        + variant.with(connector)
                        + ", 'topic'='"
                        + topic
                        + "', 'properties.bootstrap.servers'='"
                        + KAFKA.get().bootstrapServers()
                        + "', "
                        + options
                        + ")");
        String explain = env.explainSql(insert, ExplainDetail.CHANGELOG_MODE);
        String abilities = sinkAbilities(env.compilePlanSql(insert).asJsonString());
        env.executeSql(insert).await();
        return new Outcome(explain, abilities, readTopic(topic));
    }

    /** The "abilities" of the sink node in a compiled plan (empty if it has none). */
    private static String sinkAbilities(String compiledPlan) throws Exception {
        for (JsonNode node : JSON.readTree(compiledPlan).path("nodes")) {
            JsonNode sink = node.path("dynamicTableSink");
            if (!sink.isMissingNode()) {
                return sink.path("abilities").toString();
            }
        }
        throw new AssertionError("no sink in the compiled plan: " + compiledPlan);
    }

    /** Every record of the topic, up to its end offsets, ordered by partition then offset. */
    private static List<ConsumerRecord<byte[], byte[]>> readTopic(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.get().bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertThat(System.nanoTime())
                        .as("reading %s back in time", topic)
                        .isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        out.sort(
                (a, b) ->
                        a.partition() != b.partition()
                                ? Integer.compare(a.partition(), b.partition())
                                : Long.compare(a.offset(), b.offset()));
        return out;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** Runs every variant and checks they agree on plan and abilities; returns the outcomes. */
    private static Map<Variant, Outcome> runAll(
            String test,
            String connector,
            String source,
            String columns,
            String options,
            String insert)
            throws Exception {
        Map<Variant, Outcome> outcomes = new HashMap<>();
        for (Variant v : Variant.values()) {
            TableEnvironment env = env();
            env.executeSql(source);
            outcomes.put(
                    v,
                    run(
                            env,
                            v,
                            connector,
                            columns,
                            options,
                            insert,
                            test + "_" + v.name().toLowerCase()));
        }
        Outcome plain = outcomes.get(Variant.PLAIN);
        for (Variant v : List.of(Variant.VELO, Variant.VELO_BATCHED)) {
            assertThat(outcomes.get(v).explain()).as("EXPLAIN of %s", v).isEqualTo(plain.explain());
            assertThat(outcomes.get(v).abilities())
                    .as("sink abilities of %s", v)
                    .isEqualTo(plain.abilities());
        }
        return outcomes;
    }

    private static final int META_ROWS = 200;
    private static final String META_SOURCE =
            "CREATE TEMPORARY TABLE src (id BIGINT) WITH ('connector'='datagen',"
                    + " 'number-of-rows'='"
                    + META_ROWS
                    + "', 'fields.id.kind'='sequence', 'fields.id.start'='1',"
                    + " 'fields.id.end'='"
                    + META_ROWS
                    + "')";
    private static final String META_COLUMNS =
            "id BIGINT, name STRING, hs MAP<STRING, BYTES> METADATA FROM 'headers',"
                    + " ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'";
    private static final String META_INSERT =
            "INSERT INTO out_t SELECT id, CONCAT('n', CAST(id AS STRING)),"
                    + " MAP['origin', CAST(CONCAT('h', CAST(id AS STRING)) AS BYTES)],"
                    + " TO_TIMESTAMP_LTZ(1700000000000 + id, 3) FROM src";

    /**
     * A record as value, timestamp and headers, e.g. {@code {"id":7,..} @1700000000007
     * [origin=h7]}.
     */
    private static String shape(ConsumerRecord<byte[], byte[]> r) {
        return text(r.value()) + " @" + r.timestamp() + " " + headers(r);
    }

    private static List<String> expectedMetaRecords() {
        List<String> expected = new ArrayList<>();
        for (int id = 1; id <= META_ROWS; id++) {
            expected.add(
                    "{\"id\":"
                            + id
                            + ",\"name\":\"n"
                            + id
                            + "\"} @"
                            + (1700000000000L + id)
                            + " [origin=h"
                            + id
                            + "]");
        }
        expected.sort(null);
        return expected;
    }

    @Test
    void kafkaSinkWritesHeadersAndTimestampMetadata() throws Exception {
        Map<Variant, Outcome> outcomes =
                runAll("meta", "kafka", META_SOURCE, META_COLUMNS, "'format'='json'", META_INSERT);

        assertThat(outcomes.get(Variant.PLAIN).abilities())
                .contains("WritingMetadata")
                .contains("headers");
        for (Variant v : Variant.values()) {
            assertThat(outcomes.get(v).records().stream().map(SinkPlanKafkaITCase::shape).sorted())
                    .as("records of %s", v)
                    .containsExactlyElementsOf(expectedMetaRecords());
        }
    }

    @Test
    void aCompiledPlanRestoresTheVeloSinkWithItsMetadata() throws Exception {
        // EXECUTE PLAN creates the sink anew and re-applies its abilities from the JSON plan
        String topic = "meta_compiled";
        KAFKA.get().createTopic(topic, 2);
        TableEnvironment env = env();
        env.executeSql(META_SOURCE);
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t ("
                        + META_COLUMNS
                        + ") WITH ("
                        + Variant.VELO_BATCHED.with("kafka")
                        + ", 'topic'='"
                        + topic
                        + "', 'properties.bootstrap.servers'='"
                        + KAFKA.get().bootstrapServers()
                        + "', 'format'='json')");
        String plan = env.compilePlanSql(META_INSERT).asJsonString();
        env.executePlan(PlanReference.fromJsonString(plan)).await();
        assertThat(readTopic(topic).stream().map(SinkPlanKafkaITCase::shape).sorted())
                .containsExactlyElementsOf(expectedMetaRecords());
    }

    private static String headers(ConsumerRecord<byte[], byte[]> r) {
        List<String> hs = new ArrayList<>();
        for (Header h : r.headers()) {
            hs.add(h.key() + "=" + text(h.value()));
        }
        return hs.toString();
    }

    /** The last value per key of an upsert topic; a tombstone as null. */
    private static Map<String, String> lastValuePerKey(
            List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, String> last = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            last.put(text(r.key()), text(r.value()));
        }
        return last;
    }

    @Test
    void upsertKafkaBehindGroupByKeepsTheLastValuePerKey() throws Exception {
        int rows = 20_000;
        int keys = 50;
        Map<Variant, Outcome> outcomes =
                runAll(
                        "upsert",
                        "upsert-kafka",
                        "CREATE TEMPORARY TABLE src (id BIGINT) WITH ('connector'='datagen',"
                                + " 'number-of-rows'='"
                                + rows
                                + "', 'fields.id.kind'='sequence', 'fields.id.start'='1',"
                                + " 'fields.id.end'='"
                                + rows
                                + "')",
                        "k BIGINT, c BIGINT, PRIMARY KEY (k) NOT ENFORCED",
                        "'key.format'='json', 'value.format'='json'",
                        "INSERT INTO out_t SELECT id % "
                                + keys
                                + ", COUNT(*) FROM src GROUP BY id % "
                                + keys);

        Map<String, String> expected = new TreeMap<>();
        for (int k = 0; k < keys; k++) {
            expected.put("{\"k\":" + k + "}", "{\"k\":" + k + ",\"c\":" + rows / keys + "}");
        }
        assertThat(lastValuePerKey(outcomes.get(Variant.PLAIN).records())).isEqualTo(expected);
        for (Variant v : List.of(Variant.VELO, Variant.VELO_BATCHED)) {
            assertThat(lastValuePerKey(outcomes.get(v).records()))
                    .as("last value per key of %s", v)
                    .isEqualTo(expected);
        }
    }

    @Test
    void debeziumChangelogIntoAnUpsertSink() throws Exception {
        String cdc = "cdc_in";
        KAFKA.get().createTopic(cdc, 1);
        List<String> changes = new ArrayList<>();
        Map<String, String> expected = new TreeMap<>();
        for (int id = 1; id <= 300; id++) {
            changes.add(debezium("c", null, id, "v0"));
        }
        for (int round = 1; round <= 3; round++) {
            for (int id = 1; id <= 300; id++) {
                changes.add(debezium("u", "v" + (round - 1), id, "v" + round));
            }
        }
        for (int id = 1; id <= 300; id++) {
            if (id % 3 == 0) {
                changes.add(debezium("d", "v3", id, null));
                expected.put("{\"id\":" + id + "}", null);
            } else {
                expected.put("{\"id\":" + id + "}", "{\"id\":" + id + ",\"name\":\"v3\"}");
            }
        }
        KAFKA.get().produceStrings(cdc, changes);

        Map<Variant, Outcome> outcomes =
                runAll(
                        "cdc",
                        "upsert-kafka",
                        "CREATE TEMPORARY TABLE src (id BIGINT, name STRING,"
                                + " PRIMARY KEY (id) NOT ENFORCED) WITH ('connector'='kafka',"
                                + " 'topic'='"
                                + cdc
                                + "', 'properties.bootstrap.servers'='"
                                + KAFKA.get().bootstrapServers()
                                + "', 'properties.group.id'='g', 'format'='debezium-json',"
                                + " 'scan.startup.mode'='earliest-offset',"
                                + " 'scan.bounded.mode'='latest-offset')",
                        "id BIGINT, name STRING, PRIMARY KEY (id) NOT ENFORCED",
                        "'key.format'='json', 'value.format'='json'",
                        "INSERT INTO out_t SELECT id, name FROM src");
        assertThat(outcomes.get(Variant.PLAIN).explain()).contains("changelogMode=[I,UB,UA,D]");
        assertThat(lastValuePerKey(outcomes.get(Variant.PLAIN).records())).isEqualTo(expected);
        for (Variant v : List.of(Variant.VELO, Variant.VELO_BATCHED)) {
            assertThat(lastValuePerKey(outcomes.get(v).records()))
                    .as("last value per key of %s", v)
                    .isEqualTo(expected);
        }
    }

    private static String debezium(String op, String before, int id, String after) {
        return "{\"before\":"
                + (before == null ? "null" : row(id, before))
                + ",\"after\":"
                + (after == null ? "null" : row(id, after))
                + ",\"op\":\""
                + op
                + "\"}";
    }

    private static String row(int id, String name) {
        return "{\"id\":" + id + ",\"name\":\"" + name + "\"}";
    }
}
