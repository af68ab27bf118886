package dev.velo.flink.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.Test;

/** The demo's reporter sees the velo counters of a job on the embedded MiniCluster. */
class VeloSummaryReporterITCase {

    @Test
    void collectsVeloCountersPerOperator() throws Exception {
        VeloSummaryReporter.reset();
        Configuration conf = new Configuration();
        conf.setString(VeloSummaryReporter.CONFIG_KEY, VeloSummaryReporter.Factory.class.getName());
        TableEnvironment env =
                TableEnvironment.create(
                        EnvironmentSettings.newInstance()
                                .inStreamingMode()
                                .withConfiguration(conf)
                                .build());
        env.executeSql(
                "CREATE TABLE src (id BIGINT) WITH ('connector'='datagen',"
                        + " 'number-of-rows'='500')");
        env.executeSql(
                "CREATE TABLE snk (id BIGINT) WITH ('connector'='velo',"
                        + " 'velo.connector'='blackhole', 'batch.size'='50')");
        env.executeSql("INSERT INTO snk SELECT id FROM src").await();

        Map<String, Map<String, Long>> totals = VeloSummaryReporter.totals();
        assertThat(totals).hasSize(1);
        Map<String, Long> sink = totals.values().iterator().next();
        assertThat(totals.keySet().iterator().next()).startsWith("snk[");
        assertThat(sink).containsEntry("numRecordsIn", 500L).containsEntry("numRecordsOut", 500L);
        assertThat(sink.get("numBatches")).isGreaterThanOrEqualTo(10L);
    }
}
