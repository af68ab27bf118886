package dev.velo.flink.e2e.bench;

import dev.velo.flink.batching.api.VeloBatching;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import dev.velo.flink.batching.sink.VeloSink;
import dev.velo.flink.batching.sink.VeloSinkSettings;
import dev.velo.flink.sql.cli.EmbeddedKafka;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

// Longer than the ~400 lines a class of this project keeps to, on purpose: this is the benchmark
// harness, not product code, and each case is a job built plain, hand-written and with velo side by
// side; keeping every case and its BENCH line in one file is what lets a reader check that the
// three
// variants of a case do the same work. The measuring parts live apart (TimingSink, LatencySink,
// CheckpointBench, BufferedRowMemory, BenchCluster, ChartWriter).
/**
 * Runs the same jobs without and with flink-velo in one JVM and prints one line per case:
 *
 * <pre>
 * BENCH &lt;case&gt; plain=&lt;rec/s&gt; velo=&lt;rec/s&gt; ratio=&lt;velo/plain&gt;
 * BENCH latency_low_latency p50_ms=&lt;x&gt; p99_ms=&lt;y&gt; wait_ms=&lt;w&gt;
 * BENCH latency_adaptive_size p50_ms=&lt;x&gt; p99_ms=&lt;y&gt; target_ms=&lt;t&gt;
 * </pre>
 *
 * <p>Options: {@code --records N} (DataStream records per run, default 40,000,000; SQL uses N/20,
 * Kafka N/200 up to 1,000,000), {@code --cases a,b}, {@code --quick} (small counts, one repetition,
 * and without {@code --cases} only {@link #QUICK_CASES}: a smoke run), {@code --reps R}, {@code
 * --parallelism P}, {@code --chart file.png} (throughput chart of the DataStream cases), {@code
 * --fork}. Lines starting with {@code #} are details.
 *
 * <p>{@code --fork} runs every run of the DataStream cases (plain, hand-written and velo) in a
 * fresh child JVM (see {@link ForkedJvm}): its own MiniCluster, the warm-up (two runs of N/4 unless
 * {@code --quick}) and one measured run of N records. In one JVM the three jobs share the call
 * sites of Flink's runtime (source output, chained operator, sink), so the job that runs first
 * shapes the JIT's type profiles and the others run on code it compiled for that job; a TaskManager
 * runs one job, as JMH runs each benchmark in its own fork. The ratios, medians and {@code BENCH}
 * lines are computed as without it. The other cases run in this JVM either way.
 */
public final class VeloBench {

    /** DataStream strategies, in chart order. */
    static final List<String> DATASTREAM =
            List.of(
                    "fixed_size",
                    "time_window",
                    "memory_based",
                    "adaptive_size",
                    "low_latency",
                    "mega_batch",
                    "mega_batch_no_reuse",
                    "mega_batch_parallel");

    static final List<String> ALL_CASES;

    static {
        List<String> all = new ArrayList<>();
        for (String s : DATASTREAM) {
            all.add("datastream_" + s);
        }
        all.add("sql_fixed_size");
        all.add("kafka_fixed_size");
        all.add("kafka_sink_dlq_fixed_size");
        all.add("kafka_sink_dlq_fixed_size_1000");
        all.add("kafka_sink_dlq_mega_batch");
        all.add("kafka_sink_dlq_window_1000");
        all.add("latency_low_latency");
        all.add("latency_low_latency_eager");
        all.add("latency_time_window");
        all.add("latency_adaptive_size");
        all.add("checkpoint_aligned");
        all.add("checkpoint_unaligned");
        all.add("memory_mega_batch");
        ALL_CASES = Collections.unmodifiableList(all);
    }

    /**
     * What {@code --quick} runs without {@code --cases}: one case of each kind, so that a smoke run
     * of the whole harness stays well under two minutes on this machine.
     */
    static final List<String> QUICK_CASES =
            List.of(
                    "datastream_fixed_size",
                    "datastream_mega_batch",
                    "sql_fixed_size",
                    "kafka_fixed_size",
                    "kafka_sink_dlq_fixed_size_1000",
                    "kafka_sink_dlq_window_1000",
                    "latency_low_latency",
                    "latency_adaptive_size",
                    "checkpoint_aligned",
                    "memory_mega_batch");

    private final PrintStream out;
    private long records = 40_000_000L;
    private int reps = 5;
    private int parallelism = 1;
    private boolean quick;
    private boolean fork;
    private Path chart;
    private List<String> cases = ALL_CASES;
    private final Map<String, double[]> throughput = new LinkedHashMap<>();

