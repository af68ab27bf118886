package dev.velo.flink.batching.operator;

import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.util.Collector;

/**
 * Processes a whole batch at once (bulk calls, vectorised work). The list is valid only during the
 * call. A throw fails the batch: the failure strategy then applies to every record of it. Outputs
 * are emitted only when the call returns, so a failed call emits nothing; they are copied when
 * collected, so one output object may be reused across {@code collect}. An exception of an operator
 * downstream is not the function's failure: it fails the job. Implement {@link
 * org.apache.flink.api.common.functions.RichFunction} too for open/close.
 */
@PublicEvolving
@FunctionalInterface
public interface BatchFunction<IN, OUT> extends Function {
    void processBatch(List<IN> batch, Collector<OUT> out) throws Exception;
}
