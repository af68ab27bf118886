package dev.velo.flink.sql.docs;

import dev.velo.flink.batching.api.VeloBatching;
import dev.velo.flink.batching.api.VeloStream;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The complete DataStream job of docs/datastream-api.md, verbatim; DocsExamplesITCase runs it. */
public class ParseNumbersJob {
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(10_000);

        DataStream<String> lines = env.fromData("1", "2", "oops", "4");

        VeloStream<Long> parsed =
                VeloBatching.of(lines, BatchConfig.defaults())
                        .withFailureConfig(FailureConfig.of(FailureStrategy.SEND_TO_DLQ))
                        .named("parse")
                        .map((line, out) -> out.collect(Long.parseLong(line)), Types.LONG);

        parsed.output().print("parsed");
        parsed.deadLetters().map(DeadLetter::getErrorMessage, Types.STRING).print("dead letter");

        env.execute("velo-datastream-example");
    }
}
