package dev.velo.flink.batching.api;

import dev.velo.flink.batching.dlq.DeadLetter;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** The result of a {@link VeloBatching} stage: its output and its dead letters. */
@PublicEvolving
public final class VeloStream<R> {

    private final SingleOutputStreamOperator<R> output;
    private final DataStream<DeadLetter> deadLetters;

    VeloStream(SingleOutputStreamOperator<R> output, DataStream<DeadLetter> deadLetters) {
        this.output = output;
        this.deadLetters = deadLetters;
    }

    /**
     * The records the stage emitted: the stage's operator itself, so a {@code uid(…)} or {@code
     * setParallelism(…)} on it applies to the velo stage (its uid defaults to the one {@link
     * VeloBatching.Builder#uid} or {@link VeloBatching.Builder#named} gave).
     */
    public SingleOutputStreamOperator<R> output() {
        return output;
    }

    /** Dead letters of SendToDLQ (also after exhausted retries); empty for other strategies. */
    public DataStream<DeadLetter> deadLetters() {
        return deadLetters;
    }
}
