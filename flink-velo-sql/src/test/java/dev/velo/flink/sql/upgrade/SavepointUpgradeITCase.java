package dev.velo.flink.sql.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.testing.EmbeddedKafkaExtension;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.PlanReference;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running Kafka-to-Kafka job with a velo table is stopped with a savepoint, one thing is changed,
 * and the changed job restores from the savepoint: every input row arrives in the output topic (at
 * least once, as documented), and the duplicates are counted. docs/upgrading.md states the results.
 */
class SavepointUpgradeITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER, 4);

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int ROWS = 100;
    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");

    @TempDir static Path dir;

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final String FIXED = "'batch.strategy'='fixed_size', 'batch.size'='7'";
    private static final String MEGA_SERIAL =
            "'batch.strategy'='mega_batch', 'batch.size'='50', 'batch.parallel'='false'";
    private static final String MEGA_PARALLEL =
            "'batch.strategy'='mega_batch', 'batch.size'='50', 'batch.parallel'='true'";
    private static final String SEND_TO_DLQ = "'source.failure_strategy'='SendToDLQ', ";

    /** The plan ({@code COMPILE PLAN}) of the job before the upgrade, when it ran from one. */
    private String compiledPlan;

    @Test
    void switchingTheBatchStrategyKeepingTheTopologyRestoresWithoutLossOrDuplicates()
            throws Exception {
        upgrade(Job.plain().sink(FIXED), Job.plain().sink(MEGA_SERIAL))
                .assertExactlyOnceDelivered();
    }

    /**
     * Without uids, Flink derives each operator's id from the topology: the rebalance that {@code
     * batch.parallel} (mega_batch's default) puts in front of the writer splits the source's chain,
     * so the source's offsets no longer map and the restore is refused. With allowNonRestoredState
     * the source starts over from its startup mode (earliest offset here): nothing is lost, every
     * row before the savepoint arrives twice.
     */
    @Test
    void turningBatchParallelOnWithoutACompiledPlanLeavesTheSourceOffsetsUnmapped()
            throws Exception {
        Job before = Job.plain().sink(FIXED);
        Job after = Job.plain().sink(MEGA_PARALLEL);
        assertThat(upgrade(before, after).restoreError)
                .as("restore without allowNonRestoredState")
                .contains("Cannot map checkpoint/savepoint state for operator");

        Outcome replayed = upgrade(before, after.allowNonRestoredState());
        replayed.assertNothingLost();
        assertThat(replayed.duplicates()).isEqualTo(ROWS);
    }

    /** A compiled plan gives every operator a uid from its node id: the change restores. */
    @Test
    void turningBatchParallelOnAndOffWithACompiledPlanRestores() throws Exception {
        upgrade(
                        Job.plain().compiled().sink(MEGA_SERIAL),
                        Job.plain().compiled().sink(MEGA_PARALLEL))
                .assertExactlyOnceDelivered();
        upgrade(Job.plain().compiled().sink(MEGA_PARALLEL), Job.plain().compiled().sink(FIXED))
                .assertExactlyOnceDelivered();
    }

    /**
     * SendToDLQ on a Kafka source adds the stage that flushes the source's dead letters before each
     * barrier: without uids that shifts the ids of the operators after it (the Kafka writer and
     * committer), and the restore is refused.
     */
    @Test
    void switchingASourceToSendToDlqWithoutACompiledPlanIsRefused() throws Exception {
        String dlq = dlqTopic();
        assertThat(
                        upgrade(
                                        Job.plain().source("'source.failure_strategy'='FailBatch'"),
                                        Job.plain().source(SEND_TO_DLQ + dlqOptions(dlq)))
                                .restoreError)
                .contains("Cannot map checkpoint/savepoint state for operator");
    }

    @Test
    void switchingASourceFromFailBatchToSendToDlqAndBackWithACompiledPlanRestores()
            throws Exception {
        String dlq = dlqTopic();
        upgrade(
                        Job.plain().compiled().source("'source.failure_strategy'='FailBatch'"),
                        Job.plain()
                                .compiled()
                                .source(SEND_TO_DLQ + dlqOptions(dlq))
                                .malformedAfterRestore())
                .assertExactlyOnceDelivered();
        assertThat(KAFKA.get().consumeStrings(dlq, 3, WAIT)).hasSize(3);

        String dlq2 = dlqTopic();
        upgrade(
                        Job.plain()
                                .compiled()
                                .source(SEND_TO_DLQ + dlqOptions(dlq2))
                                .malformedBeforeSavepoint(),
                        Job.plain().compiled().source("'source.failure_strategy'='FailBatch'"))
                .assertExactlyOnceDelivered();
        assertThat(KAFKA.get().consumeStrings(dlq2, 2, WAIT)).hasSize(2);
    }

    /** A new flink-velo with the same state layout: the same job restores from its savepoint. */
    @Test
    void theSameJobRestoresFromItsOwnSavepoint() throws Exception {
        Job job = Job.plain().sink(FIXED).source("'source.failure_strategy'='LogAndContinue'");
        upgrade(job, job).assertExactlyOnceDelivered();
    }

    /**
     * Wrapping a plain table in velo keeps the topology when velo adds no operator (a Sink V2
     * connector without a rebalance, a source without SendToDLQ): the restore maps every state.
     */
    @Test
    void addingVeloToAndRemovingItFromPlainKafkaTablesRestores() throws Exception {
        Job plain = Job.plain().plainSink().plainSource();
        Job velo = Job.plain().sink(FIXED).source("'source.failure_strategy'='LogAndContinue'");
        upgrade(plain, velo).assertExactlyOnceDelivered();
        upgrade(velo, plain).assertExactlyOnceDelivered();
    }

    /** With a compiled plan, velo's own operators (here the dead-letter flush) come and go. */
    @Test
    void addingVeloWithOperatorsOfItsOwnToACompiledPlanRestores() throws Exception {
        String dlq = dlqTopic();
        upgrade(
                        Job.plain().compiled().plainSink().plainSource(),
                        Job.plain()
                                .compiled()
                                .sink(MEGA_PARALLEL)
                                .source(SEND_TO_DLQ + dlqOptions(dlq))
                                .malformedAfterRestore())
                .assertExactlyOnceDelivered();
        assertThat(KAFKA.get().consumeStrings(dlq, 3, WAIT)).hasSize(3);
    }

    private static String dlqTopic() {
        String dlq = "dlq-" + UUID.randomUUID();
        KAFKA.get().createTopic(dlq, 1);
        return dlq;
    }

    private static String dlqOptions(String topic) {
        return "'dlq.connector'='kafka', 'dlq.topic'='"
                + topic
                + "', 'dlq.properties.bootstrap.servers'='"
                + KAFKA.get().bootstrapServers()
                + "'";
    }

    // ---------------------------------------------------------------------------------------

    /**
     * Runs {@code before} on ROWS rows until they are all in the output, stops it with a savepoint,
     * adds ROWS more rows, starts {@code after} from the savepoint and waits until all 2 * ROWS
     * rows are in the output (or the restore fails).
     */
    private Outcome upgrade(Job before, Job after) throws Exception {
        String in = "in-" + UUID.randomUUID();
        String out = "out-" + UUID.randomUUID();
        KAFKA.get().createTopic(in, 2);
        KAFKA.get().createTopic(out, 2);
        KAFKA.get().produceStrings(in, rows(1, before.malformedBefore));

        compiledPlan = null;
        JobClient first = start(before, in, out, null);
        awaitIds(out, ROWS);
        String savepoint =
                first.stopWithSavepoint(
                                false,
                                dir.resolve("sp-" + UUID.randomUUID()).toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get();
        KAFKA.get().produceStrings(in, rows(ROWS + 1, after.malformedAfter));

        JobClient second;
        try {
            second = start(after, in, out, savepoint);
            second.getJobExecutionResult().whenComplete((r, e) -> {});
            awaitIdsOrFailure(out, 2 * ROWS, second);
        } catch (Exception e) {
            return new Outcome(readAll(out), causes(e));
        }
        second.cancel().get();
        return new Outcome(readAll(out), null);
    }

    /**
     * ROWS rows from id {@code from}; with malformed rows after every id divisible by 40 (two
     * before the savepoint, three after).
     */
    private static List<String> rows(int from, boolean withMalformed) {
        List<String> rows = new ArrayList<>();
        for (int i = from; i < from + ROWS; i++) {
            rows.add("{\"id\":" + i + ",\"name\":\"n" + i + "\"}");
            if (withMalformed && i % 40 == 0) {
                rows.add("{\"id\": broken " + i);
            }
        }
        return rows;
    }

    private JobClient start(Job job, String in, String out, String savepoint) throws Exception {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "2");
        env.getConfig().set("execution.checkpointing.interval", "1 s");
        if (savepoint != null) {
            env.getConfig().set("execution.state-recovery.path", savepoint);
            env.getConfig()
                    .set(
                            "execution.state-recovery.ignore-unclaimed-state",
                            String.valueOf(job.allowNonRestoredState));
        }
        String kafkaIn =
                "'topic'='"
                        + in
                        + "', 'properties.bootstrap.servers'='"
                        + KAFKA.get().bootstrapServers()
                        + "', 'scan.startup.mode'='earliest-offset', 'format'='json'";
        String kafkaOut =
                "'topic'='"
                        + out
                        + "', 'properties.bootstrap.servers'='"
                        + KAFKA.get().bootstrapServers()
                        + "', 'sink.delivery-guarantee'='at-least-once', 'format'='json'";
        env.executeSql(
                "CREATE TEMPORARY TABLE src (id BIGINT, name STRING) WITH ("
                        + with(job.sourceOptions, kafkaIn)
                        + ")");
        env.executeSql(
                "CREATE TEMPORARY TABLE dst (id BIGINT, name STRING) WITH ("
                        + with(job.sinkOptions, kafkaOut)
                        + ")");
        String insert = "INSERT INTO dst SELECT id, name FROM src";
        if (!job.compiled) {
            return env.executeSql(insert).getJobClient().orElseThrow();
        }
        // EXECUTE PLAN of the plan compiled for the first job; the tables (and so the changed
        // options) are looked up in the catalog, not taken from the plan
        env.getConfig().set("table.plan.restore.catalog-objects", "IDENTIFIER");
        if (compiledPlan == null) {
            compiledPlan = env.compilePlanSql(insert).asJsonString();
        }
        TableResult result = env.loadPlan(PlanReference.fromJsonString(compiledPlan)).execute();
        return result.getJobClient().orElseThrow();
    }

    /** A plain kafka table ({@code velo == null}) or a velo table around KAFKA.get(). */
    private static String with(String velo, String kafkaOptions) {
        if (velo == null) {
            return "'connector'='kafka', " + kafkaOptions;
        }
        return "'connector'='velo', 'velo.connector'='kafka', "
                + kafkaOptions
                + (velo.isEmpty() ? "" : ", " + velo);
    }

    private static void awaitIds(String topic, int count) {
        assertThat(ids(KAFKA.get().consumeStrings(topic, count, WAIT)).keySet())
                .as("distinct ids in " + topic)
                .hasSizeGreaterThanOrEqualTo(count);
    }

    /** Waits for {@code count} records in {@code topic}; throws if the job fails first. */
    private static void awaitIdsOrFailure(String topic, int count, JobClient job) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (job.getJobExecutionResult().isDone()) {
                job.getJobExecutionResult().get(); // throws the failure
            }
            if (ids(KAFKA.get().consumeStrings(topic, count, Duration.ofSeconds(2))).size()
                    >= count) {
                return;
            }
        }
        throw new AssertionError("fewer than " + count + " ids in " + topic + " after " + WAIT);
    }

    /** Every record in {@code topic}, read up to the end offsets. */
    private static List<String> readAll(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.get().bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic)
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline
                    && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    /** Occurrences per id. */
    private static Map<Long, Integer> ids(List<String> records) {
        Map<Long, Integer> ids = new TreeMap<>();
        for (String r : records) {
            Matcher m = ID.matcher(r);
            if (m.find()) {
                ids.merge(Long.parseLong(m.group(1)), 1, Integer::sum);
            }
        }
        return ids;
    }

    private static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getClass().getSimpleName())
                    .append(": ")
                    .append(t.getMessage())
                    .append('\n');
        }
        return sb.toString();
    }

    /** One side of an upgrade: the options of the two tables and of the planner. */
    private static final class Job {
        String sourceOptions = "";
        String sinkOptions = "";
        boolean compiled;
        boolean allowNonRestoredState;
        boolean malformedBefore;
        boolean malformedAfter;

        static Job plain() {
            return new Job();
        }

        Job copy() {
            Job j = new Job();
            j.sourceOptions = sourceOptions;
            j.sinkOptions = sinkOptions;
            j.compiled = compiled;
            j.allowNonRestoredState = allowNonRestoredState;
            j.malformedBefore = malformedBefore;
            j.malformedAfter = malformedAfter;
            return j;
        }

        Job source(String velo) {
            Job j = copy();
            j.sourceOptions = velo;
            return j;
        }

        Job sink(String velo) {
            Job j = copy();
            j.sinkOptions = velo;
            return j;
        }

        Job plainSource() {
            Job j = copy();
            j.sourceOptions = null;
            return j;
        }

        Job plainSink() {
            Job j = copy();
            j.sinkOptions = null;
            return j;
        }

        Job compiled() {
            Job j = copy();
            j.compiled = true;
            return j;
        }

        Job allowNonRestoredState() {
            Job j = copy();
            j.allowNonRestoredState = true;
            return j;
        }

        Job malformedBeforeSavepoint() {
            Job j = copy();
            j.malformedBefore = true;
            return j;
        }

        Job malformedAfterRestore() {
            Job j = copy();
            j.malformedAfter = true;
            return j;
        }
    }

    /** What arrived in the output topic, and the restore failure if the restore failed. */
    private static final class Outcome {
        final Map<Long, Integer> ids;
        final String restoreError;

        Outcome(List<String> records, String restoreError) {
            this.ids = ids(records);
            this.restoreError = restoreError;
        }

        long duplicates() {
            return ids.values().stream().mapToLong(n -> n - 1).sum();
        }

        void assertNothingLost() {
            assertThat(restoreError).as("restore failure").isNull();
            Map<Long, Integer> missing = new HashMap<>();
            for (long id = 1; id <= 2 * ROWS; id++) {
                if (!ids.containsKey(id)) {
                    missing.put(id, 0);
                }
            }
            assertThat(missing).as("ids missing from the output").isEmpty();
            assertThat(ids.keySet()).hasSize(2 * ROWS);
        }

        /** Nothing lost, nothing twice: stop-with-savepoint leaves nothing in flight. */
        void assertExactlyOnceDelivered() {
            assertNothingLost();
            assertThat(duplicates()).as("duplicated rows").isZero();
        }
    }
}
