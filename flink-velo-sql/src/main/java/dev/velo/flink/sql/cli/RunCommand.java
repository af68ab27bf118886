package dev.velo.flink.sql.cli;

import dev.velo.flink.sql.dialect.VeloSql;
import dev.velo.flink.sql.dialect.VeloSqlException;
import dev.velo.flink.sql.dialect.VeloTranslation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * {@code velo run FILE.sql [--cluster HOST:PORT] [--web-ui [PORT]]}: translates a script and runs
 * it on an embedded MiniCluster, or submits it with the connector JAR to a cluster; a query's rows
 * are printed as they arrive.
 */
@Internal
final class RunCommand {

    /** Streaming scripts checkpoint this often unless they SET their own interval. */
    static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    private static final Option CLUSTER = CliArguments.valued("cluster", "HOST:PORT");

    private final Map<String, String> environment;

    RunCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    int run(List<String> args, PrintStream out, PrintStream err) {
        CommandLine line =
                CliArguments.parse(
                        new Options()
                                .addOption(Script.INLINE)
                                .addOption(CLUSTER)
                                .addOption(CliArguments.WEB_UI),
                        args);
        String cluster = line.getOptionValue(CLUSTER);
        if (cluster != null && !cluster.matches("[^:]+:\\d+")) {
            throw new UsageException("--cluster expects HOST:PORT, got '" + cluster + "'");
        }
        Integer webUi = CliArguments.webUiPort(line);
        if (webUi != null && cluster != null) {
            throw new UsageException(
                    "--web-ui starts the Web UI of the embedded MiniCluster; a cluster given with"
                            + " --cluster has its own at http://"
                            + cluster);
        }
        Script script = Script.of(line);
        if (script == null || script.file == null) {
            throw new UsageException("give a FILE.sql");
        }
        try {
            VeloSql velo = script.translator(environment);
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
                                + mode.name().toLowerCase(Locale.ROOT)
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
            return VeloCli.OK;
        } catch (VeloSqlException e) {
            e.getErrors().forEach(x -> err.println(script.position(x)));
            return VeloCli.ERRORS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("velo: interrupted");
            return VeloCli.ERRORS;
        } catch (Exception e) {
            err.println("velo: " + VeloCli.messages(e));
            return VeloCli.ERRORS;
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

    private TableEnvironment environment(
            RuntimeExecutionMode mode,
            String cluster,
            Integer webUi,
            PrintStream out,
            PrintStream err) {
        Configuration conf = new Configuration();
        if (webUi != null) {
            VeloCli.withWebUi(conf, webUi, out, err);
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
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL);
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
}
