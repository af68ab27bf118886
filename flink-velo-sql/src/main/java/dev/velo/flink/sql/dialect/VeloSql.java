package dev.velo.flink.sql.dialect;

import dev.velo.flink.sql.factory.VeloConnectorOptions;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.ValidationException;

/**
 * The Velostream dialect in front of Flink SQL: translates a Velostream script into Flink
 * statements and runs them.
 *
 * <h2>What is translated</h2>
 *
 * <ul>
 *   <li>{@code CREATE STREAM s AS SELECT … [EMIT CHANGES] [INTO sink] WITH (…)} and Velostream's
 *       {@code CREATE TABLE t AS SELECT … WITH (…)} become Flink's CTAS {@code CREATE TABLE s WITH
 *       ('connector'='velo', 'velo.connector'='<x>', …) AS SELECT …}; Flink derives the sink's
 *       schema from the query. Batch and sink-side failure keys stay on this sink table.
 *   <li>{@code source.*} keys of a CREATE STREAM move to the table it reads (an earlier CREATE
 *       TABLE of the script is rewritten and wrapped by {@code velo}).
 *   <li>A Flink {@code CREATE TABLE … WITH ('connector'='kafka', …)} carrying a velo key ({@code
 *       batch.*}, a failure key, {@code dlq.*}) is wrapped: {@code 'connector'='velo',
 *       'velo.connector'='kafka'}. Every other statement passes through untouched.
 * </ul>
 *
 * <h2>Where a sink's connector options come from</h2>
 *
 * <ol>
 *   <li>Velostream keys prefixed with the sink's name: {@code '<sink>.type' = 'kafka_sink' |
 *       'file_sink'} with {@code '<sink>.topic.name'}, {@code '<sink>.path'}, {@code
 *       '<sink>.format'}, {@code '<sink>.config_file'} …;
 *   <li>otherwise plain connector keys in the same WITH ({@code 'connector'='kafka', 'topic'=…}):
 *       every key that is neither a velo key nor prefixed with a table name;
 *   <li>otherwise Flink's {@code print} connector (a note says so).
 * </ol>
 *
 * <h2>Sources declared by keys</h2>
 *
 * {@code '<src>.type' = 'kafka_source'} maps onto Flink's {@code kafka} connector (topic from
 * {@code topic.name}/{@code topic}, {@code properties.bootstrap.servers} from any {@code
 * bootstrap.servers} key, {@code scan.startup.mode} from {@code auto.offset.reset}, default
 * earliest; format json); {@code 'file_source'} onto {@code filesystem} ({@code path} relative to
 * the script's directory, format {@code csv}/{@code json}). A {@code config_file} is a YAML file
 * whose keys are flattened ({@code a.b.c}, a leading {@code datasource.}/{@code datasink.} dropped,
 * {@code extends:} honoured) and overridden by the WITH keys. The schema of such a source comes
 * from {@code '<src>.schema' = 'id BIGINT, amount DOUBLE'}, or a {@code schema:} entry of its
 * config_file, or — for a CSV file with a header line — from the header: one column per header
 * field, typed BIGINT, DOUBLE or BOOLEAN when the first 100 rows all parse so, else STRING; the
 * header row itself is filtered out by a view — or, for a JSON-lines file, from the fields of its
 * first 100 objects (BIGINT, DOUBLE, BOOLEAN, else STRING). When every source is a file, the script
 * runs in batch mode unless {@code -- @job_mode: streaming} says otherwise. Without {@code .type}
 * the connector is inferred: a {@code path} means a file, a {@code topic} or brokers mean Kafka.
 * Velostream's generic {@code source.*}/{@code sink.*} keys that are not velo keys ({@code
 * 'source.format'}, {@code 'sink.path'}) are the keys of the stream's own (single) source and of
 * its sink, the same as the table-prefixed form.
 *
 * <h2>Script-level features</h2>
 *
 * {@code ${VAR}}, {@code ${VAR:-default}} and {@code ${VAR:default}} are replaced from the
 * environment (outside comments); {@code -- @batch_size: N} makes {@code fixed_size} with {@code
 * batch.size = N} the default of every CREATE STREAM sink; {@code -- @job_mode: batch|streaming}
 * selects Flink's runtime mode (other values are recorded). Errors are {@link VeloSqlException}s
 * with line and column; the translator reports every error of a script ({@link
 * VeloSqlException#getErrors()}), every invalid velo option value at its value, with a "did you
 * mean" for a near miss. {@link #validateScript} returns the errors instead and treats options of a
 * source the script does not declare as a warning.
 */
