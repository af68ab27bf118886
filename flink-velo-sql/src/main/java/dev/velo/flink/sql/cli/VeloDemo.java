package dev.velo.flink.sql.cli;

import dev.velo.flink.batching.config.BatchOptions;
import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.sql.dialect.VeloSql;
import dev.velo.flink.sql.dialect.VeloTranslation;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * {@code velo demo}: an embedded Kafka broker, generated orders of which about 1 % are malformed,
 * the demo dialect script on an embedded MiniCluster, and a summary that shows every record
 * accounted for (in = out + dead-lettered + dropped) and the DLQ topic holding the malformed ones.
 */
@Internal
final class VeloDemo {

    static final String ORDERS = "orders";
    static final String DLQ = "orders_dlq";
    static final List<String> SINK_TOPICS = List.of("high_value_orders", "eu_orders");
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(10);

    private final PrintStream out;
    private final PrintStream err;
    private final int records;
    private final Map<String, String> environment;

    private Integer webUi;

    VeloDemo(PrintStream out, PrintStream err, int records, Map<String, String> environment) {
        this.out = out;
        this.err = err;
        this.records = records;
        this.environment = environment;
    }

    /** Serves Flink's Web UI of the demo's MiniCluster on {@code port} (null: none). */
    VeloDemo withWebUi(Integer port) {
        this.webUi = port;
        return this;
    }

