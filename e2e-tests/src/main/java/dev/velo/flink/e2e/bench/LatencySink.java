package dev.velo.flink.e2e.bench;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Records, for every record (a {@link System#nanoTime()} taken when the source created it), the
 * time from creation to arrival here. Static: the job runs on a MiniCluster in this JVM.
 */
public final class LatencySink implements Sink<Long> {
    private static final long serialVersionUID = 1L;

    private static final List<Long> LATENCIES_NANOS = new ArrayList<>();

    public static synchronized void reset() {
        LATENCIES_NANOS.clear();
    }

    public static synchronized List<Long> latenciesNanos() {
        return new ArrayList<>(LATENCIES_NANOS);
    }

    private static synchronized void add(long nanos) {
        LATENCIES_NANOS.add(nanos);
    }

    @Override
    public SinkWriter<Long> createWriter(WriterInitContext context) {
        return new SinkWriter<>() {
            @Override
            public void write(Long created, Context context) {
                add(System.nanoTime() - created);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
