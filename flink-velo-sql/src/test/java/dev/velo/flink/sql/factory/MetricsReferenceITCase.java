package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.api.VeloBatching;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.sink.VeloSink;
import dev.velo.flink.batching.sink.VeloSinkSettings;
import dev.velo.flink.sql.testing.EmbeddedKafkaExtension;
import dev.velo.flink.sql.testing.FailingSinkFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/metrics.md checked against running jobs: a MiniCluster with a metric reporter of this test
 * (configured as any reporter, by {@code metrics.reporter.<name>.factory.class}) runs the velo
 * stages the page describes, under the table and stage names of its examples, and every metric
 * identifier and every velo metric name the page lists must have been registered. Every velo
 * group's counters satisfy records in = out + dead-lettered + dropped.
 */
class MetricsReferenceITCase {

    /** Every metric the cluster registered, by its identifier. */
    static final Map<String, Metric> METRICS = new ConcurrentHashMap<>();

    /** The reporter: remembers every metric, also after its job finished. */
    public static final class RecordingReporter implements MetricReporter {
        @Override
        public void open(MetricConfig config) {}

        @Override
        public void close() {}

        @Override
        public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
            METRICS.put(group.getMetricIdentifier(name), metric);
        }

        @Override
        public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {}
    }

    /** Its factory, as a cluster configuration names it. */
    public static final class RecordingReporterFactory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new RecordingReporter();
        }
    }

    private static Configuration reporterConfig() {
        Configuration config = new Configuration();
        config.setString(
                "metrics.reporter.velo_doc_check.factory.class",
                RecordingReporterFactory.class.getName());
        return config;
    }

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(reporterConfig())
                            .build());

    private static final Path DOC = Path.of("..", "docs", "metrics.md");

    @TempDir static Path dir;

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void everyDocumentedMetricIsRegisteredAndNothingIsLost() throws Exception {
        runSqlJobs();
        runDataStreamJob();

        List<String> missing = new ArrayList<>();
        for (Pattern p : documentedIdentifiers()) {
            if (METRICS.keySet().stream().noneMatch(id -> p.matcher(id).matches())) {
                missing.add(p.pattern());
            }
        }
        assertThat(missing)
                .as(
                        "identifiers docs/metrics.md documents that no running job registered;"
                                + " registered velo metrics: "
                                + veloIdentifiers())
                .isEmpty();

        Map<String, Set<String>> groups = veloGroups();
        assertThat(groups).hasSizeGreaterThanOrEqualTo(10);
        Set<String> names = documentedVeloMetricNames();
        assertThat(names).contains("numRecordsIn", "numBatches", "numFlushesByCheckpoint");
        groups.forEach(
                (group, registered) ->
                        assertThat(registered).as("velo metrics of " + group).containsAll(names));

        // velo's numRecordsIn is its own metric, one group below Flink's of the same name
        int pairs = 0;
        for (String group : groups.keySet()) {
            String flinks = group.substring(0, group.length() - "velo.".length()) + "numRecordsIn";
            if (METRICS.containsKey(flinks)) {
                assertThat(METRICS.get(flinks)).isNotSameAs(METRICS.get(group + "numRecordsIn"));
                pairs++;
            }
        }
        assertThat(pairs).as("operators with both numRecordsIn").isPositive();

        long deadLettered = 0;
        long dropped = 0;
        for (String group : groups.keySet()) {
            long in = count(group + "numRecordsIn");
            long out = count(group + "numRecordsOut");
            long dl = count(group + "numRecordsDeadLettered");
            long dr = count(group + "numRecordsDropped");
            assertThat(in).as("records in at " + group).isEqualTo(out + dl + dr);
            deadLettered += dl;
            dropped += dr;
        }
        // the equation is checked on groups that saw dead letters and drops
        assertThat(deadLettered).isPositive();
        assertThat(dropped).isPositive();
    }

    // ---------------------------------------------------------------------------------------

    /** The tables of the page's examples, each used the way the page describes. */
    private static void runSqlJobs() throws Exception {
        String orders = "orders-" + UUID.randomUUID();
        String dlq = "dlq-" + UUID.randomUUID();
        KAFKA.get().createTopic(orders, 1);
        KAFKA.get().createTopic(dlq, 1);
        KAFKA.get()
                .produceStrings(
                        orders,
                        List.of("{\"id\": 1}", "{\"id\": 2}", "{\"id\": broken", "{\"id\": 3}"));
        Path files = dir.resolve("files");
        Files.createDirectories(files);
        Files.write(
                files.resolve("part-0.json"),
                List.of("{\"id\": 10}", "not json", "{\"id\": 11}"),
                StandardCharsets.UTF_8);
        Path batches = dir.resolve("batches");
        Files.createDirectories(batches);
        Files.write(
                batches.resolve("part-0.json"),
                List.of("{\"id\": 20}", "{\"id\": 21}"),
                StandardCharsets.UTF_8);
        String kafkaDlq =
                "'dlq.connector'='kafka', 'dlq.topic'='"
                        + dlq
                        + "', 'dlq.properties.bootstrap.servers'='"
                        + KAFKA.get().bootstrapServers()
                        + "'";

        TableEnvironment env = env();
        env.executeSql(
                "CREATE TABLE orders_checked (id BIGINT) WITH ('connector'='velo',"
                        + " 'velo.connector'='kafka', 'topic'='"
                        + orders
                        + "', 'properties.bootstrap.servers'='"
                        + KAFKA.get().bootstrapServers()
                        + "', 'scan.startup.mode'='earliest-offset',"
                        + " 'scan.bounded.mode'='latest-offset', 'format'='json',"
                        + " 'source.failure_strategy'='SendToDLQ', "
                        + kafkaDlq
                        + ")");
        String sinkId = UUID.randomUUID().toString();
        env.executeSql(
                "CREATE TABLE orders_out (id BIGINT) WITH ('connector'='velo',"
                        + " 'velo.connector'='failing-sink', 'sink-id'='"
                        + sinkId
                        + "', 'fail-ids'='2', 'batch.strategy'='fixed_size', 'batch.size'='2',"
                        + " 'failure_strategy'='SendToDLQ', "
                        + kafkaDlq
                        + ")");
        env.executeSql(
                "CREATE TABLE orders_files (id BIGINT) WITH ('connector'='velo',"
                        + " 'velo.connector'='filesystem', 'path'='"
                        + files.toUri()
                        + "', 'format'='json', 'source.failure_strategy'='LogAndContinue')");
        env.executeSql(
                "CREATE TABLE orders_print (id BIGINT) WITH ('connector'='velo',"
                        + " 'velo.connector'='print', 'batch.strategy'='fixed_size',"
                        + " 'batch.size'='2', 'failure_strategy'='LogAndContinue')");
        env.executeSql(
                "CREATE TABLE orders_in_batches (id BIGINT) WITH ('connector'='velo',"
                        + " 'velo.connector'='filesystem', 'path'='"
                        + batches.toUri()
                        + "', 'format'='json', 'batch.strategy'='time_window',"
                        + " 'batch.window'='50ms')");
        env.executeSql("CREATE TABLE sink_all (id BIGINT) WITH ('connector'='blackhole')");
        StatementSet set = env.createStatementSet();
        set.addInsertSql("INSERT INTO orders_out SELECT id FROM orders_checked");
        set.addInsertSql("INSERT INTO orders_print SELECT id FROM orders_files");
        set.addInsertSql("INSERT INTO sink_all SELECT id FROM orders_in_batches");
        set.execute().await();
        assertThat(FailingSinkFactory.results(sinkId)).containsExactlyInAnyOrder("1", "3");

        // mega_batch with batch.parallel: velo builds the sink, velo-sink[orders_out]
        TableEnvironment parallel = env();
        String parallelId = UUID.randomUUID().toString();
        parallel.executeSql(
                "CREATE TABLE orders_out (id BIGINT) WITH ('connector'='velo',"
                        + " 'velo.connector'='failing-sink', 'sink-id'='"
                        + parallelId
                        + "', 'batch.strategy'='mega_batch', 'batch.parallel'='true')");
        parallel.executeSql("INSERT INTO orders_out VALUES (1), (2), (3)").await();
        assertThat(FailingSinkFactory.results(parallelId)).hasSize(3);
    }

    /** The three DataStream stages of the page: a named map, a named sinkTo, VeloSink.wrap. */
    private static void runDataStreamJob() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        FailureConfig drop = FailureConfig.of(FailureStrategy.LOG_AND_CONTINUE);
        DataStream<Long> numbers = env.fromSequence(1, 20);
        VeloBatching.of(numbers, BatchConfig.defaults())
                .withFailureConfig(drop)
                .named("parse")
                .map(
                        (Long x, Collector<Long> out) -> {
                            if (x % 7 == 0) {
                                throw new IllegalArgumentException("not parseable: " + x);
                            }
                            out.collect(x);
                        },
                        Types.LONG)
                .output()
                .sinkTo(new DiscardingSink<>());
        VeloBatching.of(env.fromSequence(1, 5), BatchConfig.defaults())
                .named("enrich")
                .sinkTo(new DiscardingSink<>(), null);
        env.fromSequence(1, 5)
                .sinkTo(
                        VeloSink.wrap(
                                new DiscardingSink<>(),
                                VeloSinkSettings.<Long>builder()
                                        .tableName("orders-out")
                                        .batchConfig(BatchConfig.defaults())
                                        .build()));
        env.execute("metrics-reference");
    }

    private static TableEnvironment env() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        return env;
    }

    // ---------------------------------------------------------------------------------------

    /**
     * Every metric identifier docs/metrics.md shows: the lines of its {@code text} blocks that
     * start at the scope ({@code <host>.…}) or with an ellipsis ({@code ….}), and the examples of
     * its DataStream table. {@code <host>}, {@code <tm_id>} and {@code <job_name>} match one scope
     * component, {@code [<n>]} after a table name any planner node id, a leading {@code …} any
     * prefix.
     */
    static List<Pattern> documentedIdentifiers() throws IOException {
        List<Pattern> patterns = new ArrayList<>();
        boolean inText = false;
        for (String raw : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.startsWith("```")) {
                inText = !inText && line.equals("```text");
                continue;
            }
            if (inText) {
                line = line.replaceFirst("^[=+]\\s*", "");
                if ((line.startsWith("<host>") || line.startsWith("…"))
                        && !line.contains("<stage>")) {
                    patterns.add(toPattern(line));
                }
            } else if (line.startsWith("| `VeloBatching") || line.startsWith("| `stream.sinkTo")) {
                String[] cells = line.split("\\|");
                String example = cells[cells.length - 1].strip();
                patterns.add(toPattern(example.substring(1, example.length() - 1)));
            }
        }
        assertThat(patterns).as("identifiers found in " + DOC).hasSizeGreaterThan(10);
        return patterns;
    }

    private static Pattern toPattern(String documented) {
        StringBuilder regex = new StringBuilder();
        Matcher m = Pattern.compile("…|<host>|<tm_id>|<job_name>|\\[\\d+\\]").matcher(documented);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(documented.substring(last, m.start())));
            if (m.group().equals("…")) {
                regex.append(".*");
            } else if (m.group().startsWith("[")) {
                regex.append("\\[\\d+\\]");
            } else {
                regex.append("[^.]*");
            }
            last = m.end();
        }
        regex.append(Pattern.quote(documented.substring(last)));
        return Pattern.compile(regex.toString());
    }

    /** The names in the first column of the page's table of velo metrics. */
    static Set<String> documentedVeloMetricNames() throws IOException {
        Set<String> names = new TreeSet<>();
        Pattern row = Pattern.compile("^\\| `(\\w+)` \\| (counter|histogram|gauge) \\|");
        for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** Each velo group (identifier prefix ending in {@code .velo.}) with its metric names. */
    private static Map<String, Set<String>> veloGroups() {
        Map<String, Set<String>> groups = new TreeMap<>();
        for (String id : METRICS.keySet()) {
            int at = id.lastIndexOf(".velo.");
            if (at >= 0 && id.indexOf('.', at + 6) < 0) {
                groups.computeIfAbsent(id.substring(0, at + 6), g -> new TreeSet<>())
                        .add(id.substring(at + 6));
            }
        }
        return groups;
    }

    private static Set<String> veloIdentifiers() {
        Set<String> ids = new TreeSet<>();
        for (String id : METRICS.keySet()) {
            if (id.contains(".velo") || id.contains(".dlq.")) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static long count(String identifier) {
        Metric m = METRICS.get(identifier);
        assertThat(m).as(identifier).isInstanceOf(Counter.class);
        return ((Counter) m).getCount();
    }
}
