package dev.velo.flink.e2e.bench;

import dev.velo.flink.batching.batcher.RecordSizeEstimator;
import dev.velo.flink.batching.batcher.RecordSizeEstimators;
import dev.velo.flink.batching.internal.batcher.MegaBatchBatcher;
import java.io.PrintStream;
import java.lang.ref.Reference;
import java.util.Locale;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarCharType;

/**
 * Heap bytes per buffered record of a mega batch of 5-column rows (BIGINT, VARCHAR of 12 to 16
 * characters, DOUBLE, INT, TIMESTAMP(3)), next to the row's serialized size and the estimate that
 * {@code batch.memory_size} counts: fills a reused mega batch (reuse_buffer) with copies of the
 * rows and their timestamps in a primitive column, as a batching stage holds them with object reuse
 * on, and measures the retained heap with a forced GC before and after. Prints one {@code BENCH
 * memory_<form>} line per row form (the planner's BinaryRowData and a GenericRowData).
 */
public final class BufferedRowMemory {

    static final LogicalType[] TYPES = {
        new BigIntType(), new VarCharType(64), new DoubleType(), new IntType(), new TimestampType(3)
    };

    private BufferedRowMemory() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        run(System.out, n);
    }

    static void run(PrintStream out, int n) {
        RowDataSerializer serializer = new RowDataSerializer(TYPES);
        for (boolean binary : new boolean[] {true, false}) {
            // warm the code and the classes, then measure
            measure(serializer, Math.min(n, 1000), binary);
            double[] r = measure(serializer, n, binary);
            out.printf(
                    Locale.ROOT,
                    "BENCH memory_%s records=%d heap_bytes_per_record=%.1f serialized_bytes=%.1f"
                            + " memory_size_estimate=%.1f heap_per_serialized=%.2f%n",
                    binary ? "binary_row" : "generic_row",
                    n,
                    r[0],
                    r[1],
                    r[2],
                    r[0] / r[1]);
        }
    }

    private static RowData row(long i) {
        return GenericRowData.of(
                i,
                StringData.fromString("customer-" + (100_000 + i % 900_000)),
                (i % 10_000) / 100.0,
                (int) (i % 1000),
                TimestampData.fromEpochMillis(1_700_000_000_000L + i));
    }

    /** heap bytes per record, serialized bytes per record, memory_size estimate per record. */
    private static double[] measure(RowDataSerializer serializer, int n, boolean binary) {
        // the input rows are made before the first reading: only the batch's copies are counted
        RowData[] input = new RowData[n];
        for (int i = 0; i < n; i++) {
            RowData g = row(i);
            input[i] = binary ? serializer.toBinaryRow(g).copy() : g;
        }
        MegaBatchBatcher<RowData> batcher = new MegaBatchBatcher<>(n, n, Long.MAX_VALUE / 4, true);
        RowData[] copies = new RowData[n];
        long before = usedAfterGc();
        // as a batching stage holds them: the values in the batch, their timestamps (all
        // different here) in a primitive column (BatchTimestamps), no holder per record
        long[] timestamps = new long[n];
        boolean[] present = new boolean[n];
        for (int i = 0; i < n; i++) {
            copies[i] = serializer.copy(input[i]);
            batcher.add(copies[i], 0);
            timestamps[i] = i;
            present[i] = true;
        }
        long after = usedAfterGc();
        Reference.reachabilityFence(timestamps);
        Reference.reachabilityFence(present);
        double heap = (after - before) / (double) n;
        DataOutputSerializer buf = new DataOutputSerializer(256);
        RecordSizeEstimator<RowData> estimator = RecordSizeEstimators.forRowData();
        long ser = 0;
        long est = 0;
        for (int i = 0; i < n; i++) {
            buf.clear();
            try {
                serializer.serialize(copies[i], buf);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            ser += buf.length();
            est += estimator.estimate(copies[i]);
        }
        if (batcher.size() != n || input.length != n) {
            throw new IllegalStateException("batch not full");
        }
        return new double[] {heap, ser / (double) n, est / (double) n};
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
