package dev.velo.flink.sql.dialect;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.RuntimeExecutionMode;

/**
 * The result of translating a Velostream script: Flink statements plus what was learnt on the way.
 */
@PublicEvolving
public final class VeloTranslation {

    private final List<String> statements;
    private final List<int[]> positions;
    private final Map<String, Map<String, String>> veloTables;
    private final Map<String, String> annotations;
    private final RuntimeExecutionMode runtimeMode;
    private final List<String> notes;
    private final Map<Integer, EagerTable> eagerTables;
    private final List<VeloSqlException> errors;
    private final List<VeloSqlException> warnings;

    /** A CTAS whose table a later statement reads, so it is created before the job runs. */
    static final class EagerTable {
        final String name;
        final Map<String, String> options;
        final String query;

        EagerTable(String name, Map<String, String> options, String query) {
            this.name = name;
            this.options = new LinkedHashMap<>(options);
            this.query = query;
        }
    }

    VeloTranslation(
            List<String> statements,
            List<int[]> positions,
            Map<String, Map<String, String>> veloTables,
            Map<String, String> annotations,
            RuntimeExecutionMode runtimeMode,
            List<String> notes,
            Map<Integer, EagerTable> eagerTables,
            List<VeloSqlException> errors,
            List<VeloSqlException> warnings) {
        this.statements = List.copyOf(statements);
        this.positions = List.copyOf(positions);
        this.veloTables = Collections.unmodifiableMap(new LinkedHashMap<>(veloTables));
        this.annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
        this.runtimeMode = runtimeMode;
        this.notes = List.copyOf(notes);
        this.eagerTables = new LinkedHashMap<>(eagerTables);
        this.errors = List.copyOf(errors);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Every error of the script, with line and column, when it was checked by {@link
     * VeloSql#validateScript}; {@link VeloSql#translateScript} throws them instead.
     */
    public List<VeloSqlException> errors() {
        return errors;
    }

    /**
     * What {@link VeloSql#validateScript} accepts but a run would not, e.g. options of a table the
     * script does not declare; with line and column.
     */
    public List<VeloSqlException> warnings() {
        return warnings;
    }

    /** By statement index: CTAS statements to run as CREATE TABLE + INSERT. */
    Map<Integer, EagerTable> eagerTables() {
        return eagerTables;
    }

    /** Flink SQL statements, without trailing semicolons, in execution order. */
    public List<String> statements() {
        return statements;
    }

    /** 1-based line of the script a statement comes from (1 for generated SET statements). */
    public int lineOf(int statementIndex) {
        return positions.get(statementIndex)[0];
    }

    /** 1-based column of the script a statement comes from. */
    public int columnOf(int statementIndex) {
        return positions.get(statementIndex)[1];
    }

    /** Every table of the script whose connector is {@code velo}, with its full WITH options. */
    public Map<String, Map<String, String>> veloTables() {
        return veloTables;
    }

    /** Header annotations ({@code -- @name: value}), names lower-cased. */
    public Map<String, String> annotations() {
        return annotations;
    }

    /** The value of {@code -- @job_mode:} as written, if any. */
    public Optional<String> jobMode() {
        return Optional.ofNullable(annotations.get("job_mode"));
    }

    /**
     * The runtime mode the script asks for: from {@code @job_mode: batch|streaming}, a {@code SET
     * 'execution.runtime-mode'} statement, or batch when every source is a Velostream file source.
     */
    public Optional<RuntimeExecutionMode> runtimeMode() {
        return Optional.ofNullable(runtimeMode);
    }

    /** Decisions the translator made that a user may want to know (defaults, ignored keys). */
    public List<String> notes() {
        return notes;
    }

    /** Whether the script writes anywhere (INSERT or CTAS), i.e. running it submits a job. */
    public boolean hasDml() {
        return statements.stream().anyMatch(VeloTranslation::isDml) || !eagerTables.isEmpty();
    }

    static boolean isDml(String statement) {
        String s = statement.stripLeading().toUpperCase(Locale.ROOT);
        if (s.startsWith("INSERT ")) {
            return true;
        }
        // Flink CTAS: CREATE TABLE … WITH (…) AS SELECT
        return s.startsWith("CREATE TABLE")
                && s.matches("(?s).*\\)\\s*AS\\s+(SELECT|WITH|VALUES|\\().*");
    }

    /** The statements as one script, each ending with a semicolon. */
    public String toScript() {
        StringBuilder sb = new StringBuilder();
        for (String statement : statements) {
            sb.append(statement).append(";\n\n");
        }
        return sb.length() == 0 ? "" : sb.substring(0, sb.length() - 1);
    }
}
