package dev.velo.flink.sql.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.batching.api.VeloBatching;
import dev.velo.flink.batching.config.BatchConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * The uids velo's operators get: in SQL those of the planner's mechanism ({@code
 * table.exec.uid.generation}, {@code table.exec.uid.format}), in the DataStream API the one given
 * or derived from the stage's name. docs/upgrading.md lists them.
 */
class OperatorUidsTest {

    private static final String KAFKA =
            "'velo.connector'='kafka', 'properties.bootstrap.servers'='localhost:1',"
                    + " 'format'='json'";

    @Test
    void whenThePlannerSetsUidsVelosOperatorsHaveThemInThePlannersFormat() {
        Map<String, String> uids = sqlUids("ALWAYS");
        assertThat(uids.get("velo-batch[printed]")).matches("\\d+_velo-batch");
        // the wrapped sink function and a sink velo builds keep the planner's uid of the sink
        assertThat(uids.get("Sink: printed")).matches("\\d+_sink");
        assertThat(uids.get("velo-sink[spread]: Writer")).matches("\\d+_sink");
        assertThat(uids.get("velo-dlq-flush[checked]")).matches("\\d+_velo-dlq-flush");
    }

    @Test
    void whenThePlannerSetsNoUidsVeloSetsNone() {
        Map<String, String> uids = sqlUids("PLAN_ONLY");
        assertThat(uids)
                .containsKeys(
                        "velo-batch[printed]",
                        "Sink: printed",
                        "velo-sink[spread]: Writer",
                        "velo-dlq-flush[checked]");
        assertThat(uids.values()).containsOnlyNulls();
    }

    @Test
    void aNamedDataStreamStageHasAUidFromItsNameOrTheOneGiven() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        VeloBatching.of(env.fromSequence(1, 3), BatchConfig.defaults())
                .named("parse")
                .map((Long x, Collector<Long> out) -> out.collect(x), Types.LONG)
                .output()
                .sinkTo(new DiscardingSink<>());
        VeloBatching.of(env.fromSequence(1, 3), BatchConfig.defaults())
                .named("tagged")
                .uid("tagged-v2")
                .batch()
                .output()
                .sinkTo(new DiscardingSink<>());
        VeloBatching.of(env.fromSequence(1, 3), BatchConfig.defaults())
                .batch()
                .output()
                .sinkTo(new DiscardingSink<>());
        VeloBatching.of(env.fromSequence(1, 3), BatchConfig.defaults())
                .named("enrich")
                .sinkTo(new DiscardingSink<>(), null);
        Map<String, String> uids = new HashMap<>();
        for (StreamNode n : env.getStreamGraph().getStreamNodes()) {
            uids.put(n.getOperatorName(), n.getTransformationUID());
        }
        assertThat(uids)
                .containsEntry("parse", "velo-batch[parse]")
                .containsEntry("tagged", "tagged-v2")
                .containsEntry("velo", null)
                .containsEntry("enrich: Writer", "velo-sink[enrich]");
    }

    @Test
    void aBlankUidIsRefusedWithTheValue() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        assertThatThrownBy(
                        () ->
                                VeloBatching.of(env.fromSequence(1, 3), BatchConfig.defaults())
                                        .uid(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("uid must not be null or blank, got ' '");
    }

    /** Operator name to uid of a SQL job with each kind of velo operator. */
    private static Map<String, String> sqlUids(String uidGeneration) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        t.getConfig().set("table.exec.uid.generation", uidGeneration);
        t.executeSql(
                "CREATE TEMPORARY TABLE checked (id BIGINT) WITH ('connector'='velo', "
                        + KAFKA
                        + ", 'topic'='in', 'scan.startup.mode'='earliest-offset',"
                        + " 'source.failure_strategy'='SendToDLQ', 'dlq.connector'='print')");
        t.executeSql(
                "CREATE TEMPORARY TABLE printed (id BIGINT) WITH ('connector'='velo',"
                        + " 'velo.connector'='print', 'batch.strategy'='fixed_size')");
        t.executeSql(
                "CREATE TEMPORARY TABLE spread (id BIGINT) WITH ('connector'='velo', "
                        + KAFKA
                        + ", 'topic'='out', 'batch.strategy'='mega_batch',"
                        + " 'batch.parallel'='true')");
        t.createStatementSet()
                .addInsertSql("INSERT INTO printed SELECT id FROM checked")
                .addInsertSql("INSERT INTO spread SELECT id FROM checked")
                .attachAsDataStream();
        Map<String, String> uids = new HashMap<>();
        for (StreamNode n : env.getStreamGraph().getStreamNodes()) {
            uids.put(n.getOperatorName(), n.getTransformationUID());
        }
        return uids;
    }
}