@PublicEvolving
public final class VeloSql {

    private static final Pattern SET =
            Pattern.compile("(?is)^\\s*SET\\s+'([^']*)'\\s*=\\s*'((?:[^']|'')*)'\\s*$");
    private static final Pattern RESET = Pattern.compile("(?is)^\\s*RESET(\\s+'([^']*)')?\\s*$");

    private final Map<String, String> environment;
    private final Path baseDirectory;
    private final String wrapperConnector;
    private final TopicSampler topicSampler;

    private VeloSql(
            Map<String, String> environment,
            Path baseDirectory,
            String wrapperConnector,
            TopicSampler topicSampler) {
        this.environment = environment;
        this.baseDirectory = baseDirectory;
        this.wrapperConnector = wrapperConnector;
        this.topicSampler = topicSampler;
    }

    /** A translator reading variables from the process environment, paths relative to the cwd. */
    public static VeloSql create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Translates with the process environment; see the class comment. */
    public static List<String> translate(String script) {
        return create().translateScript(script).statements();
    }

    /** Translates and runs the script with the process environment; see {@link #executeScript}. */
    public static TableResult execute(TableEnvironment tableEnv, String script) {
        return create().executeScript(tableEnv, script);
    }

    /** Translates a script into Flink statements and what was decided on the way. */
    public VeloTranslation translateScript(String script) {
        return new ScriptTranslator(environment, baseDirectory, wrapperConnector, false)
                .withTopicSampler(topicSampler)
                .translate(script);
    }

    /**
     * Checks a script without needing everything a run needs: every error is returned in {@link
     * VeloTranslation#errors()} (a syntax error the translator cannot get past is thrown), and
     * options that configure a table the script does not declare (it may be declared in a catalog
     * or config file) are checked and reported in {@link VeloTranslation#warnings()}.
     */
    public VeloTranslation validateScript(String script) {
        try {
            return new ScriptTranslator(environment, baseDirectory, wrapperConnector, true)
                    .withTopicSampler(topicSampler)
                    .translate(script);
        } catch (VeloSqlException e) {
            // the lexer, a variable or an unbalanced parenthesis stops the translator
            return new VeloTranslation(
                    List.of(),
                    List.of(),
                    Map.of(),
                    Map.of(),
                    null,
                    List.of(),
                    Map.of(),
                    e.getErrors(),
                    List.of());
        }
    }

    /**
     * Translates and runs a script: DDL at once, {@code SET}/{@code RESET} on the table config,
     * every INSERT and CTAS together in one statement set (one job), submitted at the end.
     *
     * @return the result of the job, or of the last statement when the script has no DML
     * @throws VeloSqlException for a script the translator rejects
     * @throws ValidationException when the script asks for another runtime mode than the
     *     environment's
     */
    public TableResult executeScript(TableEnvironment tableEnv, String script) {
        return executeTranslation(tableEnv, translateScript(script));
    }

    /**
     * Runs a script already translated by {@link #translateScript} the way {@link #executeScript}
     * does, so a caller that looked at the translation first does not translate it again (a JSON
     * Kafka source without a schema would be sampled twice).
     */
    public TableResult executeTranslation(TableEnvironment tableEnv, VeloTranslation translation) {
        StatementSet dml = tableEnv.createStatementSet();
        boolean hasDml = false;
        TableResult last = null;
        for (int i = 0; i < translation.statements().size(); i++) {
            try {
                Object result = runStatement(tableEnv, translation, i, dml);
                if (result == QUEUED) {
                    hasDml = true;
                } else if (result != null) {
                    last = (TableResult) result;
                }
            } catch (VeloSqlException e) {
                throw e;
            } catch (RuntimeException e) {
                // Flink's positions are relative to the statement; say where it is in the script
                throw new VeloSqlException(
                        translation.lineOf(i),
                        translation.columnOf(i),
                        "Flink rejected this statement: " + causes(e),
                        e);
            }
        }
        return hasDml ? dml.execute() : last;
    }

