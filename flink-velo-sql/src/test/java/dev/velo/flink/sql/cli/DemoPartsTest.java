package dev.velo.flink.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.dialect.VeloSql;
import dev.velo.flink.sql.dialect.VeloTranslation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's generator, summary table and script. */
class DemoPartsTest {

    @Test
    void generatorIsDeterministicWithAboutOnePercentMalformed() {
        DemoOrderGenerator a = new DemoOrderGenerator(DemoOrderGenerator.DEFAULT_SEED);
        DemoOrderGenerator b = new DemoOrderGenerator(DemoOrderGenerator.DEFAULT_SEED);
        List<String> first = a.next(10_000);
        assertThat(b.next(10_000)).isEqualTo(first);
        assertThat(a.malformed()).isBetween(60L, 140L);
        long wellFormed =
                first.stream()
                        .filter(s -> s.startsWith("{\"order_id\":") && s.endsWith("}"))
                        .filter(s -> !s.contains("\"lots\""))
                        .count();
        assertThat(wellFormed + a.malformed()).isEqualTo(10_000);
        assertThat(first.get(0)).matches("\\{\"order_id\":1,\"customer\":\"customer-\\d+\",.*\\}");
    }

    @Test
    void generatorWithoutMalformedRecords() {
        DemoOrderGenerator g = new DemoOrderGenerator(1, 0);
        g.next(1000);
        assertThat(g.malformed()).isZero();
        assertThat(g.produced()).isEqualTo(1000);
    }

    @Test
    void summaryPrintsATableAndChecksTheBalance() {
        DemoSummary summary =
                new DemoSummary()
                        .add(
                                "high_value_orders",
                                "fixed_size",
                                1000,
                                990,
                                10,
                                0,
                                10,
                                Duration.ofSeconds(2))
                        .add(
                                "order_audit",
                                "mega_batch",
                                1000,
                                995,
                                0,
                                4,
                                1,
                                Duration.ofSeconds(1));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        summary.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .contains("| stream", "dead-lettered", "high_value_orders", "495", "MISMATCH");
        assertThat(summary.allAccountedFor()).isFalse();
        assertThat(text.lines().filter(l -> l.startsWith("+")).count()).isEqualTo(3);
    }

    @Test
    void demoScriptUsesThreeStrategiesAndADlq() {
        VeloTranslation t =
                VeloSql.builder()
                        .environment(Map.of("KAFKA_BROKERS", "k:9092"))
                        .build()
                        .translateScript(DemoResources.demoScript());
        assertThat(t.veloTables().keySet())
                .containsExactly("orders", "high_value_orders", "eu_orders", "order_audit");
        assertThat(t.veloTables().get("orders"))
                .containsEntry("source.failure_strategy", "SendToDLQ")
                .containsEntry("dlq.connector", "kafka")
                .containsEntry("dlq.properties.bootstrap.servers", "k:9092");
        assertThat(t.veloTables().get("eu_orders"))
                .containsEntry("batch.strategy", "adaptive_size");
        assertThat(t.veloTables().get("order_audit"))
                .containsEntry("velo.connector", "blackhole")
                .containsEntry("sink.failure_strategy", "LogAndContinue");
    }
}
