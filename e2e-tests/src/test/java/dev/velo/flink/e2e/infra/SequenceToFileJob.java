package dev.velo.flink.e2e.infra;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A tiny DataStream job for {@link StandaloneClusterITCase}: writes the lines {@code record-1} ..
 * {@code record-N} into files under a directory. Shipped to the cluster in a job JAR.
 */
public final class SequenceToFileJob {

    private SequenceToFileJob() {}

    /** Arguments: output directory URI, number of records. */
    public static void main(String[] args) throws Exception {
        String outputDir = args[0];
        long count = Long.parseLong(args[1]);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.fromSequence(1, count)
                .map(i -> "record-" + i)
                .returns(Types.STRING)
                .sinkTo(
                        FileSink.forRowFormat(
                                        new Path(outputDir), new SimpleStringEncoder<String>())
                                .build());
        env.execute("sequence-to-file");
    }
}
