package dev.velo.flink.sql.dialect;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.RuntimeExecutionMode;

/**
 * Rewrites the {@link Statement}s of one script from Velostream to Flink: tables with velo options
 * go behind the velo connector, streams become CTAS (see {@link CreateAsRewriter}), every table is
 * remembered so later statements can configure it. One instance per script.
 */
@Internal
final class ScriptRewriter {

    final String wrapperConnector;
    final boolean lenient;
    private final Map<String, String> environment;
    private final Path baseDirectory;
    private final TopicSampler topicSampler;
    private final SqlLexer lexer;

    final List<RewrittenStatement> output = new ArrayList<>();
    private final Map<String, TableDecl> tables = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();
    final List<VeloSqlException> errors = new ArrayList<>();
    final List<VeloSqlException> warnings = new ArrayList<>();

    /** Options of source tables the script does not declare, checked like a table's. */
    final List<TableDecl> undeclared = new ArrayList<>();

    final Integer scriptBatchSize;
    private RuntimeExecutionMode runtimeMode;
    boolean anyNonFileSource;
    boolean anyFileSource;

    /**
     * @param lenient for validate: an undeclared table's options are a warning, not an error
     */
    ScriptRewriter(
            ScriptAnnotations annotations,
            Map<String, String> environment,
            Path baseDirectory,
            String wrapperConnector,
            boolean lenient,
            TopicSampler topicSampler,
            SqlLexer lexer) {
        this.environment = environment;
        this.baseDirectory = baseDirectory;
        this.wrapperConnector = wrapperConnector;
        this.lenient = lenient;
        this.topicSampler = topicSampler;
        this.lexer = lexer;
        this.scriptBatchSize = annotations.batchSize();
        this.runtimeMode = annotations.runtimeMode();
        notes.addAll(annotations.notes());
        errors.addAll(annotations.errors());
    }

