package dev.velo.flink.batching.operator;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.util.Collector;

/**
 * Processes the records of a batch one by one, like a flatMap. A throw fails that record only; its
 * outputs from the failed call are discarded. Outputs are emitted when the call returns and are
 * copied when collected, so one output object may be reused across {@code collect}. An exception of
 * an operator downstream is not the function's failure: it fails the job. Implement {@link
 * org.apache.flink.api.common.functions.RichFunction} too for open/close.
 */
@PublicEvolving
@FunctionalInterface
public interface RecordFunction<IN, OUT> extends Function {
    void flatMap(IN record, Collector<OUT> out) throws Exception;
}
