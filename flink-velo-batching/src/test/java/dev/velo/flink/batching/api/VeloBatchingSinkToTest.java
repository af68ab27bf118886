package dev.velo.flink.batching.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.sink.VeloSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.transformations.SinkTransformation;
import org.junit.jupiter.api.Test;

/** What {@link VeloBatching.Builder#sinkTo} hands the velo sink it wraps the user's sink in. */
class VeloBatchingSinkToTest {

    private static VeloSink<?> veloSink(DataStreamSink<?> out) {
        return (VeloSink<?>) ((SinkTransformation<?, ?>) out.getTransformation()).getSink();
    }

    @Test
    void aSinkWritingByAKeyIsMarkedOnlyWhenTheBuilderSaysSo() {
        DataStream<Long> in =
                StreamExecutionEnvironment.getExecutionEnvironment().fromSequence(0, 9);

        DataStreamSink<Long> plain =
                VeloBatching.of(in, BatchConfig.disabled()).sinkTo(new DiscardingSink<>(), null);
        DataStreamSink<Long> keyed =
                VeloBatching.of(in, BatchConfig.disabled())
                        .keyedByPrimaryKey(true)
                        .sinkTo(new DiscardingSink<>(), null);

        // keyed: a restore of waiting records at another parallelism fails (VeloSinkRescaleTest)
        assertThat(veloSink(plain).getSettings().keyedByPrimaryKey()).isFalse();
        assertThat(veloSink(keyed).getSettings().keyedByPrimaryKey()).isTrue();
    }
}