    /** The distinct messages of a cause chain, outermost first. */
    private static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 4; t = t.getCause(), depth++) {
            String m =
                    t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().strip();
            if (sb.indexOf(m) < 0) {
                sb.append(sb.length() == 0 ? "" : "\n  caused by: ").append(m);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString();
    }

    /** Marks a statement that was added to the statement set. */
    private static final Object QUEUED = new Object();

    /** Runs a statement, or queues it as DML ({@link #QUEUED}); null when nothing ran. */
    private static Object runStatement(
            TableEnvironment tableEnv, VeloTranslation translation, int i, StatementSet dml) {
        String statement = translation.statements().get(i);
        VeloTranslation.EagerTable eager = translation.eagerTables().get(i);
        if (eager != null) {
            // a later statement reads this table: create it now, its schema from the query
            Table query = tableEnv.sqlQuery(eager.query);
            TableDescriptor.Builder descriptor =
                    TableDescriptor.forConnector(eager.options.get("connector"))
                            .schema(
                                    Schema.newBuilder()
                                            .fromResolvedSchema(query.getResolvedSchema())
                                            .build());
            eager.options.forEach(
                    (k, v) -> {
                        if (!k.equals("connector")) {
                            descriptor.option(k, v);
                        }
                    });
            tableEnv.createTable(eager.name, descriptor.build());
            dml.add(query.insertInto(eager.name));
            return QUEUED;
        }
        Matcher set = SET.matcher(statement);
        if (set.matches()) {
            String key = set.group(1);
            String value = set.group(2).replace("''", "'");
            if (key.equals(ExecutionOptions.RUNTIME_MODE.key())) {
                checkRuntimeMode(tableEnv, value);
            } else {
                tableEnv.getConfig().getConfiguration().setString(key, value);
            }
            return null;
        }
        if (RESET.matcher(statement).matches() || isStatementSetMarker(statement)) {
            return null;
        }
        if (VeloTranslation.isDml(statement)) {
            dml.addInsertSql(statement);
            return QUEUED;
        }
        return tableEnv.executeSql(statement);
    }

    private static void checkRuntimeMode(TableEnvironment tableEnv, String value) {
        RuntimeExecutionMode wanted =
                RuntimeExecutionMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        RuntimeExecutionMode actual = tableEnv.getConfig().get(ExecutionOptions.RUNTIME_MODE);
        if (wanted != actual && wanted != RuntimeExecutionMode.AUTOMATIC) {
            throw new ValidationException(
                    "the script runs in "
                            + wanted.name().toLowerCase(Locale.ROOT)
                            + " mode but the TableEnvironment was created in "
                            + actual.name().toLowerCase(Locale.ROOT)
                            + " mode; create it with EnvironmentSettings.in"
                            + (wanted == RuntimeExecutionMode.BATCH ? "Batch" : "Streaming")
                            + "Mode()");
        }
    }

    private static boolean isStatementSetMarker(String statement) {
        String s = statement.trim().toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
        return s.equals("BEGIN STATEMENT SET") || s.equals("END");
    }

    /** Configures a {@link VeloSql}. */
    @PublicEvolving
    public static final class Builder {
        private Map<String, String> environment = System.getenv();
        private Path baseDirectory = Path.of("");
        private TopicSampler topicSampler;

        private Builder() {}

        /**
         * Reads samples of a JSON Kafka source's topic when the script gives no schema for it
         * (default: none, the schema is required).
         */
        public Builder topicSampler(TopicSampler topicSampler) {
            this.topicSampler = topicSampler;
            return this;
        }

        /** Where {@code ${VAR}} values come from (default: the process environment). */
        public Builder environment(Map<String, String> environment) {
            this.environment = new HashMap<>(environment);
            return this;
        }

        /** What relative paths ({@code path}, {@code config_file}) are relative to. */
        public Builder baseDirectory(Path baseDirectory) {
            this.baseDirectory = baseDirectory;
            return this;
        }

        public VeloSql build() {
            return new VeloSql(
                    environment, baseDirectory, VeloConnectorOptions.IDENTIFIER, topicSampler);
        }
    }
}