    VeloBench(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals(FORK_CHILD)) {
            int code = 1;
            try {
                runForkChild(args);
                code = 0;
            } catch (Throwable t) {
                t.printStackTrace();
            } finally {
                System.out.flush();
                // the MiniCluster leaves non-daemon threads behind
                System.exit(code);
            }
        }
        VeloBench bench = new VeloBench(System.out);
        bench.parse(args);
        bench.run();
        // the Kafka client and MiniCluster leave non-daemon threads behind
        System.exit(0);
    }

    List<String> cases() {
        return cases;
    }

    void parse(String[] args) {
        boolean recordsGiven = false;
        boolean casesGiven = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick":
                    quick = true;
                    break;
                case "--fork":
                    fork = true;
                    break;
                case "--records":
                    records = Long.parseLong(value(args, ++i, a));
                    recordsGiven = true;
                    break;
                case "--reps":
                    reps = Integer.parseInt(value(args, ++i, a));
                    break;
                case "--parallelism":
                    parallelism = Integer.parseInt(value(args, ++i, a));
                    break;
                case "--chart":
                    chart = Path.of(value(args, ++i, a));
                    break;
                case "--cases":
                    cases = Arrays.asList(value(args, ++i, a).split(","));
                    casesGiven = true;
                    for (String c : cases) {
                        if (!ALL_CASES.contains(c)) {
                            throw new IllegalArgumentException(
                                    "unknown case '" + c + "'; accepted: " + ALL_CASES);
                        }
                    }
                    break;
                default:
                    throw new IllegalArgumentException(
                            "unknown option '"
                                    + a
                                    + "'; accepted: --records N, --cases a,b, --quick, --reps R,"
                                    + " --parallelism P, --chart file.png, --fork");
            }
        }
        if (quick) {
            if (!recordsGiven) {
                records = 200_000;
            }
            reps = 1;
            if (!casesGiven) {
                cases = QUICK_CASES;
            }
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    void run() throws Exception {
        out.printf(
                "# VeloBench records=%d reps=%d parallelism=%d cores=%d%n",
                records, reps, parallelism, Runtime.getRuntime().availableProcessors());
        EmbeddedKafka kafka = null;
        if (!fork) {
            cluster = new BenchCluster(parallelism);
        }
        // else on the first job that runs in this JVM: a run of forked DataStream cases needs none
        try {
            long runStart = System.nanoTime();
            long runCpu = OS.getProcessCpuTime();
            for (String c : cases) {
                long caseStart = System.nanoTime();
                long caseCpu = OS.getProcessCpuTime();
                if (c.startsWith("datastream_")) {
                    dataStream(c, c.substring("datastream_".length()));
                } else if (c.equals("sql_fixed_size")) {
                    sql(c);
                } else if (c.startsWith("kafka_")) {
                    if (kafka == null) {
                        kafka = EmbeddedKafka.start();
                    }
                    if (c.equals("kafka_fixed_size")) {
                        kafka(c, kafka);
                    } else if (c.equals("kafka_sink_dlq_window_1000")) {
                        kafkaSinkWindow(c, kafka);
                    } else {
                        kafkaSinkDlq(c, c.substring("kafka_sink_dlq_".length()), kafka);
                    }
                } else if (c.equals("memory_mega_batch")) {
                    BufferedRowMemory.run(out, 50_000);
                } else if (c.startsWith("checkpoint_")) {
                    checkpoint(c, c.equals("checkpoint_unaligned"));
                } else if (c.equals("latency_adaptive_size")) {
                    adaptive(c);
                } else {
                    latency(c, c.substring("latency_".length()));
                }
                out.printf(
                        Locale.ROOT,
                        "# %s took %.1f s, process CPU %.1f s%n",
                        c,
                        (System.nanoTime() - caseStart) / 1e9,
                        (OS.getProcessCpuTime() - caseCpu) / 1e9);
                out.flush();
            }
            out.printf(
                    Locale.ROOT,
                    "# all cases took %.1f s, process CPU %.1f s (the JVM's start and the"
                            + " cluster's before them: %.1f s of CPU)%n",
                    (System.nanoTime() - runStart) / 1e9,
                    (OS.getProcessCpuTime() - runCpu) / 1e9,
                    runCpu / 1e9);
        } finally {
            try {
                if (cluster != null) {
                    cluster.close();
                }
            } finally {
                if (kafka != null) {
                    kafka.close();
                }
            }
        }
        if (chart != null) {
            List<ChartWriter.Bar> bars = new ArrayList<>();
            throughput.forEach(
                    (name, v) -> {
                        if (name.startsWith("datastream_")) {
                            boolean naive = !Double.isNaN(v[3]);
                            bars.add(
                                    new ChartWriter.Bar(
                                            name.replace("datastream_", ""),
                                            v[0],
                                            v[3],
                                            v[1],
                                            naive ? v[4] : v[2]));
                        }
                    });
            ChartWriter.write(chart, ChartWriter.TITLE, bars);
            out.println("# chart written to " + chart);
        }
    }

    // ---------------------------------------------------------------- throughput

    /**
     * Runs warm-up, then plain and velo alternately; prints the medians of each and, as the ratio,
     * the median of the per-repetition ratios velo/plain. The two runs of a repetition follow each
     * other and see about the same load, so their ratio cancels the load drift of a shared machine
     * that the ratio of the two medians keeps (printed on the {@code #} line before).
     */
    private void compare(String name, RunOnce plain, RunOnce velo, long n) throws Exception {
        compare(name, plain, null, velo, n);
    }

    /**
     * As {@link #compare(String, RunOnce, RunOnce, long)}, with a third job in every repetition
     * when {@code naive} is given (plain first, then naive and velo in an order that alternates
     * between repetitions): the hand-written buffer-and-emit stage. The line then also carries
     * {@code naive=} (its median) and {@code vs_naive=} (the median of the per-repetition ratios
     * velo/naive).
     */
    private void compare(String name, RunOnce plain, RunOnce naive, RunOnce velo, long n)
            throws Exception {
        compare(name, plain, "naive", naive, velo, n);
    }

    /**
     * As above, with the third job's fields named after {@code anchor} ({@code <anchor>=}, {@code
     * vs_<anchor>=}, {@code cpu_vs_<anchor>=}). Every line whose runs measured CPU time also
     * carries {@code cpu_ratio=}: the median of the paired ratios velo/plain of records per
     * CPU-second (task-thread CPU for DataStream jobs, the whole process's for Kafka jobs), which
     * the other processes on a shared machine disturb less than the wall clock.
     */
    private void compare(
            String name, RunOnce plain, String anchor, RunOnce naive, RunOnce velo, long n)
            throws Exception {
        compare(name, plain, anchor, naive, velo, n, !quick);
    }

    /** As above; {@code warmUp} false when each run warms up on its own (a forked run). */
    private void compare(
            String name,
            RunOnce plain,
            String anchor,
            RunOnce naive,
            RunOnce velo,
            long n,
            boolean warmUp)
            throws Exception {
        if (warmUp) {
            // JIT warm-up of every path, two runs of a quarter of the records each (the JIT settles
            // within a few million records). --quick skips it (a smoke run).
            long warm = Math.max(1, n / 4);
            for (int w = 0; w < 2; w++) {
                plain.run(warm);
                // the same alternation as the measured repetitions below
                if (naive != null && w == 1) {
                    velo.run(warm);
                    naive.run(warm);
                } else {
                    if (naive != null) {
                        naive.run(warm);
                    }
                    velo.run(warm);
                }
            }
        }
        double[] p = new double[reps];
        double[] a = new double[reps];
        double[] v = new double[reps];
        double[] ratios = new double[reps];
        double[] vsNaive = new double[reps];
        double[] cpuVsNaive = new double[reps];
        double[] cpuRatios = new double[reps];
        for (int r = 0; r < reps; r++) {
            p[r] = plain.run(n);
            double pc = lastCpuRate;
            double ac = Double.NaN;
            double vc;
            if (naive != null && r % 2 == 1) {
                // every other repetition runs velo before the anchor, so that neither always runs
                // right after the plain job (the JIT and GC state one job leaves to the next)
                v[r] = velo.run(n);
                vc = lastCpuRate;
                a[r] = naive.run(n);
                ac = lastCpuRate;
            } else {
                if (naive != null) {
                    a[r] = naive.run(n);
                    ac = lastCpuRate;
                }
                v[r] = velo.run(n);
                vc = lastCpuRate;
            }
            ratios[r] = v[r] / p[r];
            cpuRatios[r] = vc / pc;
            if (naive != null) {
                vsNaive[r] = v[r] / a[r];
                cpuVsNaive[r] = vc / ac;
                out.printf(
                        Locale.ROOT,
                        "# %s rep %d plain=%.0f %s=%.0f velo=%.0f ratio=%.3f vs_%s=%.3f"
                                + " cpu: plain=%.0f %s=%.0f velo=%.0f vs_%s=%.3f%n",
                        name,
                        r,
                        p[r],
                        anchor,
                        a[r],
                        v[r],
                        ratios[r],
                        anchor,
                        vsNaive[r],
                        pc,
                        anchor,
                        ac,
                        vc,
                        anchor,
                        cpuVsNaive[r]);
            } else {
                out.printf(
                        Locale.ROOT,
                        "# %s rep %d plain=%.0f velo=%.0f ratio=%.3f cpu: plain=%.0f velo=%.0f%n",
                        name,
                        r,
                        p[r],
                        v[r],
                        ratios[r],
                        pc,
                        vc);
            }
        }
        double pm = median(p);
        double vm = median(v);
        out.printf(Locale.ROOT, "# %s ratio of the medians=%.3f%n", name, vm / pm);
        double cpuRatio = median(cpuRatios);
        String cpu =
                Double.isNaN(cpuRatio)
                        ? ""
                        : String.format(Locale.ROOT, " cpu_ratio=%.3f", cpuRatio);
        if (naive == null) {
            throughput.put(name, new double[] {pm, vm, median(ratios), Double.NaN, Double.NaN});
            out.printf(
                    Locale.ROOT,
                    "BENCH %s plain=%.0f velo=%.0f ratio=%.3f%s%n",
                    name,
                    pm,
                    vm,
                    median(ratios),
                    cpu);
        } else {
            double am = median(a);
            throughput.put(name, new double[] {pm, vm, median(ratios), am, median(vsNaive)});
            double[] anchorRatios = new double[reps];
            for (int r = 0; r < reps; r++) {
                anchorRatios[r] = a[r] / p[r];
            }
            out.printf(
                    Locale.ROOT,
                    "BENCH %s plain=%.0f velo=%.0f ratio=%.3f %s=%.0f vs_%s=%.3f"
                            + " cpu_vs_%s=%.3f%s %s_ratio=%.3f%n",
                    name,
                    pm,
                    vm,
                    median(ratios),
                    anchor,
                    am,
                    anchor,
                    median(vsNaive),
                    anchor,
                    median(cpuVsNaive),
                    cpu,
                    anchor,
                    median(anchorRatios));
        }
    }

    /**
     * Records per second of task-thread CPU time of the last DataStream run (see {@link
     * TimingSink#recordsPerCpuSecond()}); NaN after other runs.
     */
    private double lastCpuRate = Double.NaN;

    /** One run of a job over {@code n} records, returning records per second. */
    @FunctionalInterface
    interface RunOnce {
        double run(long n) throws Exception;
    }

    /** The cluster every job of this run (but the checkpoint cases') is submitted to. */
    private BenchCluster cluster;

    private StreamExecutionEnvironment env() throws Exception {
        if (cluster == null) {
            cluster = new BenchCluster(parallelism);
        }
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        return cluster.env(conf, parallelism);
    }

    private void dataStream(String name, String strategy) throws Exception {
        if (fork) {
            out.printf(
                    "# %s forked: every run in a fresh JVM (its own MiniCluster, %s, then one"
                            + " measured run of %d records); the # took line's process CPU is this"
                            + " JVM's only%n",
                    name,
                    quick ? "no warm-up" : "a warm-up of 2 runs of " + Math.max(1, records / 4),
                    records);
            compare(
                    name,
                    forked(strategy, "plain"),
                    "naive",
                    forked(strategy, "naive"),
                    forked(strategy, "velo"),
                    records,
                    false);
            return;
        }
        compare(
                name,
                dataStreamJob(strategy, "plain"),
                dataStreamJob(strategy, "naive"),
                dataStreamJob(strategy, "velo"),
                records);
    }

    /** The jobs of a DataStream case: the plain one, the hand-written stage, velo's stage. */
    static final List<String> KINDS = List.of("plain", "naive", "velo");

    /**
     * The {@code kind} job of the DataStream case {@code strategy}. mega_batch_parallel puts a
     * rebalance before the stage in all three jobs: velo's parallel=true rebalances.
     */
    private RunOnce dataStreamJob(String strategy, String kind) {
        if (!DATASTREAM.contains(strategy)) {
            throw new IllegalArgumentException(
                    "unknown DataStream strategy '" + strategy + "'; accepted: " + DATASTREAM);
        }
        boolean parallel = strategy.equals("mega_batch_parallel");
        BatchConfig cfg = BenchStrategies.config(parallel ? "mega_batch" : strategy, parallel);
        switch (kind) {
            case "plain":
                return n -> runDataStream(n, null, false, parallel);
            case "naive":
                return n -> runDataStream(n, cfg, true, parallel);
            case "velo":
                return n -> runDataStream(n, cfg, false, false);
            default:
                throw new IllegalArgumentException(
                        "unknown job kind '" + kind + "'; accepted: " + KINDS);
        }
    }

    /** The hidden first argument of a forked run's child JVM. */
    static final String FORK_CHILD = "--fork-child";

    /** How long a forked run may take, warm-up included, before it is destroyed. */
    static final Duration FORK_TIMEOUT = Duration.ofMinutes(30);

    /**
     * One run of the {@code kind} job of {@code strategy} in a child JVM (see {@link ForkedJvm}).
     */
    private RunOnce forked(String strategy, String kind) {
        return n -> {
            List<String> args = new ArrayList<>();
            args.addAll(
                    List.of(
                            FORK_CHILD,
                            kind,
                            strategy,
                            "--records",
                            Long.toString(n),
                            "--parallelism",
                            Integer.toString(parallelism)));
            if (quick) {
                args.add("--quick");
            }
            double[] result =
                    ForkedJvm.run(
                            ForkedJvm.javaCommand(VeloBench.class.getName(), args),
                            kind + " " + strategy + " of " + n + " records",
                            FORK_TIMEOUT);
            lastCpuRate = result[1];
            return result[0];
        };
    }

    /**
     * The child side of a forked run: {@code --fork-child <kind> <strategy> --records N
     * --parallelism P [--quick]}. Starts its own cluster, warms the job up as {@link #compare} does
     * in one JVM (two runs of N/4, none with {@code --quick}), runs it once over N records and
     * prints {@link ForkedJvm#resultLine}.
     */
    private static void runForkChild(String[] args) throws Exception {
        if (args.length < 3) {
            throw new IllegalArgumentException(
                    FORK_CHILD + " needs <kind> <strategy>; accepted kinds: " + KINDS);
        }
        VeloBench bench = new VeloBench(System.out);
        bench.parse(Arrays.copyOfRange(args, 3, args.length));
        RunOnce job = bench.dataStreamJob(args[2], args[1]);
        try {
            if (!bench.quick) {
                long warm = Math.max(1, bench.records / 4);
                job.run(warm);
                job.run(warm);
            }
            double rate = job.run(bench.records);
            System.out.println(ForkedJvm.resultLine(rate, bench.lastCpuRate));
        } finally {
            if (bench.cluster != null) {
                bench.cluster.close();
            }
        }
    }

    /**
     * fromSequence → discarding sink, with nothing in between ({@code config} null), the naive
     * hand-written stage of {@code config}'s batch size ({@code naive}) or velo's stage; {@code
     * rebalance} puts a rebalance after the source (velo's parallel=true).
     */
    private double runDataStream(long n, BatchConfig config, boolean naive, boolean rebalance)
            throws Exception {
        StreamExecutionEnvironment env = env();
        DataStream<Long> s = env.fromSequence(1, n);
        if (rebalance) {
            s = s.rebalance();
        }
        if (config != null) {
            s =
                    naive
                            ? NaiveBatchingOperator.apply(s, config)
                            : VeloBatching.of(s, config).named("velo").batch().output();
        }
        s.sinkTo(new TimingSink<>()).name("discard");
        TimingSink.reset();
        env.execute(config == null ? "plain" : naive ? "naive" : "velo");
        check(n, TimingSink.count());
        lastCpuRate = TimingSink.recordsPerCpuSecond();
        return TimingSink.recordsPerSecond();
    }

    private static void check(long expected, long actual) {
        if (expected != actual) {
            throw new IllegalStateException(
                    "expected " + expected + " records at the sink, got " + actual);
        }
    }

    private void sql(String name) throws Exception {
        long n = Math.max(1000, records / 20);
        compare(name, r -> runSql(r, false), r -> runSql(r, true), n);
    }

    private double runSql(long n, boolean velo) throws Exception {
        StreamTableEnvironment t = StreamTableEnvironment.create(env());
        t.executeSql(
                "CREATE TEMPORARY TABLE src (id BIGINT, price DOUBLE, qty INT) WITH ("
                        + "'connector'='datagen', 'rows-per-second'='1000000000000', 'number-of-rows'='"
                        + n
                        + "')");
        t.executeSql(
                "CREATE TEMPORARY TABLE snk (id BIGINT, price DOUBLE, qty INT) WITH ("
                        + (velo
                                ? "'connector'='velo', 'velo.connector'='blackhole',"
                                        + " 'batch.strategy'='fixed_size', 'batch.size'='1000'"
                                : "'connector'='blackhole'")
                        + ")");
        return timedWithProcessCpu(
                n, () -> seconds(t.executeSql("INSERT INTO snk SELECT * FROM src")));
    }

    /** A job run returning its duration in seconds. */
    @FunctionalInterface
    interface TimedRun {
        double seconds() throws Exception;
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /**
     * Runs {@code job} over {@code n} records; returns records per second and sets {@link
     * #lastCpuRate} to records per second of the process's CPU time over the run (planning, the
     * MiniCluster, the job and, for Kafka, the embedded broker: the whole work of the run).
     */
    private double timedWithProcessCpu(long n, TimedRun job) throws Exception {
        long cpu0 = OS.getProcessCpuTime();
        double secs = job.seconds();
        long cpu = OS.getProcessCpuTime() - cpu0;
        lastCpuRate = cpu0 < 0 || cpu <= 0 ? Double.NaN : n / (cpu / 1e9);
        return n / secs;
    }

    /** The job's net runtime (submission to finish; without planning) in seconds. */
    private static double seconds(TableResult result) throws Exception {
        result.await();
        JobExecutionResult r = result.getJobClient().orElseThrow().getJobExecutionResult().get();
        return Math.max(1, r.getNetRuntime()) / 1000.0;
    }

    private int kafkaRun;

    private final Set<String> producedTopics = new HashSet<>();

    /**
     * Records per Kafka run: N/200, at least 1,000 (20,000 with {@code --quick}: fewer make a run
     * mostly the job's start and end), at most 1,000,000.
     */
    private int kafkaRecords() {
        return (int) Math.max(quick ? 20_000 : 1000, Math.min(records / 200, 1_000_000));
    }

    private void kafka(String name, EmbeddedKafka kafka) throws Exception {
        int n = kafkaRecords();
        String clean = cleanTopic(kafka, n);
        String dirty = "bench-dirty-" + n;
        if (producedTopics.add(dirty)) {
            kafka.createTopic(dirty, 1);
            produce(kafka, dirty, n, true);
        }
        createOnce(kafka, "bench-dlq");
        long malformed = n / 100;
        out.printf(
                "# %s: %d records per topic, %d malformed in the velo input%n", name, n, malformed);
        String bs = kafka.bootstrapServers();
        String veloSource =
                "'connector'='velo', 'velo.connector'='kafka', 'source.failure_strategy'='SendToDLQ',"
                        + " 'dlq.connector'='kafka', 'dlq.topic'='bench-dlq',"
                        + " 'dlq.properties.bootstrap.servers'='"
                        + bs
                        + "',";
        String veloSink =
                "'connector'='velo', 'velo.connector'='kafka', 'batch.strategy'='fixed_size',"
                        + " 'batch.size'='1000',";
        compare(
                name,
                r -> runKafka(kafka, clean, n, "'connector'='kafka',", "'connector'='kafka',"),
                r -> runKafka(kafka, dirty, n, veloSource, veloSink),
                n);
    }

    /** Creates {@code topic} unless this harness run already did. */
    private void createOnce(EmbeddedKafka kafka, String topic) {
        if (producedTopics.add(topic)) {
            kafka.createTopic(topic, 1);
        }
    }

    /** A topic of {@code n} well-formed JSON records, produced once per harness run. */
    private String cleanTopic(EmbeddedKafka kafka, int n) {
        String clean = "bench-clean-" + n;
        if (producedTopics.add(clean)) {
            kafka.createTopic(clean, 1);
            produce(kafka, clean, n, false);
        }
        return clean;
    }

    /**
     * Plain Kafka → plain Kafka sink vs plain Kafka → velo Kafka sink whose failure strategy is
     * SendToDLQ, with the seed defaults of {@code strategy} (fixed_size 100 or mega_batch 50,000).
     * SendToDLQ needs each batch's outcome, so every batch ends with a flush of the Kafka writer, a
     * broker round trip: the case where batch size decides throughput.
     */
    private void kafkaSinkDlq(String name, String strategy, EmbeddedKafka kafka) throws Exception {
        if (!strategy.equals("fixed_size")
                && !strategy.equals("fixed_size_1000")
                && !strategy.equals("mega_batch")) {
            throw new IllegalArgumentException("unknown case '" + name + "'");
        }
        int n = kafkaRecords();
        String clean = cleanTopic(kafka, n);
        createOnce(kafka, "bench-sink-dlq");
        String velo =
                "'connector'='velo', 'velo.connector'='kafka', 'batch.strategy'='"
                        + (strategy.equals("fixed_size_1000")
                                ? "fixed_size', 'batch.size'='1000"
                                : strategy)
                        + "',"
                        + (strategy.equals("mega_batch") ? " 'batch.parallel'='false'," : "")
                        + " 'sink.failure_strategy'='SendToDLQ', 'dlq.connector'='kafka',"
                        + " 'dlq.topic'='bench-sink-dlq', 'dlq.properties.bootstrap.servers'='"
                        + kafka.bootstrapServers()
                        + "',";
        out.printf("# %s: %d records, seed defaults of %s, sink SendToDLQ%n", name, n, strategy);
        compare(
                name,
                r -> runKafka(kafka, clean, n, "'connector'='kafka',", "'connector'='kafka',"),
                r -> runKafka(kafka, clean, n, "'connector'='kafka',", velo),
                n);
    }

    private static void produce(EmbeddedKafka kafka, String topic, int n, boolean dirty) {
        int chunk = 50_000;
        for (int from = 0; from < n; from += chunk) {
            List<String> values = new ArrayList<>(chunk);
            for (int i = from; i < Math.min(n, from + chunk); i++) {
                values.add(
                        dirty && i % 100 == 99
                                ? "{\"id\": " + i + ", \"name\": not json"
                                : "{\"id\":"
                                        + i
                                        + ",\"name\":\"item-"
                                        + i
                                        + "\",\"price\":"
                                        + (i % 1000) / 10.0
                                        + "}");
            }
            kafka.produceStrings(topic, values);
        }
    }

    /**
     * One run over the whole topic (warm-up and measured runs alike: n records) into a new output
     * topic; {@code srcWith} and {@code snkWith} open the tables' WITH clauses (connector and
     * flink-velo options, each ending with a comma).
     */
    private double runKafka(
            EmbeddedKafka kafka, String topic, int n, String srcWith, String snkWith)
            throws Exception {
        String bs = kafka.bootstrapServers();
        String outTopic = "bench-out-" + (++kafkaRun);
        kafka.createTopic(outTopic, 1);
        StreamTableEnvironment t = StreamTableEnvironment.create(env());
        String common = "'properties.bootstrap.servers'='" + bs + "', 'format'='json'";
        t.executeSql(
                "CREATE TEMPORARY TABLE src (id BIGINT, name STRING, price DOUBLE) WITH ("
                        + srcWith
                        + " 'topic'='"
                        + topic
                        + "', 'properties.group.id'='bench-"
                        + kafkaRun
                        + "', 'scan.startup.mode'='earliest-offset',"
                        + " 'scan.bounded.mode'='latest-offset', "
                        + common
                        + ")");
        t.executeSql(
                "CREATE TEMPORARY TABLE snk (id BIGINT, name STRING, price DOUBLE) WITH ("
                        + snkWith
                        + " 'topic'='"
                        + outTopic
                        + "', "
                        + common
                        + ")");
        return timedWithProcessCpu(
                n, () -> seconds(t.executeSql("INSERT INTO snk SELECT * FROM src")));
    }

    /**
     * Plain Kafka → plain Kafka sink (DataStream API, strings, at-least-once) against the same with
     * a velo sink, fixed_size 1000 and SendToDLQ, in two variants in every repetition: the delegate
     * flushed after every batch ({@code per_batch}: a window of 1 unconfirmed write, how the sink
     * writer learned each batch's outcome before) and once per window of unconfirmed writes (the
     * default bound, {@link VeloSinkSettings#unconfirmedWritesBound()}). The topic is clean, so
     * nothing is dead-lettered: the case measures what learning the outcomes costs.
     */
    private void kafkaSinkWindow(String name, EmbeddedKafka kafka) throws Exception {
        int n = kafkaRecords();
        String clean = cleanTopic(kafka, n);
        BatchConfig batch =
                BatchConfig.builder().strategy(new BatchStrategy.FixedSize(1000)).build();
        out.printf(
                "# %s: %d records, fixed_size 1000, SendToDLQ; per_batch: a delegate flush per"
                        + " batch, velo: per %d unconfirmed writes%n",
                name,
                n,
                VeloSinkSettings.<String>builder()
                        .batchConfig(batch)
                        .build()
                        .unconfirmedWritesBound());
        compare(
                name,
                r -> runKafkaDataStream(kafka, clean, n, batch, 0),
                "per_batch",
                r -> runKafkaDataStream(kafka, clean, n, batch, 1),
                r -> runKafkaDataStream(kafka, clean, n, batch, -1),
                n);
    }

    /**
     * One DataStream run over the whole topic into a new topic: a plain Kafka sink ({@code window}
     * 0), else a velo sink with {@code window} unconfirmed writes at most (-1: the default).
     */
    private double runKafkaDataStream(
            EmbeddedKafka kafka, String topic, int n, BatchConfig batch, int window)
            throws Exception {
        String bs = kafka.bootstrapServers();
        String outTopic = "bench-out-" + (++kafkaRun);
        kafka.createTopic(outTopic, 1);
        StreamExecutionEnvironment env = env();
        KafkaSource<String> source =
                KafkaSource.<String>builder()
                        .setBootstrapServers(bs)
                        .setTopics(topic)
                        .setGroupId("bench-" + kafkaRun)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .setValueOnlyDeserializer(new SimpleStringSchema())
                        .build();
        DataStream<String> s = env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka");
        Sink<String> sink =
                KafkaSink.<String>builder()
                        .setBootstrapServers(bs)
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .setRecordSerializer(
                                KafkaRecordSerializationSchema.builder()
                                        .setTopic(outTopic)
                                        .setValueSerializationSchema(new SimpleStringSchema())
                                        .build())
                        .build();
        if (window != 0) {
            VeloSinkSettings.Builder<String> settings =
                    VeloSinkSettings.<String>builder()
                            .tableName("bench")
                            .batchConfig(batch)
                            .failureConfig(FailureConfig.of(FailureStrategy.SEND_TO_DLQ))
                            .deadLetterWriterFactory(new CountingDeadLetters());
            if (window > 0) {
                settings.maxUnconfirmedWrites(window);
            }
            sink = VeloSink.wrap(sink, settings.build());
        }
        s.sinkTo(sink).name("kafka-out");
        CountingDeadLetters.COUNT.reset();
        double rate =
                timedWithProcessCpu(
                        n, () -> Math.max(1, env.execute("kafka-sink").getNetRuntime()) / 1000.0);
        if (CountingDeadLetters.COUNT.sum() != 0) {
            throw new IllegalStateException(
                    CountingDeadLetters.COUNT.sum() + " dead letters from a clean topic");
        }
        return rate;
    }

    /** A DLQ that counts dead letters (none are expected: the input is clean). */
    static final class CountingDeadLetters implements DeadLetterWriterFactory {
        private static final long serialVersionUID = 1L;
        static final LongAdder COUNT = new LongAdder();

        @Override
        public DeadLetterWriter create(WriterInitContext context) {
            return new DeadLetterWriter() {
                @Override
                public void write(DeadLetter deadLetter) {
                    COUNT.increment();
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            };
        }
    }

    // ---------------------------------------------------------------- latency

    private void latency(String name, String strategy) throws Exception {
        BatchConfig cfg;
        long wait;
        if (strategy.equals("low_latency")) {
            cfg = BenchStrategies.config("low_latency", false);
            wait = ((BatchStrategy.LowLatency) cfg.strategy()).maxWait().toMillis();
        } else if (strategy.equals("low_latency_eager")) {
            // eager flushes: the wait (50 ms) is never reached at 1,000 records/s
            cfg = BenchStrategies.config("low_latency_eager", false);
            wait = 0;
        } else if (strategy.equals("time_window")) {
            cfg = BenchStrategies.config("time_window", false);
            wait = ((BatchStrategy.TimeWindow) cfg.strategy()).window().toMillis();
        } else {
            throw new IllegalArgumentException(name);
        }
        int rate = 1000;
        long n = quick ? 300 : 5000;
        long warm = quick ? 100 : 500;
        if (!quick) {
            runLatency(warm, rate, null, LatencySink::reset);
            runLatency(warm, rate, cfg, LatencySink::reset);
        }
        List<Long> plain = runLatency(n, rate, null, LatencySink::reset);
        List<Long> velo = runLatency(n, rate, cfg, LatencySink::reset);
        double p50p = percentileMs(plain, 50);
        double p99p = percentileMs(plain, 99);
        double p50v = percentileMs(velo, 50);
        double p99v = percentileMs(velo, 99);
        out.printf(
                Locale.ROOT,
                "# %s absolute: plain p50=%.3f p99=%.3f, velo p50=%.3f p99=%.3f ms (%d records at"
                        + " %d/s)%n",
                name,
                p50p,
                p99p,
                p50v,
                p99v,
                n,
                rate);
        out.printf(
                Locale.ROOT,
                "BENCH %s p50_ms=%.3f p99_ms=%.3f wait_ms=%d%n",
                name,
                p50v - p50p,
                p99v - p99p,
                wait);
    }

    private List<Long> runLatency(long n, int rate, BatchConfig velo, Runnable reset)
            throws Exception {
        StreamExecutionEnvironment env = env();
        env.setParallelism(1);
        DataGeneratorSource<Long> source =
                new DataGeneratorSource<>(
                        i -> System.nanoTime(), n, RateLimiterStrategy.perSecond(rate), Types.LONG);
        DataStream<Long> s = env.fromSource(source, WatermarkStrategy.noWatermarks(), "created");
        if (velo != null) {
            s = VeloBatching.of(s, velo).named("velo").batch().output();
        }
        s.sinkTo(new LatencySink()).name("latency");
        reset.run();
        env.execute("latency");
        List<Long> l = LatencySink.latenciesNanos();
        check(n, l.size());
        return l;
    }

    private void adaptive(String name) throws Exception {
        BatchConfig cfg = BenchStrategies.config("adaptive_size", false);
        BatchStrategy.AdaptiveSize a = (BatchStrategy.AdaptiveSize) cfg.strategy();
        int rate = 5000;
        int batches = quick ? 30 : 60;
        long target = a.targetLatency().toMillis();
        long n = (long) batches * rate * target / 1000;
        StreamExecutionEnvironment env = env();
        env.setParallelism(1);
        DataGeneratorSource<Long> source =
                new DataGeneratorSource<>(
                        i -> System.nanoTime(), n, RateLimiterStrategy.perSecond(rate), Types.LONG);
        DataStream<Long> s = env.fromSource(source, WatermarkStrategy.noWatermarks(), "created");
        BatchLatencies.reset();
        VeloBatching.of(s, cfg)
                .named("velo")
                .process(new BatchLatencies(), Types.LONG)
                .output()
                .sinkTo(new TimingSink<>());
        env.execute("adaptive");
        List<double[]> all = BatchLatencies.batches();
        if (all.size() <= 20) {
            throw new IllegalStateException("only " + all.size() + " batches");
        }
        List<Long> after = new ArrayList<>();
        StringBuilder sizes = new StringBuilder();
        for (int i = 0; i < all.size(); i++) {
            if (i < 25 || i % 10 == 0) {
                sizes.append(
                        String.format(
                                Locale.ROOT,
                                " %d:%.0f/%.0fms",
                                i + 1,
                                all.get(i)[0],
                                all.get(i)[1]));
            }
            // the last batch is cut short by the end of input
            if (i >= 20 && i < all.size() - 1) {
                after.add((long) (all.get(i)[1] * 1_000_000));
            }
        }
        out.printf("# %s batches (n:size/latency):%s%n", name, sizes);
        long within =
                after.stream().filter(l -> Math.abs(l / 1e6 - target) <= 0.2 * target).count();
        out.printf(
                Locale.ROOT,
                "# %s batches 21 to %d within +-20%% of the target: %d of %d%n",
                name,
                all.size() - 1,
                within,
                after.size());
        out.printf(
                Locale.ROOT,
                "BENCH %s p50_ms=%.3f p99_ms=%.3f target_ms=%d%n",
                name,
                percentileMs(after, 50),
                percentileMs(after, 99),
                target);
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Checkpoint durations under backpressure (see {@link CheckpointBench}) of the plain job and of
     * fixed_size and mega_batch (seed defaults, parallel=false): p50 and p99 of the completed
     * checkpoints' end-to-end durations, and the time the slow sink needs for one batch of each
     * strategy (batch size / {@value CheckpointBench#RECORDS_PER_MS} per ms).
     */
    private void checkpoint(String name, boolean unaligned) throws Exception {
        Duration interval = Duration.ofMillis(500);
        Duration runFor = Duration.ofSeconds(quick ? 2 : 20);
        StringBuilder line = new StringBuilder("BENCH " + name);
        for (String v : List.of("plain", "fixed_size", "mega_batch")) {
            BatchConfig cfg = v.equals("plain") ? null : BenchStrategies.config(v, false);
            // --quick: 2 s, or longer until 3 checkpoints have completed (at most 20 s), so that
            // each variant reports durations even when the machine is busy
            List<Long> d =
                    CheckpointBench.durations(
                            cfg,
                            unaligned,
                            interval,
                            runFor,
                            quick ? 3 : 1,
                            Duration.ofSeconds(20));
            out.printf(
                    "# %s %s: %d completed checkpoints, durations (ms) %s%n", name, v, d.size(), d);
            line.append(
                    String.format(
                            Locale.ROOT,
                            " %s_p50_ms=%d %s_p99_ms=%d",
                            v,
                            percentile(d, 50),
                            v,
                            percentile(d, 99)));
            if (cfg != null) {
                line.append(
                        String.format(
                                Locale.ROOT,
                                " %s_batch_ms=%d",
                                v,
                                NaiveBatchingOperator.batchSize(cfg)
                                        / CheckpointBench.RECORDS_PER_MS));
            }
        }
        out.println(line);
    }

    private static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    // ---------------------------------------------------------------- helpers

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double percentileMs(List<Long> nanos, double p) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        List<Long> s = new ArrayList<>(nanos);
        Collections.sort(s);
        int idx = (int) Math.ceil(p / 100.0 * s.size()) - 1;
        return s.get(Math.max(0, Math.min(s.size() - 1, idx))) / 1e6;
    }
}
