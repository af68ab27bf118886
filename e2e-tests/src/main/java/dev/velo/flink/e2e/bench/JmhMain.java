package dev.velo.flink.e2e.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the flink-velo JMH benchmarks with short defaults (1 fork, 2 x 1 s warm-up, 3 x 1 s
 * measurement, all benchmarks of this package). Every JMH command-line option passes through and
 * wins over these defaults, e.g. {@code -prof gc}, {@code -p strategy=mega_batch}, {@code -f 3}, or
 * a benchmark regex.
 */
public final class JmhMain {

    private JmhMain() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp()) {
            cli.showHelp();
            return;
        }
        if (cli.shouldList() || cli.shouldListWithParams() || cli.shouldListProfilers()) {
            new Runner(cli).list();
            return;
        }
        ChainedOptionsBuilder b = new OptionsBuilder().parent(cli);
        if (cli.getIncludes().isEmpty()) {
            b.include(JmhMain.class.getPackageName() + "\\..*Benchmark");
        }
        if (!cli.getForkCount().hasValue()) {
            b.forks(1);
        }
        if (!cli.getWarmupIterations().hasValue()) {
            b.warmupIterations(2);
        }
        if (!cli.getWarmupTime().hasValue()) {
            b.warmupTime(TimeValue.seconds(1));
        }
        if (!cli.getMeasurementIterations().hasValue()) {
            b.measurementIterations(3);
        }
        if (!cli.getMeasurementTime().hasValue()) {
            b.measurementTime(TimeValue.seconds(1));
        }
        new Runner(b.build()).run();
    }
}
