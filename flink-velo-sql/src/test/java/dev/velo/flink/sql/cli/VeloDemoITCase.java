package dev.velo.flink.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code velo demo} end to end: embedded broker, MiniCluster, summary with nothing lost. */
class VeloDemoITCase {

    @Test
    void demoAccountsForEveryOrderAndDeadLettersTheMalformedOnes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                new VeloCli(Map.of())
                        .run(
                                new String[] {"demo", "--records", "5000"},
                                new PrintStream(out, true, StandardCharsets.UTF_8),
                                new PrintStream(err, true, StandardCharsets.UTF_8));
        String summary = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(summary + err.toString(StandardCharsets.UTF_8)).isZero();
        // 5000 generated orders, about 1 % malformed (the generator is seeded)
        assertThat(summary)
                .containsPattern("\\| orders \\(source\\) +\\| source SendToDLQ +\\| +5000 \\|")
                .contains("| high_value_orders ")
                .contains("| eu_orders ")
                .contains("| order_audit ")
                .doesNotContain("| NO ")
                .containsPattern("-> (\\d+) dead letters in topic 'orders_dlq' \\(match\\)")
                .contains("every record accounted for: yes");
        assertThat(summary.indexOf("orders (source)")).isLessThan(summary.indexOf("eu_orders"));
    }
}
