package dev.velo.flink.sql.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.util.EnvironmentInformation;

/**
 * The {@code velo} command line: {@code run}, {@code validate}, {@code translate}, {@code demo} and
 * {@code replay} for Velostream scripts. {@link #run} returns the exit code (0 ok, 1 errors, 2
 * usage) and never exits the JVM; errors are one-line messages, never stack traces. Each command is
 * a class of its own ({@link RunCommand}, {@link ValidateCommand}, ...); their arguments are parsed
 * by {@link CliArguments}.
 */
@PublicEvolving
public final class VeloCli {

    static final int OK = 0;
    static final int ERRORS = 1;
    static final int USAGE = 2;

    static final String USAGE_TEXT =
            String.join(
                    "\n",
                    "usage: velo <command> [options]",
                    "",
                    "  run FILE.sql [--cluster HOST:PORT]   run a script (embedded MiniCluster by default;",
                    "                                        streaming scripts checkpoint every 10 s)",
                    "      [--web-ui [PORT]]                 serve Flink's Web UI while it runs (default 8081)",
                    "  validate (FILE.sql | -e SQL) [--json] print the effective velo options of every table",
                    "  translate (FILE.sql | -e SQL)         print the Flink SQL a script becomes",
                    "  demo [--records N] [--web-ui [PORT]]  embedded Kafka, several strategies and a DLQ",
                    "  bench [--quick] [--cases a,b]         plain Flink vs flink-velo throughput and latency",
                    "  replay FILE.sql --table NAME [--error-class C] [--from T] [--to T]",
                    "                                        write a table's sink dead letters into it again",
                    "",
                    "  --version                             the versions of velo, Flink and Java",
                    "",
                    "Variables ${NAME} and ${NAME:-default} are read from the environment.");

    static final int DEFAULT_WEB_UI_PORT = 8081;

    private final Map<String, String> environment;

    public VeloCli() {
        this(System.getenv());
    }

    /** A CLI reading {@code ${VAR}} values from the given map (tests). */
    public VeloCli(Map<String, String> environment) {
        this.environment = environment;
    }

    public static void main(String[] args) {
        System.exit(new VeloCli().run(args, System.out, System.err));
    }

    /** Runs one command; returns its exit code. */
    public int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE_TEXT);
            return USAGE;
        }
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        try {
            switch (args[0]) {
                case "run":
                    return new RunCommand(environment).run(rest, out, err);
                case "validate":
                    return new ValidateCommand(environment).run(rest, out, err);
                case "translate":
                    return new TranslateCommand(environment).run(rest, out, err);
                case "demo":
                    return new DemoCommand(environment).run(rest, out, err);
                case "replay":
                    return new ReplayCommand(environment).run(rest, out, err);
                case "help":
                case "-h":
                case "--help":
                    out.println(USAGE_TEXT);
                    return OK;
                case "version":
                case "-V":
                case "--version":
                    out.println(versionLine());
                    return OK;
                default:
                    err.println("velo: unknown command '" + args[0] + "'");
                    err.println(USAGE_TEXT);
                    return USAGE;
            }
        } catch (UsageException e) {
            err.println("velo " + args[0] + ": " + e.getMessage());
            err.println(USAGE_TEXT);
            return USAGE;
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Makes the embedded MiniCluster serve Flink's REST API and, with flink-runtime-web on the
     * classpath (the velo distribution has it), its Web UI on {@code port}.
     */
    static void withWebUi(Configuration conf, int port, PrintStream out, PrintStream err) {
        conf.set(RestOptions.BIND_ADDRESS, "localhost");
        conf.set(RestOptions.ADDRESS, "localhost");
        conf.set(RestOptions.BIND_PORT, String.valueOf(port));
        conf.set(RestOptions.PORT, port);
        boolean ui = VeloCli.class.getClassLoader().getResource("web/index.html") != null;
        out.println(
                "velo: Flink "
                        + (ui ? "Web UI" : "REST API")
                        + " at http://localhost:"
                        + port
                        + (ui ? " (velo's metrics: open the job, a velo operator, Metrics)" : ""));
        if (!ui) {
            err.println(
                    "velo: flink-runtime-web is not on the classpath, so only the REST API is"
                            + " served");
        }
    }

    /** {@code velo <version> (Apache Flink <version>, Java <version>)}. */
    static String versionLine() {
        String velo = System.getProperty("velo.version");
        if (velo == null) {
            velo = VeloCli.class.getPackage().getImplementationVersion();
        }
        return "velo "
                + (velo == null ? "(development build)" : velo)
                + " (Apache Flink "
                + EnvironmentInformation.getVersion()
                + ", Java "
                + System.getProperty("java.version")
                + ")";
    }

    /** The distinct messages of a cause chain, outermost first, on one line each. */
    static String messages(Throwable e) {
        List<String> lines = new ArrayList<>();
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = e; t != null && seen.add(t) && lines.size() < 5; t = t.getCause()) {
            String m = t.getMessage();
            if (m == null || m.isBlank()) {
                m = t.getClass().getSimpleName();
            }
            m = m.strip();
            boolean repeated = false;
            for (String l : lines) {
                repeated |= l.contains(m);
            }
            if (!repeated) {
                lines.add(m);
            }
        }
        return String.join(System.lineSeparator() + "  caused by: ", lines);
    }
}
