package dev.velo.flink.batching.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every batch strategy end to end on a MiniCluster: nothing lost, nothing doubled, batch sizes. */
class VeloBatchingStrategiesITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(ItSupport.cluster(REPORTER));

    private static final int N = 1000;

    /** Runs N longs through a batch function that tags each record with its batch's size. */
    private ItSupport.Run<Tuple2<Long, Integer>, Object> run(BatchConfig cfg, int parallelism)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        DataStream<Long> in = env.fromSequence(1, N);
        DataStream<Tuple2<Long, Integer>> out =
                VeloBatching.of(in, cfg)
                        .named("strategy-it")
                        .process(
                                (List<Long> batch,
                                        org.apache.flink.util.Collector<Tuple2<Long, Integer>>
                                                c) -> {
                                    for (Long x : batch) {
                                        c.collect(Tuple2.of(x, batch.size()));
                                    }
                                },
                                Types.TUPLE(Types.LONG, Types.INT))
                        .output();
        ItSupport.Run<Tuple2<Long, Integer>, Object> run =
                ItSupport.run(env, out.collectAsync(), null);
        assertThat(run.first.stream().map(t -> t.f0).collect(Collectors.toList()))
                .as("every record exactly once")
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, N).boxed().collect(Collectors.toList()));
        assertThat(ItSupport.counter(REPORTER, run.jobId, "numRecordsIn")).isEqualTo(N);
        assertThat(ItSupport.counter(REPORTER, run.jobId, "numRecordsOut")).isEqualTo(N);
        long batches = ItSupport.counter(REPORTER, run.jobId, "numBatches");
        assertThat(batches)
                .isEqualTo(
                        ItSupport.counter(REPORTER, run.jobId, "numFlushesBySize")
                                + ItSupport.counter(REPORTER, run.jobId, "numFlushesByTimer")
                                + ItSupport.counter(REPORTER, run.jobId, "numFlushesByCheckpoint")
                                + ItSupport.counter(REPORTER, run.jobId, "numFlushesByEndOfInput"));
        return run;
    }

    private static List<Integer> sizes(ItSupport.Run<Tuple2<Long, Integer>, Object> run) {
        return run.first.stream().map(t -> t.f1).distinct().collect(Collectors.toList());
    }

    private static BatchConfig cfg(BatchStrategy s, Duration timeout) {
        return BatchConfig.builder().strategy(s).batchTimeout(timeout).build();
    }

    @Test
    void fixedSize() throws Exception {
        ItSupport.Run<Tuple2<Long, Integer>, Object> r =
                run(cfg(new BatchStrategy.FixedSize(100), Duration.ofSeconds(30)), 1);
        assertThat(sizes(r)).containsExactly(100);
        assertThat(ItSupport.counter(REPORTER, r.jobId, "numFlushesBySize")).isEqualTo(10);
    }

    @Test
    void timeWindow() throws Exception {
        ItSupport.Run<Tuple2<Long, Integer>, Object> r =
                run(cfg(new BatchStrategy.TimeWindow(Duration.ofMillis(20)), Duration.ZERO), 1);
        assertThat(sizes(r)).allSatisfy(s -> assertThat(s).isBetween(1, 1000));
    }

    @Test
    void memoryBased() throws Exception {
        // Long serializes to 8 bytes: 1000 bytes = 125 records per batch
        ItSupport.Run<Tuple2<Long, Integer>, Object> r =
                run(cfg(new BatchStrategy.MemoryBased(1000), Duration.ofSeconds(30)), 1);
        assertThat(sizes(r)).containsExactly(125);
    }

    @Test
    void adaptiveSize() throws Exception {
        ItSupport.Run<Tuple2<Long, Integer>, Object> r =
                run(
                        cfg(
                                new BatchStrategy.AdaptiveSize(10, 200, Duration.ofMillis(50)),
                                Duration.ofSeconds(30)),
                        1);
        assertThat(r.first.get(0).f1).as("the first batch uses the minimum").isEqualTo(10);
        assertThat(sizes(r)).allSatisfy(s -> assertThat(s).isBetween(1, 200));
        assertThat(sizes(r).stream().mapToInt(i -> i).max().getAsInt())
                .as("fast batches grow")
                .isGreaterThan(10);
    }

    @Test
    void lowLatency() throws Exception {
        ItSupport.Run<Tuple2<Long, Integer>, Object> r =
                run(
                        cfg(
                                new BatchStrategy.LowLatency(5, Duration.ofMillis(10), true),
                                Duration.ofMillis(10)),
                        1);
        assertThat(sizes(r)).allSatisfy(s -> assertThat(s).isBetween(1, 5));
    }

    @Test
    void megaBatchParallelWithReusedBuffers() throws Exception {
        ItSupport.Run<Tuple2<Long, Integer>, Object> r =
                run(
                        BatchConfig.builder()
                                .strategy(new BatchStrategy.MegaBatch(250, true, true))
                                .maxBatchSize(100_000)
                                .batchTimeout(Duration.ofSeconds(30))
                                .build(),
                        2);
        assertThat(sizes(r)).allSatisfy(s -> assertThat(s).isBetween(1, 250));
        assertThat(ItSupport.counter(REPORTER, r.jobId, "numFlushesBySize")).isGreaterThan(0);
    }

    @Test
    void disabledPassesThrough() throws Exception {
        ItSupport.Run<Tuple2<Long, Integer>, Object> r = run(BatchConfig.disabled(), 1);
        assertThat(sizes(r)).containsExactly(1);
    }
}
