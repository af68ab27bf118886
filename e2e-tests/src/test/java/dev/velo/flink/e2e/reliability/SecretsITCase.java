package dev.velo.flink.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.batching.config.VeloOptions;
import dev.velo.flink.sql.cli.CanonicalOptions;
import dev.velo.flink.sql.cli.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Secret option values (SASL JAAS config, key/truststore passwords, the DLQ's producer secrets)
 * never appear in exception chains, logs (captured in memory, with Kafka's configuration dumps
 * switched on), {@link CanonicalOptions} or dead letters, for failing validations and for running
 * and failing jobs against a real broker. The job uses only password keys, which Kafka ignores on
 * the broker's PLAINTEXT listener; a SASL config would break the connection.
 */
class SecretsITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .setConfiguration(new Configuration())
                            .build());

    /** Every secret value starts with this, so one search finds any of them. */
    private static final String MARK = "S3CR3T-" + UUID.randomUUID().toString().substring(0, 8);

    private static final String IN = "secrets-in";
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(Duration.ofSeconds(90));
        kafka.createTopic(IN, 1);
        kafka.createTopic("secrets-dlq", 1);
        kafka.createTopic("secrets-out", 1);
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            lines.add(i % 10 == 0 ? "{\"id\": " + i + ", broken" : "{\"id\": " + i + "}");
        }
        kafka.produceStrings(IN, lines);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String secrets(boolean sasl) {
        String s =
                "'properties.ssl.truststore.password'='"
                        + MARK
                        + "-truststore', 'properties.ssl.key.password'='"
                        + MARK
                        + "-key', 'dlq.properties.ssl.key.password'='"
                        + MARK
                        + "-dlqkey'";
        if (sasl) {
            s +=
                    ", 'properties.sasl.jaas.config'='org.apache.kafka.common.security.plain"
                            + ".PlainLoginModule required username=\"u\" password=\""
                            + MARK
                            + "-jaas\";', 'dlq.properties.sasl.jaas.config'='"
                            + MARK
                            + "-dlqjaas'";
        }
        return s;
    }

    private static String everything(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return Figures.causeChain(t) + sw;
    }

    private static TableEnvironment env() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        return env;
    }

    private static LogCapture capture() {
        Map<String, Level> levels = new LinkedHashMap<>();
        levels.put("org.apache.kafka.clients", Level.INFO);
        levels.put("org.apache.flink", Level.INFO);
        levels.put("dev.velo", Level.DEBUG);
        return new LogCapture(levels);
    }

    private static String kafkaTable(String name, String extra) {
        return "CREATE TEMPORARY TABLE "
                + name
                + " (id BIGINT) WITH ('connector'='velo', 'velo.connector'='kafka', 'topic'='"
                + IN
                + "', 'properties.bootstrap.servers'='"
                + kafka.bootstrapServers()
                + "', 'properties.group.id'='"
                + name
                + "', 'scan.startup.mode'='earliest-offset', 'scan.bounded.mode'='latest-offset',"
                + " 'format'='json', "
                + extra
                + ")";
    }

    @Test
    void failingValidationsDoNotEchoSecrets() {
        List<String> statementsThatFail =
                List.of(
                        // a velo option is invalid
                        kafkaTable("bad_velo", secrets(true) + ", 'batch.size'='-1'"),
                        // a secret-looking key flink-velo owns, with the secret as its bad value
                        kafkaTable(
                                "bad_secret_key",
                                secrets(true) + ", 'batch.password'='" + MARK + "'"),
                        kafkaTable(
                                "bad_alias", secrets(true) + ", 'sink.batch.token'='" + MARK + "'"),
                        // the wrapped connector rejects the table
                        kafkaTable("bad_delegate", secrets(true) + ", 'propertiez.x'='1'"),
                        // the DLQ is incomplete
                        kafkaTable(
                                "bad_dlq",
                                secrets(true)
                                        + ", 'source.failure_strategy'='SendToDLQ',"
                                        + " 'dlq.connector'='kafka'"));
        int rejected = 0;
        List<String> seen = new ArrayList<>();
        try (LogCapture logs = capture()) {
            for (String ddl : statementsThatFail) {
                TableEnvironment env = env();
                String name = ddl.split(" ")[3];
                assertThatThrownBy(
                                () -> {
                                    env.executeSql(ddl);
                                    env.explainSql("SELECT id FROM " + name);
                                })
                        .satisfies(
                                e -> {
                                    assertThat(Figures.causeChain(e))
                                            .contains(ValidationException.class.getName());
                                    seen.add(everything(e));
                                });
                rejected++;
            }
            seen.addAll(logs.events());
        }
        // the options parser on its own: effective options, toString, warnings, errors
        Map<String, String> options = new LinkedHashMap<>();
        options.put("properties.sasl.jaas.config", MARK + "-jaas");
        options.put("properties.ssl.truststore.password", MARK + "-truststore");
        options.put("dlq.properties.sasl.jaas.config", MARK + "-dlqjaas");
        options.put("batch.strategy", "fixed_size");
        options.put("batch.window", "1s"); // unused by fixed_size: a warning
        VeloOptions parsed = VeloOptions.parse("t", options);
        seen.add(CanonicalOptions.of(parsed).toString());
        seen.add(parsed.toString());
        seen.add(parsed.warnings().toString());
        options.put("batch.secret_size", MARK);
        assertThatThrownBy(() -> VeloOptions.parse("t", options))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> seen.add(everything(e)));

        long leaks = seen.stream().filter(s -> s.contains(MARK)).count();
        Figures.print(
                "secrets",
                String.format(
                        "part=validation failing_statements=%d rejected=%d texts_checked=%d"
                                + " leaks=%d",
                        statementsThatFail.size(), rejected, seen.size(), leaks));
        assertThat(seen).noneMatch(s -> s.contains(MARK));
    }

    @Test
    void veloValidateDoesNotPrintSecrets() {
        String script =
                "CREATE TABLE good (a INT) WITH ('connector' = 'kafka', 'topic' = 't',"
                        + " 'batch.strategy' = 'fixed_size', 'batch.size' = '10', "
                        + secrets(true)
                        + ");"
                        + "CREATE TABLE bad (a INT) WITH ('connector' = 'kafka', 'topic' = 't',"
                        + " 'batch.size' = '-1', 'batch.password' = '"
                        + MARK
                        + "', "
                        + secrets(true)
                        + ")";
        List<String> seen = new ArrayList<>();
        int[] codes = new int[2];
        String[][] modes = {{"validate", "-e", script}, {"validate", "--json", "-e", script}};
        try (LogCapture logs = capture()) {
            for (int i = 0; i < modes.length; i++) {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
                codes[i] =
                        new dev.velo.flink.sql.cli.VeloCli(Map.of())
                                .run(
                                        modes[i],
                                        new java.io.PrintStream(out, true),
                                        new java.io.PrintStream(err, true));
                seen.add(out.toString());
                seen.add(err.toString());
            }
            seen.addAll(logs.events());
        }
        long leaks = seen.stream().filter(s -> s.contains(MARK)).count();
        Figures.print(
                "secrets",
                String.format(
                        "part=velo-validate exit_codes=%d,%d texts_checked=%d leaks=%d",
                        codes[0], codes[1], seen.size(), leaks));
        // the bad table is reported, the good one listed: the command really ran
        assertThat(codes).containsExactly(1, 1);
        assertThat(seen.get(0)).contains("table good");
        assertThat(seen.get(1)).contains("batch.size");
        assertThat(seen).noneMatch(s -> s.contains(MARK));
    }

    @Test
    void jobsKeepSecretsOutOfLogsErrorsAndDeadLetters() throws Exception {
        List<String> seen = new ArrayList<>();
        int logEvents;
        boolean configDumpSeen;
        try (LogCapture logs = capture()) {
            // a job that dead-letters the malformed records through a Kafka DLQ
            TableEnvironment env = env();
            env.executeSql(
                    kafkaTable(
                            "src",
                            secrets(false)
                                    + ", 'source.failure_strategy'='SendToDLQ',"
                                    + " 'dlq.connector'='kafka', 'dlq.topic'='secrets-dlq',"
                                    + " 'dlq.properties.bootstrap.servers'='"
                                    + kafka.bootstrapServers()
                                    + "'"));
            env.executeSql(
                    "CREATE TEMPORARY TABLE out_t (id BIGINT) WITH ('connector'='velo',"
                            + " 'velo.connector'='kafka', 'topic'='secrets-out',"
                            + " 'properties.bootstrap.servers'='"
                            + kafka.bootstrapServers()
                            + "', 'format'='json', 'sink.delivery-guarantee'='at-least-once',"
                            + " 'properties.ssl.key.password'='"
                            + MARK
                            + "-sinkkey', 'failure_strategy'='LogAndContinue')");
            TableResult ok = env.executeSql("INSERT INTO out_t SELECT id FROM src");
            ok.await(2, TimeUnit.MINUTES);

            // a job that fails (FailBatch on a malformed record)
            TableEnvironment env2 = env();
            env2.executeSql(
                    kafkaTable("src2", secrets(false) + ", 'source.failure_strategy'='FailBatch'"));
            env2.executeSql(
                    "CREATE TEMPORARY TABLE out2 (id BIGINT) WITH ('connector'='velo',"
                            + " 'velo.connector'='blackhole')");
            assertThatThrownBy(
                            () ->
                                    env2.executeSql("INSERT INTO out2 SELECT id FROM src2")
                                            .await(2, TimeUnit.MINUTES))
                    .satisfies(
                            e -> {
                                assertThat(Figures.causeChain(e)).contains("Table 'src2'");
                                seen.add(everything(e));
                            });
            List<String> events = logs.events();
            logEvents = events.size();
            // proves the capture sees the Kafka clients' and the tasks' logs, where secrets could
            // leak
            configDumpSeen =
                    events.stream().anyMatch(s -> s.startsWith("org.apache.kafka.clients"))
                            && events.stream()
                                    .anyMatch(
                                            s ->
                                                    s.contains(
                                                            "KafkaSource-default_catalog"
                                                                    + ".default_database.src"));
            seen.addAll(events);
        }
        List<TopicReader.Rec> letters =
                TopicReader.readAll(kafka.bootstrapServers(), "secrets-dlq", false);
        for (TopicReader.Rec r : letters) {
            seen.add(r.text());
        }
        List<String> out = TopicReader.readStrings(kafka.bootstrapServers(), "secrets-out", false);
        seen.addAll(out);

        long leaks = seen.stream().filter(s -> s != null && s.contains(MARK)).count();
        Figures.print(
                "secrets",
                String.format(
                        "part=jobs dead_letters=%d out=%d log_events=%d kafka_client_and_task_logs_captured=%s"
                                + " texts_checked=%d leaks=%d",
                        letters.size(), out.size(), logEvents, configDumpSeen, seen.size(), leaks));
        assertThat(letters).hasSize(5);
        assertThat(out).hasSize(45);
        assertThat(configDumpSeen).isTrue();
        assertThat(seen).noneMatch(s -> s != null && s.contains(MARK));
    }
}