    int run() throws Exception {
        out.println("velo demo: starting an embedded Kafka broker ...");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic(ORDERS, 2);
            kafka.createTopic(DLQ, 1);
            for (String topic : SINK_TOPICS) {
                kafka.createTopic(topic, 2);
            }
            DemoOrderGenerator generator = new DemoOrderGenerator(DemoOrderGenerator.DEFAULT_SEED);
            int chunk = 10_000;
            for (int sent = 0; sent < records; sent += chunk) {
                kafka.produceStrings(ORDERS, generator.next(Math.min(chunk, records - sent)));
                err.printf(
                        Locale.ROOT,
                        "\r  produced %,d of %,d orders to '%s'",
                        Math.min(sent + chunk, records),
                        records,
                        ORDERS);
            }
            err.println();
            out.printf(
                    Locale.ROOT,
                    "velo demo: %,d orders in Kafka (%,d malformed), broker %s%n",
                    generator.produced(),
                    generator.malformed(),
                    kafka.bootstrapServers());

            Map<String, String> vars = new HashMap<>(environment);
            vars.put("KAFKA_BROKERS", kafka.bootstrapServers());
            vars.put("DEMO_ORDERS_TOPIC", ORDERS);
            vars.put("DEMO_DLQ_TOPIC", DLQ);
            VeloSql velo = VeloSql.builder().environment(vars).build();
            String script = DemoResources.demoScript();
            VeloTranslation translation = velo.translateScript(script);

            VeloSummaryReporter.reset();
            Configuration conf = new Configuration();
            conf.setString(
                    VeloSummaryReporter.CONFIG_KEY, VeloSummaryReporter.Factory.class.getName());
            conf.setString("parallelism.default", "2");
            conf.setString("execution.checkpointing.interval", "2s");
            if (webUi != null) {
                VeloCli.withWebUi(conf, webUi, out, err);
            }
            TableEnvironment env =
                    TableEnvironment.create(
                            EnvironmentSettings.newInstance()
                                    .inStreamingMode()
                                    .withConfiguration(conf)
                                    .build());
            out.println("velo demo: running the demo script on an embedded Flink MiniCluster ...");
            long start = System.nanoTime();
            TableResult result = velo.executeTranslation(env, translation);
            JobClient job =
                    result.getJobClient()
                            .orElseThrow(
                                    () -> new IllegalStateException("the demo started no job"));
            waitWithProgress(job);
            result.await();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            err.println();

            DemoSummary summary = summarise(translation, elapsed);
            long deadLettered = sourceTotals().getOrDefault("numRecordsDeadLettered", 0L);
            int inDlq = kafka.consumeAll(DLQ, (int) deadLettered, Duration.ofSeconds(30)).size();
            summary.print(out);
            boolean dlqMatches = inDlq == deadLettered && deadLettered == generator.malformed();
            out.printf(
                    Locale.ROOT,
                    "velo demo: %,d orders read, %,d malformed -> %,d dead letters in topic '%s'"
                            + " (%s); every record accounted for: %s; %.1f s%n",
                    generator.produced(),
                    generator.malformed(),
                    inDlq,
                    DLQ,
                    dlqMatches ? "match" : "MISMATCH",
                    summary.allAccountedFor() ? "yes" : "NO",
                    elapsed.toMillis() / 1000.0);
            return dlqMatches && summary.allAccountedFor() ? 0 : 1;
        }
    }

    private void waitWithProgress(JobClient job) throws Exception {
        long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
        while (true) {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                return;
            }
            Map<String, Long> source = sourceTotals();
            err.printf(
                    Locale.ROOT,
                    "\r  %s: %,d orders read, %,d decoded, %,d dead-lettered",
                    status.name().toLowerCase(Locale.ROOT),
                    source.getOrDefault("numRecordsIn", 0L),
                    source.getOrDefault("numRecordsOut", 0L),
                    source.getOrDefault("numRecordsDeadLettered", 0L));
            if (System.nanoTime() > deadline) {
                job.cancel();
                throw new TimeoutException("the demo job did not finish within " + JOB_TIMEOUT);
            }
            try {
                job.getJobExecutionResult().get(500, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException stillRunning) {
                // next progress line
            }
        }
    }

    private static Map<String, Long> sourceTotals() {
        Map<String, Long> sum = new HashMap<>();
        VeloSummaryReporter.totals()
                .forEach(
                        (operator, counters) -> {
                            if (operator.startsWith("velo-decode[")) {
                                counters.forEach((k, v) -> sum.merge(k, v, Long::sum));
                            }
                        });
        return sum;
    }

    private static DemoSummary summarise(VeloTranslation translation, Duration elapsed) {
        DemoSummary summary = new DemoSummary();
        Map<String, Map<String, String>> tables = translation.veloTables();
        // sources first, then the streams they feed
        List<Map.Entry<String, Map<String, Long>>> operators =
                new ArrayList<>(VeloSummaryReporter.totals().entrySet());
        operators.sort(
                Comparator.comparing(
                        (Map.Entry<String, Map<String, Long>> e) ->
                                !e.getKey().startsWith("velo-decode[")));
        for (Map.Entry<String, Map<String, Long>> e : operators) {
            String operator = e.getKey();
            Map<String, Long> c = e.getValue();
            String name;
            String strategy;
            if (operator.startsWith("velo-decode[")) {
                String table = operator.substring("velo-decode[".length(), operator.length() - 1);
                name = table + " (source)";
                strategy =
                        "source "
                                + tables.getOrDefault(table, Map.of())
                                        .getOrDefault(
                                                FailureOptions.sideKey(
                                                        FailureOptions.SOURCE_PREFIX,
                                                        FailureOptions.FAILURE_STRATEGY),
                                                "?");
            } else {
                int bracket = operator.indexOf('[');
                String table = bracket > 0 ? operator.substring(0, bracket) : operator;
                Map<String, String> options = tables.getOrDefault(table, Map.of());
                name = table;
                strategy =
                        options.getOrDefault(
                                        BatchOptions.STRATEGY.key(),
                                        BatchOptions.STRATEGY.defaultValue())
                                + " / "
                                + options.getOrDefault(
                                        FailureOptions.sideKey(
                                                FailureOptions.SINK_PREFIX,
                                                FailureOptions.FAILURE_STRATEGY),
                                        options.getOrDefault(
                                                FailureOptions.FAILURE_STRATEGY.key(),
                                                FailureOptions.FAILURE_STRATEGY.defaultValue()));
            }
            summary.add(
                    name,
                    strategy,
                    c.getOrDefault("numRecordsIn", 0L),
                    c.getOrDefault("numRecordsOut", 0L),
                    c.getOrDefault("numRecordsDeadLettered", 0L),
                    c.getOrDefault("numRecordsDropped", 0L),
                    c.getOrDefault("numBatches", 0L),
                    elapsed);
        }
        return summary;
    }
}
