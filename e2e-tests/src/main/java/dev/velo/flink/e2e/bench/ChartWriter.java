package dev.velo.flink.e2e.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Draws a grouped bar chart (plain vs velo throughput per case) as a PNG with Java2D, headless, so
 * that the docs' chart needs nothing but a JDK. {@code main(out.png, bench-output.txt)} charts the
 * {@code BENCH <case> plain=.. velo=..} lines of a VeloBench output.
 */
public final class ChartWriter {

    /**
     * One case: median throughputs of plain, the hand-written stage (naive, NaN when not run) and
     * velo, and the ratio the BENCH line gives (vs_naive when there is a naive figure, else
     * velo/plain; see VeloBench).
     */
    public record Bar(String label, double plain, double naive, double velo, double ratio) {}

    private static final Pattern LINE =
            Pattern.compile(
                    "^BENCH (\\S+) plain=([0-9.]+) velo=([0-9.]+) ratio=([0-9.]+)"
                            + "(?: naive=([0-9.]+) vs_naive=([0-9.]+))?.*$");
    private static final Color NAIVE = new Color(0xe0, 0xa4, 0x58);
    private static final Color PLAIN = new Color(0x8c, 0x9d, 0xb5);
    private static final Color VELO = new Color(0x1f, 0x6f, 0xd1);

    /** The title of the docs' chart. */
    public static final String TITLE =
            "DataStream throughput by strategy (M records/s: plain, hand-written, velo)";

    private ChartWriter() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ChartWriter <out.png> <file with BENCH lines>");
            System.exit(2);
        }
        List<Bar> bars = new ArrayList<>();
        for (String l : Files.readAllLines(Path.of(args[1]))) {
            Matcher m = LINE.matcher(l.trim());
            if (m.matches() && m.group(1).startsWith("datastream_")) {
                boolean naive = m.group(5) != null;
                bars.add(
                        new Bar(
                                m.group(1).substring("datastream_".length()),
                                Double.parseDouble(m.group(2)),
                                naive ? Double.parseDouble(m.group(5)) : Double.NaN,
                                Double.parseDouble(m.group(3)),
                                Double.parseDouble(m.group(naive ? 6 : 4))));
            }
        }
        write(Path.of(args[0]), TITLE, bars);
    }

    /** Writes the chart of {@code bars} (values in records/s, drawn in millions) to {@code out}. */
    public static void write(Path out, String title, List<Bar> bars) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int w = 960;
        int h = 540;
        int left = 70;
        int right = 20;
        int top = 60;
        int bottom = 100;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            g.drawString(title, left, 30);

            double max = 0;
            for (Bar b : bars) {
                max = Math.max(max, Math.max(b.plain(), b.velo()));
                if (!Double.isNaN(b.naive())) {
                    max = Math.max(max, b.naive());
                }
            }
            double maxM = niceCeiling(Math.max(max / 1e6, 0.1));
            int plotH = h - top - bottom;
            int plotW = w - left - right;

            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i <= 5; i++) {
                double v = maxM * i / 5;
                int y = top + plotH - (int) Math.round(plotH * i / 5.0);
                g.setColor(new Color(0xe0, 0xe0, 0xe0));
                g.drawLine(left, y, w - right, y);
                g.setColor(Color.DARK_GRAY);
                String s = String.format(Locale.ROOT, v >= 10 ? "%.0f" : "%.1f", v);
                g.drawString(s, left - 8 - fm.stringWidth(s), y + 4);
            }
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1.2f));
            g.drawLine(left, top + plotH, w - right, top + plotH);
            g.drawLine(left, top, left, top + plotH);

            int n = Math.max(1, bars.size());
            double group = (double) plotW / n;
            boolean anyNaive = bars.stream().anyMatch(b -> !Double.isNaN(b.naive()));
            int perGroup = anyNaive ? 3 : 2;
            int barW = (int) Math.max(4, group * 0.8 / perGroup);
            for (int i = 0; i < bars.size(); i++) {
                Bar b = bars.get(i);
                int x0 = left + (int) (group * i + group / 2) - barW * perGroup / 2;
                drawBar(g, fm, x0, barW, top, plotH, b.plain(), maxM, PLAIN);
                if (anyNaive) {
                    drawBar(g, fm, x0 + barW, barW, top, plotH, b.naive(), maxM, NAIVE);
                }
                drawBar(g, fm, x0 + barW * (perGroup - 1), barW, top, plotH, b.velo(), maxM, VELO);
                g.setColor(Color.BLACK);
                // long names wrap at the underscore nearest their middle
                String label = b.label();
                int cut = -1;
                if (label.length() > 14) {
                    for (int k = label.indexOf('_'); k >= 0; k = label.indexOf('_', k + 1)) {
                        if (cut < 0
                                || Math.abs(k - label.length() / 2)
                                        < Math.abs(cut - label.length() / 2)) {
                            cut = k;
                        }
                    }
                }
                String[] lines =
                        cut > 0
                                ? new String[] {label.substring(0, cut), label.substring(cut + 1)}
                                : new String[] {label};
                for (int k = 0; k < lines.length; k++) {
                    g.drawString(
                            lines[k],
                            left + (int) (group * i + group / 2) - fm.stringWidth(lines[k]) / 2,
                            top + plotH + 18 + 14 * k);
                }
                String ratio = String.format(Locale.ROOT, "x%.2f", b.ratio());
                g.setColor(Color.DARK_GRAY);
                g.drawString(
                        ratio,
                        left + (int) (group * i + group / 2) - fm.stringWidth(ratio) / 2,
                        top + plotH + 18 + 14 * lines.length);
            }
            int ly = h - 25;
            g.setColor(PLAIN);
            g.fillRect(left, ly - 10, 14, 12);
            g.setColor(Color.BLACK);
            g.drawString("plain Flink", left + 20, ly);
            int lx = left + 120;
            if (anyNaive) {
                g.setColor(NAIVE);
                g.fillRect(lx, ly - 10, 14, 12);
                g.setColor(Color.BLACK);
                g.drawString("hand-written buffer-and-emit", lx + 20, ly);
                lx += 230;
            }
            g.setColor(VELO);
            g.fillRect(lx, ly - 10, 14, 12);
            g.setColor(Color.BLACK);
            g.drawString(
                    anyNaive
                            ? "flink-velo (ratio velo/hand-written below each case)"
                            : "with flink-velo (ratio velo/plain below each case)",
                    lx + 20,
                    ly);
        } finally {
            g.dispose();
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ImageIO.write(img, "png", out.toFile());
    }

    private static void drawBar(
            Graphics2D g,
            FontMetrics fm,
            int x,
            int barW,
            int top,
            int plotH,
            double value,
            double maxM,
            Color c) {
        if (Double.isNaN(value)) {
            return;
        }
        double m = value / 1e6;
        int bh = (int) Math.round(plotH * Math.min(1, m / maxM));
        g.setColor(c);
        g.fillRect(x, top + plotH - bh, barW - 2, bh);
        g.setColor(Color.BLACK);
        String s = String.format(Locale.ROOT, m >= 10 ? "%.0f" : "%.1f", m);
        g.drawString(s, x + (barW - 2 - fm.stringWidth(s)) / 2, top + plotH - bh - 4);
    }

    private static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double f : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (f * p >= v) {
                return f * p;
            }
        }
        return 10 * p;
    }
}
