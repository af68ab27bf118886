package dev.velo.flink.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.sql.cli.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Kafka DLQ of a velo table on a SASL/PLAIN-secured cluster works without repeating the table's
 * security settings under {@code dlq.properties.*}: the DLQ producer inherits the table's
 * connection and security properties, as Kafka Connect's DLQ producer inherits its connector's. The
 * broker's SASL listener accepts only logins with the password, so a DLQ producer without the
 * inherited settings could not write a single dead letter. The password never appears in a log.
 */
class SaslDlqITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(new Configuration())
                            .build());

    private static final String USER = "velo-app";
    private static final String PASSWORD = "S3CR3T-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String IN = "sasl-in";
    private static final String OUT = "sasl-out";
    private static final String DLQ = "sasl-dlq";
    private static final int RECORDS = 60;
    private static final int MALFORMED = 6;

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.startWithSaslPlain(Duration.ofSeconds(90), Map.of(USER, PASSWORD));
        kafka.createTopic(IN, 1);
        kafka.createTopic(OUT, 1);
        kafka.createTopic(DLQ, 1);
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= RECORDS; i++) {
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

    /** The table's secured connection, written once. */
    private static String security() {
        return "'properties.bootstrap.servers'='"
                + kafka.saslBootstrapServers()
                + "', 'properties.security.protocol'='SASL_PLAINTEXT',"
                + " 'properties.sasl.mechanism'='PLAIN',"
                + " 'properties.sasl.jaas.config'='org.apache.kafka.common.security.plain"
                + ".PlainLoginModule required username=\""
                + USER
                + "\" password=\""
                + PASSWORD
                + "\";'";
    }

    private static TableEnvironment env() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        return env;
    }

    private static String source(String name, String extra) {
        return "CREATE TEMPORARY TABLE "
                + name
                + " (id BIGINT) WITH ('connector'='velo', 'velo.connector'='kafka', 'topic'='"
                + IN
                + "', "
                + security()
                + ", 'properties.group.id'='"
                + name
                + "', 'scan.startup.mode'='earliest-offset', 'scan.bounded.mode'='latest-offset',"
                + " 'format'='json', 'source.failure_strategy'='SendToDLQ',"
                + " 'dlq.connector'='kafka', 'dlq.topic'='"
                + DLQ
                + "'"
                + extra
                + ")";
    }

    @Test
    void deadLettersReachASecuredClusterWithTheTablesOwnSettings() throws Exception {
        List<String> logged;
        Map<String, Level> levels = new LinkedHashMap<>();
        levels.put("org.apache.kafka.clients", Level.INFO);
        levels.put("org.apache.flink", Level.INFO);
        levels.put("dev.velo", Level.DEBUG);
        try (LogCapture logs = new LogCapture(levels)) {
            TableEnvironment env = env();
            env.executeSql(source("secured_in", ""));
            env.executeSql(
                    "CREATE TEMPORARY TABLE secured_out (id BIGINT) WITH ('connector'='kafka',"
                            + " 'topic'='"
                            + OUT
                            + "', "
                            + security()
                            + ", 'format'='json')");
            env.executeSql("INSERT INTO secured_out SELECT id FROM secured_in").await();
            logged = logs.events();
        }
        // read back over the PLAINTEXT listener: the test's own client
        List<EmbeddedKafka.Record> written =
                kafka.consumeAll(OUT, RECORDS - MALFORMED, Duration.ofSeconds(60));
        List<EmbeddedKafka.Record> deadLetters =
                kafka.consumeAll(DLQ, MALFORMED, Duration.ofSeconds(60));
        Figures.print(
                "sasl-dlq",
                String.format(
                        "in=%d written=%d dead_letters=%d",
                        RECORDS, written.size(), deadLetters.size()));
        assertThat(written).hasSize(RECORDS - MALFORMED);
        assertThat(deadLetters).hasSize(MALFORMED);
        assertThat(written.size() + deadLetters.size()).isEqualTo(RECORDS);
        for (EmbeddedKafka.Record r : deadLetters) {
            String json = new String(r.value(), StandardCharsets.UTF_8);
            assertThat(json).contains("\"table_name\":\"secured_in\"").doesNotContain(PASSWORD);
        }
        assertThat(logged).isNotEmpty().noneMatch(line -> line.contains(PASSWORD));
    }

    @Test
    void turningInheritanceOffLeavesTheDlqWithoutACluster() {
        TableEnvironment env = env();
        env.executeSql(source("uninherited_in", ", 'dlq.inherit-properties'='false'"));
        assertThatThrownBy(() -> env.explainSql("SELECT id FROM uninherited_in"))
                .satisfies(
                        e -> {
                            String chain = Figures.causeChain(e);
                            assertThat(chain)
                                    .contains(ValidationException.class.getName())
                                    .contains("dlq.properties.bootstrap.servers")
                                    .doesNotContain(PASSWORD);
                        });
    }

    @Test
    void aBadInheritValueNamesTheKeyAndWhatIsAccepted() {
        TableEnvironment env = env();
        env.executeSql(source("bad_inherit_in", ", 'dlq.inherit-properties'='sometimes'"));
        assertThatThrownBy(() -> env.explainSql("SELECT id FROM bad_inherit_in"))
                .satisfies(
                        e ->
                                assertThat(Figures.causeChain(e))
                                        .contains("'dlq.inherit-properties'")
                                        .contains("'sometimes'")
                                        .contains("true, false")
                                        .doesNotContain(PASSWORD));
    }
}
