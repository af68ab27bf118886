package dev.velo.flink.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.api.VeloBatching;
import dev.velo.flink.batching.api.VeloStream;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.operator.RecordFunction;
import dev.velo.flink.batching.sink.VeloSink;
import dev.velo.flink.batching.sink.VeloSinkSettings;
import dev.velo.flink.sql.testing.VeloTestClusters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A DataStream job as users write it: a {@link VeloBatching} stage with a record function that
 * fails on some records, then {@link VeloSink#wrap} around a real Sink V2 whose writer refuses some
 * records, for each {@link BatchConfig} preset. Every record arrives exactly once, either as output
 * or as a dead letter, and the velo counters balance.
 */
class DataStreamApiJobITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = VeloTestClusters.withReporter(REPORTER);

    private static final long RECORDS = 5_000;

    static Stream<Arguments> presets() {
        return Stream.of(
                Arguments.of("defaults", BatchConfig.defaults()),
                Arguments.of("highThroughput", BatchConfig.highThroughput()),
                Arguments.of("ultraThroughput", BatchConfig.ultraThroughput()),
                Arguments.of("lowLatency", BatchConfig.lowLatency()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void everyRecordArrivesOnceAsOutputOrDeadLetter(String preset, BatchConfig batchConfig)
            throws Exception {
        Set<Long> failInStage = ids(id -> id % 97 == 0);
        Set<String> refusedBySink =
                ids(id -> id % 101 == 0 && id % 97 != 0).stream()
                        .map(DataStreamApiJobITCase::text)
                        .collect(Collectors.toSet());
        CollectingSink<String> sink = CollectingSink.rejecting(refusedBySink);
        CollectingSink.DeadLetters sinkDlq = new CollectingSink.DeadLetters();
        CollectingSink<DeadLetter> stageDlq = CollectingSink.accepting();
        FailureConfig sendToDlq = FailureConfig.of(FailureStrategy.SEND_TO_DLQ);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<Long> ids = env.fromSequence(1, RECORDS).name("ids");
        VeloStream<String> stage =
                VeloBatching.of(ids, batchConfig)
                        .withFailureConfig(sendToDlq)
                        .named("enrich-" + preset)
                        .map(new FailOn(failInStage), Types.STRING);
        stage.deadLetters().sinkTo(stageDlq).name("stage-dead-letters");
        stage.output()
                .sinkTo(
                        VeloSink.wrap(
                                sink,
                                VeloSinkSettings.<String>builder()
                                        .tableName("write-" + preset)
                                        .batchConfig(batchConfig)
                                        .failureConfig(sendToDlq)
                                        .deadLetterWriterFactory(sinkDlq)
                                        .build()))
                .name("write-" + preset);
        JobExecutionResult result = env.execute("datastream-" + preset);

        List<String> expectedOut =
                LongStream.rangeClosed(1, RECORDS)
                        .filter(id -> !failInStage.contains(id))
                        .mapToObj(DataStreamApiJobITCase::text)
                        .filter(t -> !refusedBySink.contains(t))
                        .collect(Collectors.toList());
        assertThat(sink.results()).containsExactlyInAnyOrderElementsOf(expectedOut);
        assertThat(payloads(stageDlq.results()))
                .containsExactlyInAnyOrderElementsOf(
                        failInStage.stream().map(String::valueOf).collect(Collectors.toList()));
        assertThat(stageDlq.results())
                .allSatisfy(
                        dl -> {
                            assertThat(dl.getSide()).isEqualTo(DeadLetter.SIDE_PROCESS);
                            assertThat(dl.getTableName()).isEqualTo("enrich-" + preset);
                            assertThat(dl.getErrorMessage()).contains("rejected id");
                        });
        assertThat(payloads(sinkDlq.letters())).containsExactlyInAnyOrderElementsOf(refusedBySink);
        assertThat(sinkDlq.letters())
                .allSatisfy(
                        dl -> {
                            assertThat(dl.getSide()).isEqualTo(DeadLetter.SIDE_SINK);
                            assertThat(dl.getErrorMessage()).contains("refused");
                        });

        VeloCounters stageCounters =
                VeloCounters.of(REPORTER, result.getJobID(), "enrich-" + preset);
        assertThat(stageCounters.in()).isEqualTo(RECORDS);
        assertThat(stageCounters.deadLettered()).isEqualTo(failInStage.size());
        assertThat(stageCounters.out()).isEqualTo(RECORDS - failInStage.size());
        assertThat(stageCounters.balanced()).as("%s", stageCounters).isTrue();
        VeloCounters sinkCounters = VeloCounters.of(REPORTER, result.getJobID(), "write-" + preset);
        assertThat(sinkCounters.in()).isEqualTo(RECORDS - failInStage.size());
        assertThat(sinkCounters.deadLettered()).isEqualTo(refusedBySink.size());
        assertThat(sinkCounters.out()).isEqualTo(expectedOut.size());
        assertThat(sinkCounters.balanced()).as("%s", sinkCounters).isTrue();
    }

    private static Set<Long> ids(java.util.function.LongPredicate p) {
        return LongStream.rangeClosed(1, RECORDS).filter(p).boxed().collect(Collectors.toSet());
    }

    private static String text(long id) {
        return "id-" + id;
    }

    private static List<String> payloads(List<DeadLetter> letters) {
        return letters.stream()
                .map(dl -> new String(dl.getPayload(), StandardCharsets.UTF_8))
                .collect(Collectors.toList());
    }

    /** The user's per-record logic: throws on the ids it is told to reject. */
    private static final class FailOn implements RecordFunction<Long, String> {
        private static final long serialVersionUID = 1L;
        private final Set<Long> rejected;

        FailOn(Set<Long> rejected) {
            this.rejected = Set.copyOf(rejected);
        }

        @Override
        public void flatMap(Long id, Collector<String> out) {
            if (rejected.contains(id)) {
                throw new IllegalArgumentException("rejected id " + id);
            }
            out.collect(text(id));
        }
    }
}
