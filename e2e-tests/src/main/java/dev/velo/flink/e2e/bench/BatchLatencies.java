package dev.velo.flink.e2e.bench;

import dev.velo.flink.batching.operator.BatchFunction;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;

/**
 * A batch function that records each batch's size and latency: from the creation of its first
 * record ({@link System#nanoTime()} carried as the value) to the batch being processed. Static: the
 * job runs on a MiniCluster in this JVM.
 */
public final class BatchLatencies implements BatchFunction<Long, Long> {
    private static final long serialVersionUID = 1L;

    private static final List<double[]> BATCHES = new ArrayList<>();

    public static synchronized void reset() {
        BATCHES.clear();
    }

    /** {size, latency in ms} per batch, in order. */
    public static synchronized List<double[]> batches() {
        return new ArrayList<>(BATCHES);
    }

    private static synchronized void add(double size, double latencyMs) {
        BATCHES.add(new double[] {size, latencyMs});
    }

    @Override
    public void processBatch(List<Long> batch, Collector<Long> out) {
        if (!batch.isEmpty()) {
            add(batch.size(), (System.nanoTime() - batch.get(0)) / 1e6);
        }
    }
}
