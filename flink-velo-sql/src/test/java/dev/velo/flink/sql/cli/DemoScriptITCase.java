package dev.velo.flink.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.dialect.VeloSql;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The demo's dialect script runs on an embedded broker with the generator's orders. */
class DemoScriptITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @Test
    void demoScriptRoutesEveryOrder() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            for (String topic : List.of("orders", "orders_dlq", "high_value_orders", "eu_orders")) {
                kafka.createTopic(topic, 1);
            }
            DemoOrderGenerator generator = new DemoOrderGenerator(DemoOrderGenerator.DEFAULT_SEED);
            List<String> orders = generator.next(1000);
            kafka.produceStrings("orders", orders);
            long highValue =
                    orders.stream()
                            .filter(o -> o.endsWith("}") && !o.contains("\"lots\""))
                            .filter(o -> amount(o) > 1000)
                            .count();
            long eu =
                    orders.stream()
                            .filter(o -> o.endsWith("}") && !o.contains("\"lots\""))
                            .filter(o -> o.contains("\"region\":\"EU\""))
                            .count();

            VeloSql velo =
                    VeloSql.builder()
                            .environment(Map.of("KAFKA_BROKERS", kafka.bootstrapServers()))
                            .build();
            TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
            env.getConfig().set("parallelism.default", "1");
            velo.executeScript(env, DemoResources.demoScript()).await();

            Duration wait = Duration.ofSeconds(30);
            assertThat(kafka.consumeStrings("high_value_orders", (int) highValue, wait))
                    .hasSize((int) highValue);
            assertThat(kafka.consumeStrings("eu_orders", (int) eu, wait)).hasSize((int) eu);
            assertThat(kafka.consumeStrings("orders_dlq", (int) generator.malformed(), wait))
                    .hasSize((int) generator.malformed());
        }
    }

    private static double amount(String json) {
        int at = json.indexOf("\"amount\":") + "\"amount\":".length();
        return Double.parseDouble(json.substring(at, json.indexOf(',', at)));
    }
}
