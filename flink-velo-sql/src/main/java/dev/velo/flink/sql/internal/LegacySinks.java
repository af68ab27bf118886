package dev.velo.flink.sql.internal;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.java.typeutils.InputTypeConfigurable;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.transformations.LegacySinkTransformation;
import org.apache.flink.table.data.RowData;

/**
 * Adds a {@link VeloSinkFunctionOperator} to a stream as its sink: the same kind of transformation
 * as {@code DataStream#addSink} and the planner's own for a table's sink function (a legacy sink,
 * shown as {@code Sink: <name>}), with velo's operator in place of Flink's.
 */
@Internal
public final class LegacySinks {

    private LegacySinks() {}

    /** The sink of {@code input} running {@code operator}, at the environment's parallelism. */
    public static DataStreamSink<RowData> add(
            DataStream<RowData> input, VeloSinkFunctionOperator operator) {
        StreamExecutionEnvironment env = input.getExecutionEnvironment();
        if (operator.getUserFunction() instanceof InputTypeConfigurable) {
            // as addSink does for a function that wants its input type
            ((InputTypeConfigurable) operator.getUserFunction())
                    .setInputType(input.getType(), env.getConfig());
        }
        LegacySinkTransformation<RowData> transformation =
                new LegacySinkTransformation<>(
                        input.getTransformation(),
                        "Unnamed",
                        SimpleOperatorFactory.of(operator),
                        env.getParallelism(),
                        false);
        env.addOperator(transformation);
        return new Sink(transformation);
    }

    /** {@link DataStreamSink}'s constructor is for its subclasses. */
    private static final class Sink extends DataStreamSink<RowData> {
        Sink(LegacySinkTransformation<RowData> transformation) {
            super(transformation);
        }
    }
}
