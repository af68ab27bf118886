package dev.velo.flink.sql.cli;

import dev.velo.flink.sql.dialect.VeloSql;
import dev.velo.flink.sql.dialect.VeloSqlException;
import dev.velo.flink.sql.dialect.VeloTranslation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * The {@code velo} command line: {@code run}, {@code validate}, {@code translate}, {@code demo} and
 * {@code replay} for Velostream scripts. {@link #run} returns the exit code (0 ok, 1 errors, 2
 * usage) and never exits the JVM; errors are one-line messages, never stack traces.
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

    static final String CHECKPOINT_INTERVAL = "execution.checkpointing.interval";
    static final String DEFAULT_CHECKPOINT_INTERVAL = "10s";

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
                    return runCommand(rest, out, err);
                case "validate":
                    return validateCommand(rest, out, err);
                case "translate":
                    return translateCommand(rest, out, err);
                case "demo":
                    return demoCommand(rest, out, err);
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

    // ---------------------------------------------------------------- translate

    private int translateCommand(List<String> args, PrintStream out, PrintStream err) {
        Script script = readScript(args, Set.of());
        if (script == null) {
            throw new UsageException("give a FILE.sql or -e SQL");
        }
        try {
            VeloTranslation t = translator(script).translateScript(script.text);
            t.notes().forEach(n -> err.println("-- note: " + n));
            out.print(t.toScript());
            return OK;
        } catch (VeloSqlException e) {
            e.getErrors().forEach(x -> err.println(position(script, x)));
            return ERRORS;
        } catch (RuntimeException e) {
            err.println("velo: " + messages(e));
            return ERRORS;
        }
    }

    // ---------------------------------------------------------------- validate

    private int validateCommand(List<String> args, PrintStream out, PrintStream err) {
        boolean json = args.remove("--json");
        Script script = readScript(args, Set.of());
        if (script == null) {
            throw new UsageException("give a FILE.sql or -e SQL");
        }
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        VeloTranslation t = translator(script).validateScript(script.text);
        t.errors().forEach(e -> errors.add(position(script, e)));
        t.warnings().forEach(w -> warnings.add(position(script, w)));
        // every table whose options are valid is listed, also when another table has errors;
        // the translator already reported option errors with their position
        boolean reported = !errors.isEmpty();
        for (Map.Entry<String, Map<String, String>> table : t.veloTables().entrySet()) {
            try {
                EffectiveOptions effective = EffectiveOptions.of(table.getKey(), table.getValue());
                tables.put(table.getKey(), effective.options);
                warnings.addAll(effective.warnings);
            } catch (ValidationException e) {
                if (!reported) {
                    errors.add(messages(e));
                }
            }
        }
        if (json) {
            StringBuilder sb = new StringBuilder("{\"tables\":[");
            String sep = "";
            for (Map.Entry<String, Map<String, String>> table : tables.entrySet()) {
                sb.append(sep)
                        .append("{\"name\":")
                        .append(Json.string(table.getKey()))
                        .append(",\"options\":")
                        .append(Json.object(table.getValue()))
                        .append('}');
                sep = ",";
            }
            sb.append("],\"errors\":")
                    .append(Json.strings(errors))
                    .append(",\"warnings\":")
                    .append(Json.strings(warnings))
                    .append('}');
            out.println(sb);
        } else {
            for (Map.Entry<String, Map<String, String>> table : tables.entrySet()) {
                out.println("table " + table.getKey());
                table.getValue().forEach((k, v) -> out.println("  " + k + " = " + v));
            }
            warnings.forEach(w -> err.println("warning: " + w));
            errors.forEach(e -> err.println("error: " + e));
            if (errors.isEmpty()) {
                out.println(
                        "valid: "
                                + tables.size()
                                + (tables.size() == 1 ? " table" : " tables")
                                + " with velo options");
            }
        }
        return errors.isEmpty() ? OK : ERRORS;
    }

    // ---------------------------------------------------------------- run

    private int runCommand(List<String> args, PrintStream out, PrintStream err) {
        String cluster = null;
        int at = args.indexOf("--cluster");
        if (at >= 0) {
            if (at + 1 >= args.size()) {
                throw new UsageException("--cluster needs HOST:PORT");
            }
            cluster = args.remove(at + 1);
            args.remove(at);
            if (!cluster.matches("[^:]+:\\d+")) {
                throw new UsageException("--cluster expects HOST:PORT, got '" + cluster + "'");
            }
        }
        Integer webUi = webUiPort(args);
        if (webUi != null && cluster != null) {
            throw new UsageException(
                    "--web-ui starts the Web UI of the embedded MiniCluster; a cluster given with"
                            + " --cluster has its own at http://"
                            + cluster);
        }
        Script script = readScript(args, Set.of());
        if (script == null || script.file == null) {
            throw new UsageException("give a FILE.sql");
        }
        try {
            VeloSql velo = translator(script);
            VeloTranslation t = velo.translateScript(script.text);
            t.notes().forEach(n -> err.println("note: " + n));
            RuntimeExecutionMode mode = t.runtimeMode().orElse(RuntimeExecutionMode.STREAMING);
            TableEnvironment env = environment(mode, cluster, webUi, out, err);
            TableResult result = velo.executeTranslation(env, t);
            if (result != null && result.getJobClient().isPresent()) {
                out.println(
                        "velo: job "
                                + result.getJobClient().get().getJobID()
                                + " submitted"
                                + (cluster == null
                                        ? " to the embedded MiniCluster"
                                        : " to " + cluster)
                                + " ("
                                + mode.name().toLowerCase()
                                + " mode)");
                if (t.hasDml()) {
                    result.await();
                } else {
                    printRows(result, out);
                }
                out.println("velo: job finished");
            } else if (result != null
                    && result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
                printRows(result, out);
            } else {
                out.println("velo: no INSERT or CREATE STREAM in the script; nothing to run");
            }
            return OK;
        } catch (VeloSqlException e) {
            e.getErrors().forEach(x -> err.println(position(script, x)));
            return ERRORS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("velo: interrupted");
            return ERRORS;
        } catch (Exception e) {
            err.println("velo: " + messages(e));
            return ERRORS;
        }
    }

    /** A query's rows as they arrive, one line each, columns separated by " | ". */
    private static void printRows(TableResult result, PrintStream out) throws Exception {
        out.println(String.join(" | ", result.getResolvedSchema().getColumnNames()));
        try (CloseableIterator<Row> rows = result.collect()) {
            while (rows.hasNext()) {
                Row row = rows.next();
                StringBuilder sb = new StringBuilder(row.getKind().shortString()).append(' ');
                for (int i = 0; i < row.getArity(); i++) {
                    sb.append(i == 0 ? "" : " | ").append(row.getField(i));
                }
                out.println(sb);
            }
        }
    }

    private TableEnvironment environment(RuntimeExecutionMode mode, String cluster) {
        return environment(mode, cluster, null, null, null);
    }

    private TableEnvironment environment(
            RuntimeExecutionMode mode,
            String cluster,
            Integer webUi,
            PrintStream out,
            PrintStream err) {
        Configuration conf = new Configuration();
        if (webUi != null) {
            withWebUi(conf, webUi, out, err);
        }
        if (cluster != null) {
            int colon = cluster.lastIndexOf(':');
            conf.set(DeploymentOptions.TARGET, "remote");
            conf.set(RestOptions.ADDRESS, cluster.substring(0, colon));
            conf.set(RestOptions.PORT, Integer.parseInt(cluster.substring(colon + 1)));
            Path jar =
                    connectorJar()
                            .orElseThrow(
                                    () ->
                                            new ValidationException(
                                                    "the connector jar flink-sql-connector-velo-*.jar"
                                                            + " was not found; build it with 'mvn"
                                                            + " -DskipTests install' or set"
                                                            + " -Dvelo.connector.jar=PATH"));
            conf.set(PipelineOptions.JARS, List.of(jar.toUri().toString()));
        }
        if (mode != RuntimeExecutionMode.BATCH) {
            // file sinks commit and exactly-once Kafka sinks write only on checkpoints; a SET in
            // the script overrides this
            conf.setString(CHECKPOINT_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL);
        }
        EnvironmentSettings.Builder settings = EnvironmentSettings.newInstance();
        if (mode == RuntimeExecutionMode.BATCH) {
            settings.inBatchMode();
        } else {
            settings.inStreamingMode();
        }
        return TableEnvironment.create(settings.withConfiguration(conf).build());
    }

    /** The shaded connector jar: -Dvelo.connector.jar, else $VELO_HOME/flink-velo-sql/target. */
    private Optional<Path> connectorJar() {
        String explicit = System.getProperty("velo.connector.jar");
        if (explicit != null) {
            return Optional.of(Path.of(explicit)).filter(Files::isRegularFile);
        }
        String home = System.getProperty("velo.home", environment.getOrDefault("VELO_HOME", "."));
        Path target = Path.of(home, "flink-velo-sql", "target");
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(
                            p -> {
                                String n = p.getFileName().toString();
                                return n.startsWith("flink-sql-connector-velo-")
                                        && n.endsWith(".jar");
                            })
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    // ---------------------------------------------------------------- demo

    private int demoCommand(List<String> args, PrintStream out, PrintStream err) {
        Integer webUi = webUiPort(args);
        int records = 50_000;
        int at = args.indexOf("--records");
        if (at >= 0) {
            if (at + 1 >= args.size()) {
                throw new UsageException("--records needs a number");
            }
            try {
                records = Integer.parseInt(args.remove(at + 1));
            } catch (NumberFormatException e) {
                throw new UsageException("--records expects a positive number");
            }
            args.remove(at);
            if (records <= 0) {
                throw new UsageException("--records expects a positive number");
            }
        }
        if (!args.isEmpty()) {
            throw new UsageException("unexpected argument '" + args.get(0) + "'");
        }
        try {
            return new VeloDemo(out, err, records, environment).withWebUi(webUi).run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("velo demo: interrupted");
            return ERRORS;
        } catch (Exception e) {
            err.println("velo demo: " + messages(e));
            return ERRORS;
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Port of {@code --web-ui [PORT]} (removed from {@code args}); null when not given. */
    static Integer webUiPort(List<String> args) {
        int at = args.indexOf("--web-ui");
        if (at < 0) {
            return null;
        }
        args.remove(at);
        if (at < args.size() && args.get(at).matches("\\d+")) {
            int port = Integer.parseInt(args.remove(at));
            if (port < 1 || port > 65535) {
                throw new UsageException("--web-ui expects a port 1-65535, got " + port);
            }
            return port;
        }
        return DEFAULT_WEB_UI_PORT;
    }

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

    private VeloSql translator(Script script) {
        VeloSql.Builder builder =
                VeloSql.builder().environment(environment).topicSampler(new KafkaTopicSampler());
        if (script.file != null) {
            Path parent = script.file.toAbsolutePath().getParent();
            builder.baseDirectory(parent == null ? Path.of("") : parent);
        }
        return builder.build();
    }

    /** Reads FILE or -e SQL from the arguments; null when neither is given. */
    private static Script readScript(List<String> args, Set<String> flags) {
        Set<String> unknown = new HashSet<>();
        for (String a : args) {
            if (a.startsWith("--") && !flags.contains(a)) {
                unknown.add(a);
            }
        }
        if (!unknown.isEmpty()) {
            throw new UsageException("unknown option " + unknown.iterator().next());
        }
        int e = args.indexOf("-e");
        if (e >= 0) {
            if (e + 1 >= args.size()) {
                throw new UsageException("-e needs the SQL text");
            }
            if (args.size() != 2) {
                throw new UsageException("give either FILE.sql or -e SQL, not both");
            }
            return new Script(null, args.get(e + 1));
        }
        if (args.isEmpty()) {
            return null;
        }
        if (args.size() > 1) {
            throw new UsageException("unexpected argument '" + args.get(1) + "'");
        }
        Path file = Path.of(args.get(0));
        try {
            return new Script(file, Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException ex) {
            throw new UsageException("no such file: " + file);
        } catch (IOException ex) {
            throw new UsageException("cannot read " + file + ": " + ex.getMessage());
        }
    }

    private static String position(Script script, VeloSqlException e) {
        String where = script.file == null ? "<-e>" : script.file.toString();
        String[] lines = e.getDetail().split("\\R");
        String detail = e.getDetail();
        if (lines.length > 12) {
            detail = String.join(System.lineSeparator(), List.of(lines).subList(0, 12)) + " ...";
        }
        return where + ":" + e.getLine() + ":" + e.getColumn() + ": " + detail;
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

    private static final class Script {
        final Path file;
        final String text;

        Script(Path file, String text) {
            this.file = file;
            this.text = text;
        }
    }

    private static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
