package dev.velo.flink.sql.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.annotation.Internal;

/**
 * The table {@code velo demo} ends with: per stream, records in / out / dead-lettered / dropped,
 * batches and throughput, and whether every record is accounted for (in = out + dead-lettered +
 * dropped).
 */
@Internal
public final class DemoSummary {

    /** One line of the summary. */
    public static final class Row {
        final String name;
        final String strategy;
        final long in;
        final long out;
        final long deadLettered;
        final long dropped;
        final long batches;
        final Duration elapsed;

        public Row(
                String name,
                String strategy,
                long in,
                long out,
                long deadLettered,
                long dropped,
                long batches,
                Duration elapsed) {
            this.name = name;
            this.strategy = strategy;
            this.in = in;
            this.out = out;
            this.deadLettered = deadLettered;
            this.dropped = dropped;
            this.batches = batches;
            this.elapsed = elapsed;
        }

        /** Records out per second over the elapsed time; 0 when no time passed. */
        public double throughput() {
            long millis = elapsed.toMillis();
            return millis <= 0 ? 0 : out * 1000.0 / millis;
        }

        /** Whether in = out + dead-lettered + dropped. */
        public boolean accountedFor() {
            return in == out + deadLettered + dropped;
        }
    }

    private final List<Row> rows = new ArrayList<>();

    public DemoSummary add(Row row) {
        rows.add(row);
        return this;
    }

    public DemoSummary add(
            String name,
            String strategy,
            long in,
            long out,
            long deadLettered,
            long dropped,
            long batches,
            Duration elapsed) {
        return add(new Row(name, strategy, in, out, deadLettered, dropped, batches, elapsed));
    }

    /** True when every row is accounted for. */
    public boolean allAccountedFor() {
        return rows.stream().allMatch(Row::accountedFor);
    }

    public void print(PrintStream out) {
        String[] header = {
            "stream",
            "strategy",
            "in",
            "out",
            "dead-lettered",
            "dropped",
            "batches",
            "records/s",
            "ok"
        };
        List<String[]> cells = new ArrayList<>();
        cells.add(header);
        for (Row r : rows) {
            cells.add(
                    new String[] {
                        r.name,
                        r.strategy,
                        Long.toString(r.in),
                        Long.toString(r.out),
                        Long.toString(r.deadLettered),
                        Long.toString(r.dropped),
                        Long.toString(r.batches),
                        String.format(Locale.ROOT, "%,.0f", r.throughput()),
                        r.accountedFor() ? "yes" : "NO"
                    });
        }
        int[] width = new int[header.length];
        for (String[] line : cells) {
            for (int c = 0; c < line.length; c++) {
                width[c] = Math.max(width[c], line[c].length());
            }
        }
        String rule = rule(width);
        out.println(rule);
        for (int i = 0; i < cells.size(); i++) {
            StringBuilder sb = new StringBuilder("|");
            for (int c = 0; c < width.length; c++) {
                String v = cells.get(i)[c];
                boolean numeric = c >= 2 && c <= 7 && i > 0;
                String pad = " ".repeat(width[c] - v.length());
                sb.append(' ').append(numeric ? pad + v : v + pad).append(" |");
            }
            out.println(sb);
            if (i == 0) {
                out.println(rule);
            }
        }
        out.println(rule);
        out.println(
                allAccountedFor()
                        ? "every record accounted for: in = out + dead-lettered + dropped"
                        : "MISMATCH: some records are not accounted for");
    }

    private static String rule(int[] width) {
        StringBuilder sb = new StringBuilder("+");
        for (int w : width) {
            sb.append("-".repeat(w + 2)).append('+');
        }
        return sb.toString();
    }
}
