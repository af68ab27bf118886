package dev.velo.flink.batching.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.operator.RecordFunction;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.tuple.Tuple1;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Only what the user's function does is the function's: an exception downstream fails the job as
 * without velo, and outputs of a function that reuses one object keep the values it set.
 */
class VeloFunctionBoundaryITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(ItSupport.cluster(REPORTER));

    private static final BatchConfig BATCH =
            BatchConfig.builder()
                    .strategy(new BatchStrategy.FixedSize(8))
                    .batchTimeout(Duration.ofMillis(100))
                    .build();

    @Test
    void anExceptionDownstreamOfALogAndContinueStageFailsTheJob() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        VeloStream<Long> s =
                VeloBatching.of(env.fromSequence(1, 40), BATCH)
                        .withFailureConfig(FailureConfig.of(FailureStrategy.LOG_AND_CONTINUE))
                        .named("enrich")
                        .map((Long x, Collector<Long> out) -> out.collect(x), Types.LONG);
        // chained after the velo stage: plain Flink fails the job here
        s.output().map((MapFunction<Long, Long>) x -> 100 / (x - 20)).sinkTo(new DiscardSink());
        assertThatThrownBy(() -> env.execute("downstream-fails"))
                .satisfies(
                        e ->
                                assertThat(
                                                ExceptionUtils.findThrowable(
                                                        e, ArithmeticException.class))
                                        .isPresent()
                                        .get()
                                        .extracting(Throwable::getMessage)
                                        .isEqualTo("/ by zero"));
    }

    /** Flink's Collector contract lets a function emit one object again and again. */
    static final class ReusingMap implements RecordFunction<Long, Tuple1<Long>> {
        private final Tuple1<Long> reused = new Tuple1<>();

        @Override
        public void flatMap(Long x, Collector<Tuple1<Long>> out) {
            reused.f0 = x;
            out.collect(reused);
            reused.f0 = x * 10;
            out.collect(reused);
        }
    }

    @Test
    void aMapThatReusesItsOutputObjectEmitsTheValuesItSet() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        VeloStream<Tuple1<Long>> s =
                VeloBatching.of(env.fromSequence(1, 2), BATCH)
                        .named("reuse")
                        .map(new ReusingMap(), Types.TUPLE(Types.LONG));
        ItSupport.Run<Tuple1<Long>, DeadLetter> r =
                ItSupport.run(env, s.output().collectAsync(), null);
        List<Long> values = r.first.stream().map(t -> t.f0).collect(Collectors.toList());
        assertThat(values).containsExactly(1L, 10L, 2L, 20L);
    }

    /** Discards everything (a terminal operator for the failing map). */
    static final class DiscardSink implements Sink<Long> {
        @Override
        public SinkWriter<Long> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Long element, Context context) {}

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
