package dev.velo.flink.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.sql.cli.EmbeddedKafka;
import dev.velo.flink.sql.dlq.DeadLetterSchema;
import dev.velo.flink.sql.testing.VeloMetricsProbe;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka → velo source (json, 1 % malformed records) → velo/kafka sink → Kafka, once per source
 * failure strategy, against a real broker in the test JVM. Checks that nothing is lost: records in
 * = records out + dead-lettered + dropped, from the output topic, the DLQ topic and the velo
 * counters; that the DLQ holds exactly the malformed records with their raw bytes, error and Kafka
 * position (read back with SQL); and that FailBatch fails the job naming table and position.
 *
 * <p>20,000 records by default; {@code -Dvelo.e2e.records=1000000} runs the full one million, e.g.
 * {@code mvn -o -B verify -pl e2e-tests -Dtest='KafkaMalformedITCase'
 * -Dsurefire.failIfNoSpecifiedTests=false -Dvelo.e2e.records=1000000}.
 */
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class KafkaMalformedITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    private static final VeloMetricsProbe COUNTERS = new VeloMetricsProbe(REPORTER);
    private static final int N = Figures.records(20_000);
    private static final int PARTITIONS = 3;
    private static final String IN = "malformed-in";
    private static final Pattern ID = Pattern.compile("\"id\":\\s*(\\d+)");

    private static EmbeddedKafka kafka;

    /** (partition, offset) → raw value of every malformed input record. */
    private static final Map<String, String> MALFORMED = new HashMap<>();

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(Duration.ofSeconds(90));
        kafka.createTopic(IN, PARTITIONS);
        int chunk = 50_000;
        for (int from = 1; from <= N; from += chunk) {
            List<String> lines = new ArrayList<>();
            for (int i = from; i < from + chunk && i <= N; i++) {
                lines.add(
                        malformed(i)
                                ? "{\"id\": " + i + ", \"name\": broken"
                                : "{\"id\": " + i + ", \"name\": \"n" + i + "\"}");
            }
            kafka.produceStrings(IN, lines);
        }
        for (TopicReader.Rec r : TopicReader.readAll(kafka.bootstrapServers(), IN, false)) {
            if (!r.text().endsWith("}")) {
                MALFORMED.put(r.partition() + "@" + r.offset(), r.text());
            }
        }
        assertThat(MALFORMED).hasSize(N / 100);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static boolean malformed(int i) {
        return i % 100 == 0;
    }

    private static TableEnvironment env() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "2");
        return env;
    }

    /** Runs the pipeline with the given source failure options; returns the finished job's id. */
    private static JobID run(TableEnvironment env, String sourceOptions, String outTopic)
            throws Exception {
        kafka.createTopic(outTopic, PARTITIONS);
        String bootstrap = kafka.bootstrapServers();
        env.executeSql(
                "CREATE TEMPORARY TABLE src (id BIGINT, name STRING) WITH ('connector'='velo',"
                        + " 'velo.connector'='kafka', 'topic'='"
                        + IN
                        + "', 'properties.bootstrap.servers'='"
                        + bootstrap
                        + "', 'properties.group.id'='"
                        + outTopic
                        + "', 'scan.startup.mode'='earliest-offset',"
                        + " 'scan.bounded.mode'='latest-offset', 'format'='json', "
                        + sourceOptions
                        + ")");
        env.executeSql(
                "CREATE TEMPORARY TABLE out_t (id BIGINT, name STRING) WITH ('connector'='velo',"
                        + " 'velo.connector'='kafka', 'topic'='"
                        + outTopic
                        + "', 'properties.bootstrap.servers'='"
                        + bootstrap
                        + "', 'format'='json', 'sink.delivery-guarantee'='at-least-once',"
                        + " 'batch.strategy'='fixed_size', 'batch.size'='500',"
                        + " 'batch.timeout'='200ms')");
        TableResult result = env.executeSql("INSERT INTO out_t SELECT id, name FROM src");
        JobID job = result.getJobClient().orElseThrow().getJobID();
        result.await(5, java.util.concurrent.TimeUnit.MINUTES);
        return job;
    }

    private String dlqOptions(String dlqTopic) {
        kafka.createTopic(dlqTopic, 1);
        return "'dlq.connector'='kafka', 'dlq.topic'='"
                + dlqTopic
                + "', 'dlq.properties.bootstrap.servers'='"
                + kafka.bootstrapServers()
                + "'";
    }

    /** Output ids, asserting every one is a well-formed input record and none is repeated. */
    private static Set<Long> outputIds(String topic) {
        List<String> out = TopicReader.readStrings(kafka.bootstrapServers(), topic, true);
        Set<Long> ids = new HashSet<>();
        for (String json : out) {
            Matcher m = ID.matcher(json);
            assertThat(m.find()).as("id in %s", json).isTrue();
            long id = Long.parseLong(m.group(1));
            assertThat(ids.add(id)).as("duplicate id %s", id).isTrue();
            assertThat(malformed((int) id)).as("malformed id %s in output", id).isFalse();
        }
        return ids;
    }

    private record Counts(long in, long out, long dead, long dropped, long retries) {}

    private static Counts sourceCounts(JobID job) {
        return new Counts(
                COUNTERS.sum(job, "source", "numRecordsIn"),
                COUNTERS.sum(job, "source", "numRecordsOut"),
                COUNTERS.sum(job, "source", "numRecordsDeadLettered"),
                COUNTERS.sum(job, "source", "numRecordsDropped"),
                COUNTERS.sum(job, "source", "numRetries"));
    }

    private static void checkAndPrint(
            String strategy, JobID job, String outTopic, long dlqCount, long start) {
        Counts c = sourceCounts(job);
        Set<Long> out = outputIds(outTopic);
        long ms = (System.nanoTime() - start) / 1_000_000;
        Figures.print(
                "kafka-malformed",
                String.format(
                        "strategy=%s in=%d out=%d dlq=%d dropped=%d retries=%d records=%d"
                                + " malformed=%d ms=%d",
                        strategy,
                        c.in,
                        out.size(),
                        dlqCount,
                        c.dropped,
                        c.retries,
                        N,
                        MALFORMED.size(),
                        ms));
        assertThat(c.in).isEqualTo(N);
        assertThat(c.out).isEqualTo(out.size());
        assertThat(c.dead).isEqualTo(dlqCount);
        assertThat(c.in).isEqualTo(out.size() + dlqCount + c.dropped);
        assertThat(out).hasSize(N - MALFORMED.size());
        // the sink side saw exactly what the decoder let through
        assertThat(COUNTERS.sum(job, "sink", "numRecordsIn")).isEqualTo(out.size());
        assertThat(COUNTERS.sum(job, "sink", "numRecordsOut")).isEqualTo(out.size());
    }

    @Test
    void logAndContinue() throws Exception {
        long start = System.nanoTime();
        String outTopic = "out-lac";
        JobID job = run(env(), "'source.failure_strategy'='LogAndContinue'", outTopic);
        checkAndPrint("LogAndContinue", job, outTopic, 0, start);
        assertThat(sourceCounts(job).dropped).isEqualTo(MALFORMED.size());
    }

    @Test
    void sendToDlq() throws Exception {
        long start = System.nanoTime();
        String outTopic = "out-dlq";
        String dlqTopic = "dlq-dlq";
        TableEnvironment env = env();
        JobID job =
                run(
                        env,
                        "'source.failure_strategy'='SendToDLQ', " + dlqOptions(dlqTopic),
                        outTopic);
        List<Row> letters = readDlq(env, dlqTopic);
        checkAndPrint("SendToDLQ", job, outTopic, letters.size(), start);
        assertDeadLettersAreTheMalformedRecords(letters, "SendToDLQ");
    }

    @Test
    void retryWithBackoffExhaustedToDlq() throws Exception {
        long start = System.nanoTime();
        String outTopic = "out-retry";
        String dlqTopic = "dlq-retry";
        TableEnvironment env = env();
        JobID job =
                run(
                        env,
                        "'source.failure_strategy'='RetryWithBackoff', 'source.max_retries'='3',"
                                + " 'source.retry_backoff'='50ms',"
                                + " 'source.retry_exhausted'='SendToDLQ', "
                                + dlqOptions(dlqTopic),
                        outTopic);
        List<Row> letters = readDlq(env, dlqTopic);
        checkAndPrint("RetryWithBackoff->SendToDLQ", job, outTopic, letters.size(), start);
        // undecodable bytes stay undecodable: never retried
        assertThat(sourceCounts(job).retries).isZero();
        assertDeadLettersAreTheMalformedRecords(letters, "RetryWithBackoff");
    }

    @Test
    void failBatchFailsNamingTableAndRecord() {
        long start = System.nanoTime();
        String outTopic = "out-fail-" + UUID.randomUUID();
        assertThatThrownBy(() -> run(env(), "'source.failure_strategy'='FailBatch'", outTopic))
                .satisfies(
                        e -> {
                            String chain = Figures.causeChain(e);
                            // the format cannot see the Kafka position: the error names the
                            // table, the record's number in its subtask and (the format's own
                            // message) the record
                            Matcher m =
                                    Pattern.compile(
                                                    "Table 'src': could not decode the record"
                                                            + " number (\\d+) of subtask (\\d+)")
                                            .matcher(chain);
                            boolean named = m.find();
                            String position =
                                    MALFORMED.entrySet().stream()
                                            .filter(x -> chain.contains(x.getValue()))
                                            .map(Map.Entry::getKey)
                                            .findFirst()
                                            .orElse("?");
                            Figures.print(
                                    "kafka-malformed",
                                    String.format(
                                            "strategy=FailBatch job=failed names_table=%s"
                                                    + " position=%s is_malformed=%s ms=%d",
                                            chain.contains("Table 'src'"),
                                            position,
                                            MALFORMED.containsKey(position),
                                            (System.nanoTime() - start) / 1_000_000));
                            assertThat(named).as(chain).isTrue();
                            assertThat(MALFORMED).containsKey(position);
                        });
    }

    private static List<Row> readDlq(TableEnvironment env, String dlqTopic) throws Exception {
        env.executeSql(
                "CREATE TEMPORARY TABLE dlq ("
                        + DeadLetterSchema.CREATE_TABLE_COLUMNS
                        + ") WITH ('connector'='kafka', 'topic'='"
                        + dlqTopic
                        + "', 'properties.bootstrap.servers'='"
                        + kafka.bootstrapServers()
                        + "', 'scan.startup.mode'='earliest-offset',"
                        + " 'scan.bounded.mode'='latest-offset', 'format'='json')");
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it =
                env.executeSql(
                                "SELECT payload, error_class, error_message, kafka_topic,"
                                        + " kafka_partition, kafka_offset, side, strategy,"
                                        + " table_name, attempts FROM dlq")
                        .collect()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    private static void assertDeadLettersAreTheMalformedRecords(
            List<Row> letters, String strategy) {
        List<String> seen = new ArrayList<>();
        for (Row r : letters) {
            String payload = new String((byte[]) r.getField(0), StandardCharsets.UTF_8);
            assertThat((String) r.getField(1)).isNotBlank();
            assertThat((String) r.getField(2)).isNotBlank();
            // decoding is guarded at the format, which cannot see the Kafka position
            assertThat(r.getField(3)).isNull();
            assertThat(r.getField(4)).isNull();
            assertThat(r.getField(5)).isNull();
            seen.add(payload);
            assertThat(r.getField(6)).isEqualTo("source");
            assertThat(r.getField(7)).isEqualTo(strategy);
            assertThat(r.getField(8)).isEqualTo("src");
            assertThat((Integer) r.getField(9)).isEqualTo(1);
        }
        // exactly the malformed records (each payload is unique), each once, with its raw bytes
        assertThat(seen).containsExactlyInAnyOrderElementsOf(MALFORMED.values());
    }
}
