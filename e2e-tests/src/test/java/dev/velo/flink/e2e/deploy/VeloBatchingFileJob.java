package dev.velo.flink.e2e.deploy;

import dev.velo.flink.batching.api.VeloBatching;
import dev.velo.flink.batching.api.VeloStream;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.operator.RecordFunction;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * A user's DataStream job, shipped to a standalone cluster in a job JAR with flink-velo-batching
 * shaded in (see {@link JobJarOnClusterITCase}): a velo stage that rejects every record divisible
 * by a given number, output and dead letters written to files. Depends on nothing but its own
 * nested classes, flink-velo-batching and Flink.
 */
public final class VeloBatchingFileJob {

    private VeloBatchingFileJob() {}

    /**
     * Arguments: output directory URI, dead-letter directory URI, number of records, preset name
     * ({@code defaults}, {@code highThroughput}, {@code ultraThroughput} or {@code lowLatency}),
     * divisor of the rejected records.
     */
    public static void main(String[] args) throws Exception {
        String outputDir = args[0];
        String deadLetterDir = args[1];
        long count = Long.parseLong(args[2]);
        String preset = args[3];
        long divisor = Long.parseLong(args[4]);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        DataStream<Long> ids = env.fromSequence(1, count).name("ids");
        VeloStream<String> stage =
                VeloBatching.of(ids, preset(preset))
                        .withFailureConfig(FailureConfig.of(FailureStrategy.SEND_TO_DLQ))
                        .named("velo-" + preset)
                        .map(new RejectMultiples(divisor), Types.STRING);
        stage.output().sinkTo(fileSink(outputDir)).name("output");
        stage.deadLetters()
                .map(new DescribeDeadLetter())
                .returns(Types.STRING)
                .sinkTo(fileSink(deadLetterDir))
                .name("dead-letters");
        env.execute("velo-job-jar-" + preset);
    }

    private static BatchConfig preset(String name) {
        switch (name) {
            case "defaults":
                return BatchConfig.defaults();
            case "highThroughput":
                return BatchConfig.highThroughput();
            case "ultraThroughput":
                return BatchConfig.ultraThroughput();
            case "lowLatency":
                return BatchConfig.lowLatency();
            default:
                throw new IllegalArgumentException("Unknown preset " + name);
        }
    }

    private static FileSink<String> fileSink(String dir) {
        return FileSink.forRowFormat(new Path(dir), new SimpleStringEncoder<String>()).build();
    }

    /** Emits {@code record-<id>}; throws on multiples of the divisor. */
    static final class RejectMultiples implements RecordFunction<Long, String> {
        private static final long serialVersionUID = 1L;
        private final long divisor;

        RejectMultiples(long divisor) {
            this.divisor = divisor;
        }

        @Override
        public void flatMap(Long id, Collector<String> out) {
            if (id % divisor == 0) {
                throw new IllegalStateException("record " + id + " is not welcome");
            }
            out.collect("record-" + id);
        }
    }

    /** One line per dead letter: payload, side, strategy, error class. */
    static final class DescribeDeadLetter implements MapFunction<DeadLetter, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String map(DeadLetter dl) {
            return String.join(
                    "|",
                    new String(dl.getPayload(), StandardCharsets.UTF_8),
                    dl.getSide(),
                    dl.getStrategy(),
                    dl.getErrorClass());
        }
    }
}