    /**
     * What the rewriter made of a script.
     *
     * @param statements the Flink statements, tables still open to the renderer
     * @param runtimeMode {@code @job_mode}, SET, or batch when every source is a file; null: none
     * @param undeclaredVeloTables validate only: sources the script configures but does not declare
     * @param errors every error, by position
     */
    record Result(
            List<RewrittenStatement> statements,
            RuntimeExecutionMode runtimeMode,
            List<TableDecl> undeclaredVeloTables,
            List<String> notes,
            List<VeloSqlException> errors,
            List<VeloSqlException> warnings) {
        Result {
            statements = List.copyOf(statements);
            undeclaredVeloTables = List.copyOf(undeclaredVeloTables);
            notes = List.copyOf(notes);
            errors = List.copyOf(errors);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Rewrites every statement (an error is recorded and the next statement rewritten), then checks
     * the velo options of every velo table.
     *
     * @param parseErrors errors of statements the parser could not read
     * @param tokens the script's tokens, to place errors of unknown keys at the key
     */
    Result rewrite(List<Statement> statements, List<VeloSqlException> parseErrors, Tokens tokens) {
        errors.addAll(parseErrors);
        CreateAsRewriter createAs = new CreateAsRewriter(this);
        for (Statement statement : statements) {
            try {
                rewrite(statement, createAs);
            } catch (VeloSqlException e) {
                errors.add(e);
            }
        }
        checkOptions(tokens);
        errors.sort(ScriptRewriter::byPosition);
        RuntimeExecutionMode mode = runtimeMode();
        return new Result(output, mode, lenient ? undeclared : List.of(), notes, errors, warnings);
    }

    private static int byPosition(VeloSqlException a, VeloSqlException b) {
        return a.getLine() != b.getLine()
                ? Integer.compare(a.getLine(), b.getLine())
                : Integer.compare(a.getColumn(), b.getColumn());
    }

    private void rewrite(Statement statement, CreateAsRewriter createAs) {
        if (statement instanceof Statement.Plain plain) {
            markReadLater(plain.sources());
            emit(plain.text(), plain.at());
        } else if (statement instanceof Statement.SetRuntimeMode set) {
            if (set.mode() != null) {
                runtimeMode = set.mode();
            }
            emit(set.text(), set.at());
        } else if (statement instanceof Statement.Verbatim verbatim) {
            emit(verbatim.text(), verbatim.at());
        } else if (statement instanceof Statement.CreateTable table) {
            createTable(table);
        } else if (statement instanceof Statement.StreamDeclaration stream) {
            streamDeclaration(stream);
        } else if (statement instanceof Statement.CreateAs ctas) {
            createAs.rewrite(ctas);
        }
    }

    /** The runtime mode: {@code @job_mode} or SET; batch when every source is a file source. */
    private RuntimeExecutionMode runtimeMode() {
        if (runtimeMode == null && anyFileSource && !anyNonFileSource) {
            runtimeMode = RuntimeExecutionMode.BATCH;
            notes.add(
                    "every source is a file source (bounded): the script runs in batch mode;"
                            + " write '-- @job_mode: streaming' to keep streaming mode");
        }
        return runtimeMode;
    }

    private void createTable(Statement.CreateTable s) {
        TableDecl decl = TableDecl.declared(s.name(), s.at(), s.original(), s.prefix(), s.suffix());
        decl.options.putAll(s.with().values());
        decl.optionTokens.putAll(s.with().valueTokens());
        String connector = decl.connector();
        if (connector != null && !connector.equals(wrapperConnector)) {
            for (String key : s.with().keyTokens().keySet()) {
                if (VeloKeys.isVeloKey(key)) {
                    wrap(decl);
                    notes.add(
                            "table "
                                    + s.name()
                                    + ": '"
                                    + key
                                    + "' is a velo option, so its '"
                                    + connector
                                    + "' connector is wrapped by '"
                                    + wrapperConnector
                                    + "'");
                    break;
                }
            }
        }
        register(decl);
        emit(decl, s.at());
    }

    /** {@code CREATE STREAM s (cols) WITH (...)} is Flink's {@code CREATE TABLE s (cols) WITH}. */
    private void streamDeclaration(Statement.StreamDeclaration s) {
        TableDecl decl = TableDecl.declared(s.name(), s.at(), null, s.prefix(), s.suffix());
        decl.options.putAll(s.with().values());
        decl.optionTokens.putAll(s.with().valueTokens());
        if (decl.options.containsKey(VeloKeys.CONNECTOR)
                && s.with().keyTokens().keySet().stream().anyMatch(VeloKeys::isVeloKey)) {
            wrap(decl);
        }
        register(decl);
        emit(decl, s.at());
    }

    void register(TableDecl decl) {
        register(decl.name, decl);
    }

    /** Later statements find {@code decl} by {@code name}, in any case. */
    void register(String name, TableDecl decl) {
        tables.put(name.toLowerCase(Locale.ROOT), decl);
    }

    TableDecl lookup(String name) {
        return tables.get(name.toLowerCase(Locale.ROOT));
    }

    /** The names of every table declared so far. */
    List<String> tableNames() {
        List<String> names = new ArrayList<>();
        tables.values().forEach(d -> names.add(d.name));
        return names;
    }

    /** Puts the table behind the velo connector, keeping the delegate's options in place. */
    void wrap(TableDecl decl) {
        String connector = decl.connector();
        if (connector == null || connector.equals(wrapperConnector)) {
            return;
        }
        LinkedHashMap<String, String> wrapped = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : decl.options.entrySet()) {
            if (e.getKey().equals(VeloKeys.CONNECTOR)) {
                wrapped.put(VeloKeys.CONNECTOR, wrapperConnector);
                wrapped.put(VeloKeys.VELO_CONNECTOR, connector);
            } else {
                wrapped.put(e.getKey(), e.getValue());
            }
        }
        decl.replaceOptions(wrapped);
        decl.modified();
    }

    /** CTAS tables read by a later statement must exist before the job is submitted. */
    void markReadLater(Set<String> sources) {
        for (String source : sources) {
            TableDecl decl = lookup(source);
            if (decl != null && decl.ctas != null) {
                decl.readLater();
            }
        }
    }

    void emit(String sql, Token at) {
        output.add(new RewrittenStatement.Text(sql, at));
    }

    void emit(TableDecl decl, Token at) {
        output.add(new RewrittenStatement.Table(decl, at));
    }

    Connectors connectors() {
        return new Connectors(
                baseDirectory, new Variables(environment), lexer, notes, topicSampler);
    }

    /** The tables whose velo options are checked: velo tables and undeclared sources. */
    private List<TableDecl> veloTables() {
        List<TableDecl> checked = new ArrayList<>();
        for (RewrittenStatement r : output) {
            if (r instanceof RewrittenStatement.Table t
                    && !t.decl().isView()
                    && wrapperConnector.equals(t.decl().connector())) {
                checked.add(t.decl());
            }
        }
        checked.addAll(undeclared);
        return checked;
    }

    /** Checks the velo option values of every velo table; each error at its value. */
    private void checkOptions(Tokens tokens) {
        for (TableDecl decl : veloTables()) {
            for (OptionCheck.Problem p : OptionCheck.check(decl.name, decl.options)) {
                Token at = p.key == null ? null : decl.optionTokens.get(p.key);
                if (at == null) {
                    at = decl.at;
                } else if (p.unknownKey) {
                    at = tokens.keyBefore(at);
                }
                errors.add(
                        at == null
                                ? new VeloSqlException(decl.line(), 1, p.message)
                                : at.error(p.message));
            }
        }
    }
}
