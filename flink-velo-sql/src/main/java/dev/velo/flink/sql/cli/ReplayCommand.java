package dev.velo.flink.sql.cli;

import dev.velo.flink.sql.dialect.VeloSql;
import dev.velo.flink.sql.dialect.VeloSqlException;
import dev.velo.flink.sql.dialect.VeloTranslation;
import dev.velo.flink.sql.dlq.ReplayAttempts;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.runtime.typeutils.ExternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * {@code velo replay}: reads the dead letters of a velo table back from its Kafka or filesystem DLQ
 * (the table's own {@code dlq.*} options), keeps the sink-side ones of that table that match the
 * filters, decodes each payload with the table's format and writes the rows into the table through
 * velo, with its batching and failure strategy. A record that fails again is dead-lettered again
 * with {@code attempts} = previous + its attempts in the replay ({@link
 * ReplayAttempts#REPLAY_ATTEMPTS}). Runs as one bounded batch job on an embedded MiniCluster.
 */
final class ReplayCommand {

    static final String USAGE =
            "usage: velo replay FILE.sql --table NAME [--error-class CLASS] [--from TIME]"
                    + " [--to TIME]\n"
                    + "  FILE.sql declares the table (its CREATE statements run; INSERTs do not).\n"
                    + "  TIME is an ISO-8601 instant (2026-11-30T14:00:00Z) or epoch milliseconds;"
                    + " --to defaults to now.";

    private static final String ROWS_VIEW = "velo_replay_rows";
    private static final String ATTEMPTS_COLUMN = "velo_replay_attempts";

    private static final Pattern SET =
            Pattern.compile("(?is)^\\s*SET\\s+'([^']*)'\\s*=\\s*'((?:[^']|'')*)'\\s*$");

    private final Map<String, String> environment;

    ReplayCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    int run(List<String> args, PrintStream out, PrintStream err) {
        ReplayRequest request;
        String text;
        try {
            request = ReplayRequest.parse(args, System.currentTimeMillis());
            text = Files.readString(request.file, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            err.println("velo replay: " + e.getMessage());
            err.println(USAGE);
            return VeloCli.USAGE;
        } catch (NoSuchFileException e) {
            err.println("velo replay: no such file: " + e.getFile());
            return VeloCli.USAGE;
        } catch (IOException e) {
            err.println("velo replay: cannot read the script: " + e.getMessage());
            return VeloCli.USAGE;
        }
        try {
            replay(request, text, out);
            return VeloCli.OK;
        } catch (VeloSqlException e) {
            err.println(
                    request.file + ":" + e.getLine() + ":" + e.getColumn() + ": " + e.getDetail());
            return VeloCli.ERRORS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("velo replay: interrupted");
            return VeloCli.ERRORS;
        } catch (Exception e) {
            err.println("velo replay: " + VeloCli.messages(e));
            return VeloCli.ERRORS;
        }
    }

    private void replay(ReplayRequest request, String script, PrintStream out) throws Exception {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        StreamTableEnvironment tEnv =
                StreamTableEnvironment.create(
                        env, EnvironmentSettings.newInstance().inBatchMode().build());

        declare(tEnv, request.file, script);
        TableEnvironmentInternal internal = (TableEnvironmentInternal) tEnv;
        ObjectIdentifier id =
                internal.getCatalogManager()
                        .qualifyIdentifier(internal.getParser().parseIdentifier(request.table));
        ResolvedCatalogTable table =
                internal.getCatalogManager()
                        .getTable(id)
                        .filter(t -> t.getResolvedTable() instanceof ResolvedCatalogTable)
                        .map(t -> (ResolvedCatalogTable) t.getResolvedTable())
                        .orElseThrow(
                                () ->
                                        new ValidationException(
                                                String.format(
                                                        "--table '%s': the script declares no"
                                                                + " table of that name",
                                                        request.table)));
        Map<String, String> options = table.getOptions();
        String dlqConnector = ReplayDlqTable.dlqConnector(request.table, options);

        tEnv.executeSql(ReplayDlqTable.ddl(id, dlqConnector, options));
        String filter = ReplayDlqTable.filter(id.getObjectName(), request);

        // how many dead letters per previous attempts: one INSERT each, so the count travels on
        Map<Integer, Long> byAttempts =
                new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
        try (CloseableIterator<Row> rows =
                tEnv.executeSql(
                                "SELECT attempts, COUNT(*) FROM "
                                        + ReplayDlqTable.VIEW
                                        + " WHERE "
                                        + filter
                                        + " GROUP BY attempts")
                        .collect()) {
            rows.forEachRemaining(
                    r -> byAttempts.put((Integer) r.getField(0), (Long) r.getField(1)));
        }
        String window =
                (request.fromMillis == null
                                ? ""
                                : "from " + Instant.ofEpochMilli(request.fromMillis) + " ")
                        + "before "
                        + Instant.ofEpochMilli(request.toMillis)
                        + (request.errorClass == null ? "" : ", error class " + request.errorClass);
        long total = byAttempts.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            out.println(
                    "velo replay: no sink dead letters of table '"
                            + id.getObjectName()
                            + "' in its DLQ ("
                            + window
                            + "); nothing to replay");
            return;
        }
        if (byAttempts.containsKey(null)) {
            throw new ValidationException(
                    "the DLQ holds dead letters without 'attempts'; filter them out (--from/--to)");
        }

        List<Column> physical =
                table.getResolvedSchema().getColumns().stream()
                        .filter(Column::isPhysical)
                        .collect(Collectors.toList());
        DataType rowType = table.getResolvedSchema().toPhysicalRowDataType();
        ReplayDecoder decoder =
                ReplayDecoder.forTable(
                        new FactoryUtil.DefaultDynamicTableContext(
                                id,
                                table,
                                Map.of(),
                                tEnv.getConfig().getConfiguration(),
                                Thread.currentThread().getContextClassLoader(),
                                true),
                        rowType);

        Table letters =
                tEnv.sqlQuery(
                        "SELECT payload, attempts, velo_replay_where, failed_at FROM "
                                + ReplayDlqTable.VIEW
                                + " WHERE "
                                + filter);
        List<DataTypes.Field> fields = new ArrayList<>();
        for (Column c : physical) {
            fields.add(DataTypes.FIELD(c.getName(), c.getDataType()));
        }
        fields.add(DataTypes.FIELD(ATTEMPTS_COLUMN, DataTypes.INT()));
        DataType decodedType = DataTypes.ROW(fields.toArray(new DataTypes.Field[0]));
        DataStream<Row> decoded =
                tEnv.toDataStream(letters)
                        .flatMap(decoder)
                        .returns(ExternalTypeInfo.<Row>of(decodedType))
                        .name("velo-replay-decode[" + id.getObjectName() + "]");
        tEnv.createTemporaryView(ROWS_VIEW, tEnv.fromDataStream(decoded));

        String columns =
                physical.stream().map(c -> quote(c.getName())).collect(Collectors.joining(", "));
        StreamStatementSet inserts = tEnv.createStatementSet();
        for (Integer attempts : byAttempts.keySet()) {
            inserts.addInsertSql(
                    String.format(
                            "INSERT INTO %s /*+ OPTIONS('%s' = '%d') */ (%s) SELECT %s FROM %s"
                                    + " WHERE %s = %d",
                            id.asSerializableString(),
                            ReplayAttempts.REPLAY_ATTEMPTS.key(),
                            attempts,
                            columns,
                            columns,
                            ROWS_VIEW,
                            ATTEMPTS_COLUMN,
                            attempts));
        }
        out.println(
                String.format(
                        "velo replay: %d sink dead letters of table '%s' (%s), decoded with"
                                + " format '%s', by attempts so far: %s",
                        total, id.getObjectName(), window, decoder.format(), byAttempts));
        inserts.execute().await();
        out.println(
                "velo replay: done; records that failed again are in the DLQ with attempts"
                        + " incremented. The DLQ still holds the replayed dead letters: next"
                        + " time pass --from "
                        + Instant.ofEpochMilli(request.toMillis)
                        + " to replay only newer ones.");
    }

    /** Runs the script's declarations (CREATE, SET, USE, ...), never its INSERTs or queries. */
    private void declare(StreamTableEnvironment tEnv, Path file, String script) {
        VeloSql.Builder builder = VeloSql.builder().environment(environment);
        Path parent = file.toAbsolutePath().getParent();
        builder.baseDirectory(parent == null ? Path.of("") : parent);
        VeloTranslation t = builder.build().translateScript(script);
        List<String> statements = t.statements();
        for (int i = 0; i < statements.size(); i++) {
            String s = statements.get(i).strip();
            String upper = s.toUpperCase(Locale.ROOT);
            Matcher set = SET.matcher(s);
            if (set.matches()) {
                // the replay is one bounded batch job, whatever mode the script's job runs in
                if (!set.group(1).equals(ExecutionOptions.RUNTIME_MODE.key())) {
                    tEnv.getConfig()
                            .getConfiguration()
                            .setString(set.group(1), set.group(2).replace("''", "'"));
                }
                continue;
            }
            boolean declaration =
                    (upper.startsWith("CREATE ")
                                    && !upper.matches(
                                            "(?s).*\\)\\s*AS\\s+(SELECT|WITH|VALUES|\\().*"))
                            || upper.startsWith("USE ")
                            || upper.startsWith("ADD JAR")
                            || upper.startsWith("LOAD ");
            if (!declaration) {
                continue;
            }
            try {
                tEnv.executeSql(s);
            } catch (RuntimeException e) {
                throw new VeloSqlException(
                        t.lineOf(i),
                        t.columnOf(i),
                        "Flink rejected this statement: " + VeloCli.messages(e),
                        e);
            }
        }
    }

    private static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
