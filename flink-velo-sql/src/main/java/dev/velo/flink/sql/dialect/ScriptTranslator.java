package dev.velo.flink.sql.dialect;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Translates one Velostream script into Flink statements; one instance per script. */
@Internal
final class ScriptTranslator {

    private static final Logger LOG = LoggerFactory.getLogger(ScriptTranslator.class);

    static final String RUNTIME_MODE_KEY = "execution.runtime-mode";

    private static final Pattern ANNOTATION =
            Pattern.compile("^\\s*--\\s*@([A-Za-z_][A-Za-z0-9_.]*)\\s*:?\\s*(.*?)\\s*$");

    private final Map<String, String> environment;
    private final Path baseDirectory;
    private final String wrapperConnector;

    private SqlLexer lexer;
    private List<Token> tokens;
    private final List<Object> output = new ArrayList<>();

    /** Line and column in the script of each element of {@link #output}. */
    private final List<int[]> outputPositions = new ArrayList<>();

    private final Map<String, TableDecl> tables = new LinkedHashMap<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private RuntimeExecutionMode runtimeMode;
    private boolean anyNonFileSource;
    private boolean anyFileSource;
    private Integer scriptBatchSize;

    /** validate: an undeclared table's options are a warning, errors are returned, not thrown. */
    private final boolean lenient;

    private final List<VeloSqlException> errors = new ArrayList<>();
    private final List<VeloSqlException> warnings = new ArrayList<>();

    /** Options of source tables the script does not declare, checked like a table's. */
    private final List<TableDecl> undeclared = new ArrayList<>();

    private TopicSampler topicSampler;

    ScriptTranslator(
            Map<String, String> environment,
            Path baseDirectory,
            String wrapperConnector,
            boolean lenient) {
        this.environment = environment;
        this.baseDirectory = baseDirectory;
        this.wrapperConnector = wrapperConnector;
        this.lenient = lenient;
    }

    /** Where a JSON Kafka source without a schema gets its sample; null: none. */
    ScriptTranslator withTopicSampler(TopicSampler sampler) {
        this.topicSampler = sampler;
        return this;
    }

    VeloTranslation translate(String script) {
        readAnnotations(script);
        String text = new Variables(environment).substituteSql(script);
        lexer = new SqlLexer(text);
        tokens = lexer.tokenize();
        boolean explicitMode = runtimeMode != null;
        for (int[] range : splitStatements()) {
            try {
                translateStatement(range[0], range[1]);
            } catch (VeloSqlException e) {
                // report it and go on: every error of a script in one run
                errors.add(e);
            }
        }
        checkOptions();
        errors.sort(ScriptTranslator::byPosition);
        if (!lenient && !errors.isEmpty()) {
            throw VeloSqlException.of(errors);
        }
        if (!explicitMode && runtimeMode == null && anyFileSource && !anyNonFileSource) {
            runtimeMode = RuntimeExecutionMode.BATCH;
            notes.add(
                    "every source is a file source (bounded): the script runs in batch mode;"
                            + " write '-- @job_mode: streaming' to keep streaming mode");
        }
        List<String> statements = new ArrayList<>();
        List<int[]> positions = new ArrayList<>();
        if (runtimeMode != null && !setsRuntimeMode()) {
            positions.add(new int[] {1, 1});
            statements.add(
                    "SET '"
                            + RUNTIME_MODE_KEY
                            + "' = '"
                            + runtimeMode.name().toLowerCase(Locale.ROOT)
                            + "'");
        }
        Map<String, Map<String, String>> veloTables = new LinkedHashMap<>();
        Map<Integer, VeloTranslation.EagerTable> eager = new LinkedHashMap<>();
        for (int k = 0; k < output.size(); k++) {
            Object o = output.get(k);
            positions.add(outputPositions.get(k));
            if (o instanceof TableDecl) {
                TableDecl decl = (TableDecl) o;
                if (!decl.asView && decl.readLater && !decl.columnsGiven) {
                    eager.put(
                            statements.size(),
                            new VeloTranslation.EagerTable(
                                    decl.name, decl.options, decl.ctasQuery));
                }
                statements.add(decl.render());
                if (!decl.asView && wrapperConnector.equals(decl.options.get("connector"))) {
                    veloTables.put(decl.name, new LinkedHashMap<>(decl.options));
                }
            } else {
                statements.add((String) o);
            }
        }
        if (lenient) {
            for (TableDecl decl : undeclared) {
                veloTables.putIfAbsent(decl.name, new LinkedHashMap<>(decl.options));
            }
        }
        notes.forEach(n -> LOG.info("velo dialect: {}", n));
        return new VeloTranslation(
                statements,
                positions,
                veloTables,
                annotations,
                runtimeMode,
                notes,
                eager,
                errors,
                warnings);
    }

    /** The option key written before the value token {@code value} ({@code 'k' = value}). */
    private Token keyBefore(Token value) {
        int lo = 0;
        int hi = tokens.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (tokens.get(mid).start < value.start) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (tokens.get(lo) != value || lo < 2 || !tokens.get(lo - 1).isSymbol("=")) {
            return value;
        }
        int key = lo - 2;
        while (key >= 2 && tokens.get(key - 1).isSymbol(".")) {
            key -= 2;
        }
        return tokens.get(key);
    }

    private static int byPosition(VeloSqlException a, VeloSqlException b) {
        return a.getLine() != b.getLine()
                ? Integer.compare(a.getLine(), b.getLine())
                : Integer.compare(a.getColumn(), b.getColumn());
    }

    /** Checks the velo option values of every velo table; each error at its value. */
    private void checkOptions() {
        List<TableDecl> checked = new ArrayList<>();
        for (Object o : output) {
            if (o instanceof TableDecl) {
                TableDecl decl = (TableDecl) o;
                if (!decl.asView && wrapperConnector.equals(decl.options.get("connector"))) {
                    checked.add(decl);
                }
            }
        }
        checked.addAll(undeclared);
        for (TableDecl decl : checked) {
            for (OptionCheck.Problem p : OptionCheck.check(decl.name, decl.options)) {
                Token at = p.key == null ? null : decl.optionTokens.get(p.key);
                if (at == null) {
                    at = decl.at;
                } else if (p.unknownKey) {
                    at = keyBefore(at);
                }
                errors.add(
                        at == null
                                ? new VeloSqlException(decl.line, 1, p.message)
                                : new VeloSqlException(at.line, at.column, p.message));
            }
        }
    }

    private void emit(Object statement, Token at) {
        output.add(statement);
        outputPositions.add(new int[] {at.line, at.column});
    }

    private boolean setsRuntimeMode() {
        for (Object o : output) {
            if (o instanceof String && ((String) o).contains(RUNTIME_MODE_KEY)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- annotations

    private void readAnnotations(String script) {
        String[] lines = script.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = ANNOTATION.matcher(lines[i]);
            if (!m.matches()) {
                continue;
            }
            String name = m.group(1).toLowerCase(Locale.ROOT);
            String value = m.group(2);
            int hash = value.indexOf(" #");
            if (hash >= 0) {
                value = value.substring(0, hash).trim();
            }
            if (value.startsWith("#")) {
                value = "";
            }
            annotations.put(name, value);
            int column = lines[i].indexOf('@') + 1;
            if (name.equals("batch_size")) {
                try {
                    scriptBatchSize = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    scriptBatchSize = -1;
                }
                if (scriptBatchSize <= 0) {
                    scriptBatchSize = null;
                    errors.add(
                            new VeloSqlException(
                                    i + 1,
                                    column,
                                    "@batch_size: '" + value + "' is not a positive integer"));
                }
            } else if (name.equals("job_mode")) {
                String mode = value.toLowerCase(Locale.ROOT);
                if (mode.equals("batch")) {
                    runtimeMode = RuntimeExecutionMode.BATCH;
                } else if (mode.equals("streaming")) {
                    runtimeMode = RuntimeExecutionMode.STREAMING;
                } else {
                    notes.add(
                            "@job_mode: "
                                    + value
                                    + " is a Velostream processor mode; Flink runs the script in"
                                    + " its default (streaming) mode");
                }
            }
        }
    }

    // ---------------------------------------------------------------- statements

    /** Token ranges [first, last] of the statements, split at top-level semicolons. */
    private List<int[]> splitStatements() {
        List<int[]> ranges = new ArrayList<>();
        int start = 0;
        int depth = 0;
        boolean statementSet = false;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
                if (depth < 0) {
                    throw lexer.error(t.start, "unbalanced ')'");
                }
            } else if (t.isSymbol(";") && depth == 0) {
                if (i == start) {
                    start = i + 1;
                    continue;
                }
                // EXECUTE STATEMENT SET BEGIN ... END keeps its inner semicolons
                if (i - start >= 4
                        && tokens.get(start).isWord("EXECUTE")
                        && tokens.get(start + 3).isWord("BEGIN")) {
                    statementSet = true;
                }
                if (statementSet) {
                    if (tokens.get(i - 1).isWord("END")) {
                        statementSet = false;
                    } else {
                        continue;
                    }
                }
                ranges.add(new int[] {start, i - 1});
                start = i + 1;
            }
        }
        if (depth > 0) {
            throw lexer.error(tokens.get(start).start, "unbalanced '(' in this statement");
        }
        if (start < tokens.size()) {
            ranges.add(new int[] {start, tokens.size() - 1});
        }
        return ranges;
    }

    private String text(int first, int last) {
        return lexer.text().substring(tokens.get(first).start, tokens.get(last).end);
    }

    private void translateStatement(int first, int last) {
        Token head = tokens.get(first);
        if (head.isWord("SET") && text(first, last).contains(RUNTIME_MODE_KEY)) {
            for (int i = first; i <= last; i++) {
                if (tokens.get(i).kind == Token.Kind.STRING
                        && !tokens.get(i).stringValue().equals(RUNTIME_MODE_KEY)) {
                    String mode = tokens.get(i).stringValue().toUpperCase(Locale.ROOT);
                    try {
                        runtimeMode = RuntimeExecutionMode.valueOf(mode);
                    } catch (IllegalArgumentException e) {
                        throw lexer.error(
                                tokens.get(i).start,
                                "execution.runtime-mode: '"
                                        + tokens.get(i).stringValue()
                                        + "' is not one of streaming, batch, automatic");
                    }
                }
            }
        }
        if (!head.isWord("CREATE")) {
            markReadLater(sourcesOf(first, last));
            // a Velostream push query: SELECT ... EMIT CHANGES is Flink's continuous SELECT
            int end = last;
            if (end - 1 > first
                    && tokens.get(end - 1).isWord("EMIT")
                    && (tokens.get(end).isWord("CHANGES") || tokens.get(end).isWord("FINAL"))) {
                end -= 2;
            }
            emit(text(first, end), tokens.get(first));
            return;
        }
        int i = first + 1;
        if (i + 1 <= last && tokens.get(i).isWord("OR") && tokens.get(i + 1).isWord("REPLACE")) {
            i += 2;
        }
        if (i <= last && tokens.get(i).isWord("TEMPORARY")) {
            i++;
        }
        if (i > last) {
            emit(text(first, last), tokens.get(first));
            return;
        }
        Token kind = tokens.get(i);
        if (kind.isWord("STREAM")) {
            translateCreateAs(first, i + 1, last, true);
        } else if (kind.isWord("TABLE")) {
            int nameStart = skipIfNotExists(i + 1, last);
            int afterName = nameEnd(nameStart, last) + 1;
            if (afterName <= last && tokens.get(afterName).isWord("AS")) {
                translateCreateAs(first, i + 1, last, false);
            } else {
                translateCreateTable(first, nameStart, last);
            }
        } else {
            emit(text(first, last), tokens.get(first));
        }
    }

    private int skipIfNotExists(int i, int last) {
        if (i + 2 <= last
                && tokens.get(i).isWord("IF")
                && tokens.get(i + 1).isWord("NOT")
                && tokens.get(i + 2).isWord("EXISTS")) {
            return i + 3;
        }
        return i;
    }

    /** Last token of a possibly dotted identifier starting at {@code i}. */
    private int nameEnd(int i, int last) {
        if (i > last || !tokens.get(i).isIdentifier()) {
            Token at = tokens.get(Math.min(i, last));
            throw lexer.error(at.start, "expected a table name, found '" + at.text + "'");
        }
        while (i + 2 <= last
                && tokens.get(i + 1).isSymbol(".")
                && tokens.get(i + 2).isIdentifier()) {
            i += 2;
        }
        return i;
    }

    private String nameOf(int first, int last) {
        StringBuilder sb = new StringBuilder();
        for (int i = first; i <= last; i++) {
            Token t = tokens.get(i);
            sb.append(t.isSymbol(".") ? "." : t.identifierName());
        }
        return sb.toString();
    }

    private int matching(int open) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            if (tokens.get(i).isSymbol("(")) {
                depth++;
            } else if (tokens.get(i).isSymbol(")")) {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        throw lexer.error(tokens.get(open).start, "unbalanced '('");
    }

    // ---------------------------------------------------------------- CREATE TABLE (Flink)

    private void translateCreateTable(int first, int nameStart, int last) {
        int nameLast = nameEnd(nameStart, last);
        String name = nameOf(nameStart, nameLast);
        int withAt = -1;
        int depth = 0;
        for (int i = nameLast + 1; i <= last; i++) {
            Token t = tokens.get(i);
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
            } else if (depth == 0
                    && t.isWord("WITH")
                    && i + 1 <= last
                    && tokens.get(i + 1).isSymbol("(")) {
                withAt = i;
                break;
            } else if (depth == 0 && (t.isWord("AS") || t.isWord("LIKE"))) {
                break;
            }
        }
        if (withAt < 0) {
            emit(text(first, last), tokens.get(first));
            return;
        }
        int close = matching(withAt + 1);
        TableDecl decl = new TableDecl();
        decl.name = name;
        decl.line = tokens.get(first).line;
        decl.original = text(first, last);
        decl.prefix = text(first, withAt - 1);
        decl.suffix =
                close < last
                        ? lexer.text().substring(tokens.get(close).end, tokens.get(last).end)
                        : "";
        Map<String, Token> keyTokens = new LinkedHashMap<>();
        decl.options = parseOptions(withAt + 1, close, keyTokens, decl.optionTokens);
        decl.at = tokens.get(first);
        String connector = decl.options.get("connector");
        if (connector != null && !connector.equals(wrapperConnector)) {
            for (Map.Entry<String, Token> e : keyTokens.entrySet()) {
                if (VeloKeys.isVeloKey(e.getKey())) {
                    wrap(decl);
                    notes.add(
                            "table "
                                    + name
                                    + ": '"
                                    + e.getKey()
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
        emit(decl, tokens.get(first));
    }

    private void register(TableDecl decl) {
        tables.put(decl.name.toLowerCase(Locale.ROOT), decl);
    }

    private TableDecl lookup(String name) {
        return tables.get(name.toLowerCase(Locale.ROOT));
    }

    /** Puts the table behind the velo connector, keeping the delegate's options in place. */
    private void wrap(TableDecl decl) {
        String connector = decl.options.get("connector");
        if (connector == null || connector.equals(wrapperConnector)) {
            return;
        }
        LinkedHashMap<String, String> wrapped = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : decl.options.entrySet()) {
            if (e.getKey().equals("connector")) {
                wrapped.put("connector", wrapperConnector);
                wrapped.put("velo.connector", connector);
            } else {
                wrapped.put(e.getKey(), e.getValue());
            }
        }
        decl.options = wrapped;
        decl.modified = true;
    }

    /** Parses {@code ( 'k' = 'v', ... )} between the given parentheses. */
    private LinkedHashMap<String, String> parseOptions(
            int open, int close, Map<String, Token> keyTokens, Map<String, Token> valueTokens) {
        LinkedHashMap<String, String> options = new LinkedHashMap<>();
        int i = open + 1;
        while (i < close) {
            Token keyToken = tokens.get(i);
            String key;
            if (keyToken.kind == Token.Kind.STRING) {
                key = keyToken.stringValue();
                i++;
            } else if (keyToken.isIdentifier()) {
                StringBuilder sb = new StringBuilder(keyToken.identifierName());
                i++;
                while (i + 1 < close
                        && tokens.get(i).isSymbol(".")
                        && (tokens.get(i + 1).isIdentifier()
                                || tokens.get(i + 1).kind == Token.Kind.NUMBER)) {
                    sb.append('.').append(tokens.get(i + 1).text);
                    i += 2;
                }
                key = sb.toString();
            } else {
                throw lexer.error(
                        keyToken.start,
                        "expected an option key such as 'batch.size', found '"
                                + keyToken.text
                                + "'");
            }
            if (i >= close || !tokens.get(i).isSymbol("=")) {
                Token at = tokens.get(Math.min(i, close));
                throw lexer.error(
                        at.start,
                        "expected '=' after option key '" + key + "', found '" + at.text + "'");
            }
            i++;
            if (i >= close) {
                throw lexer.error(tokens.get(close).start, "option '" + key + "' has no value");
            }
            Token valueToken = tokens.get(i);
            valueTokens.put(key, valueToken);
            String value;
            if (valueToken.kind == Token.Kind.STRING) {
                value = valueToken.stringValue();
            } else if (valueToken.kind == Token.Kind.NUMBER || valueToken.kind == Token.Kind.WORD) {
                value = valueToken.text;
            } else if (valueToken.isSymbol("-")
                    && i + 1 < close
                    && tokens.get(i + 1).kind == Token.Kind.NUMBER) {
                value = "-" + tokens.get(i + 1).text;
                i++;
            } else {
                throw lexer.error(
                        valueToken.start,
                        "expected a quoted value for option '"
                                + key
                                + "', found '"
                                + valueToken.text
                                + "'");
            }
            i++;
            if (options.containsKey(key)) {
                throw lexer.error(keyToken.start, "option '" + key + "' is given twice");
            }
            options.put(key, value);
            keyTokens.put(key, keyToken);
            if (i < close) {
                if (!tokens.get(i).isSymbol(",")) {
                    throw lexer.error(
                            tokens.get(i).start,
                            "expected ',' or ')' after option '"
                                    + key
                                    + "', found '"
                                    + tokens.get(i).text
                                    + "'");
                }
                i++;
            }
        }
        return options;
    }

    // ---------------------------------------------------------------- CREATE STREAM / CTAS

    private void translateCreateAs(int first, int afterKind, int last, boolean stream) {
        int nameStart = skipIfNotExists(afterKind, last);
        int nameLast = nameEnd(nameStart, last);
        String name = nameOf(nameStart, nameLast);
        String nameText = text(nameStart, nameLast);
        int i = nameLast + 1;
        String columns = "";
        if (i <= last && tokens.get(i).isSymbol("(")) {
            int close = matching(i);
            columns = " " + text(i, close);
            i = close + 1;
        }
        if (i > last) {
            throw lexer.error(
                    tokens.get(last).end,
                    "expected AS SELECT ... after CREATE "
                            + (stream ? "STREAM " : "TABLE ")
                            + name);
        }
        if (stream && tokens.get(i).isWord("WITH")) {
            // CREATE STREAM name (cols) WITH (...): a source declaration, i.e. a Flink table
            translateStreamDeclaration(first, nameStart, nameLast, i, last);
            return;
        }
        if (!tokens.get(i).isWord("AS")) {
            throw lexer.error(
                    tokens.get(i).start,
                    "expected AS SELECT ... after CREATE "
                            + (stream ? "STREAM " : "TABLE ")
                            + name
                            + ", found '"
                            + tokens.get(i).text
                            + "'");
        }
        int bodyFirst = i + 1;
        int end = last;
        LinkedHashMap<String, String> with = new LinkedHashMap<>();
        Map<String, Token> keyTokens = new LinkedHashMap<>();
        Map<String, Token> valueTokens = new LinkedHashMap<>();
        String into = null;
        boolean changed = true;
        while (changed && end >= bodyFirst) {
            changed = false;
            Token t = tokens.get(end);
            if (t.isSymbol(")")) {
                int open = openOf(end, bodyFirst);
                if (open > bodyFirst && tokens.get(open - 1).isWord("WITH") && with.isEmpty()) {
                    with = parseOptions(open, end, keyTokens, valueTokens);
                    end = open - 2;
                    changed = true;
                }
            } else if ((t.isWord("CHANGES") || t.isWord("FINAL"))
                    && end - 1 >= bodyFirst
                    && tokens.get(end - 1).isWord("EMIT")) {
                end -= 2;
                changed = true;
            } else if (t.isIdentifier()
                    && end - 1 >= bodyFirst
                    && tokens.get(end - 1).isWord("INTO")
                    && into == null) {
                into = t.identifierName();
                end -= 2;
                changed = true;
            }
        }
        if (end < bodyFirst) {
            throw lexer.error(tokens.get(i).end, "expected a query after AS");
        }
        Token bodyHead = tokens.get(bodyFirst);
        if (!(bodyHead.isWord("SELECT")
                || bodyHead.isWord("WITH")
                || bodyHead.isWord("VALUES")
                || bodyHead.isSymbol("("))) {
            throw lexer.error(
                    bodyHead.start, "expected SELECT after AS, found '" + bodyHead.text + "'");
        }
        List<String> primaryKey = new ArrayList<>();
        String body = queryText(bodyFirst, end, primaryKey);
        Set<String> sources = sourcesOf(bodyFirst, end);

        // group the WITH keys: <name>.-prefixed, source.*, velo keys of the sink, plain connector
        // keys
        Set<String> known = new LinkedHashSet<>();
        known.add(name);
        if (into != null) {
            known.add(into);
        }
        known.addAll(sources);
        for (TableDecl d : tables.values()) {
            known.add(d.name);
        }
        for (String key : with.keySet()) {
            for (String suffix : new String[] {".type", ".config_file"}) {
                if (key.endsWith(suffix) && key.length() > suffix.length()) {
                    known.add(key.substring(0, key.length() - suffix.length()));
                }
            }
        }
        Map<String, LinkedHashMap<String, String>> groups = new LinkedHashMap<>();
        Map<String, Token> groupTokens = new LinkedHashMap<>();
        // group -> key within the group -> the key as written
        Map<String, Map<String, String>> groupKeys = new LinkedHashMap<>();
        LinkedHashMap<String, String> sourceKeys = new LinkedHashMap<>();
        LinkedHashMap<String, String> veloKeys = new LinkedHashMap<>();
        LinkedHashMap<String, String> plainKeys = new LinkedHashMap<>();
        // Velostream's generic keys: source.* / sink.* address the stream's own source and sink
        LinkedHashMap<String, String> genericSource = new LinkedHashMap<>();
        LinkedHashMap<String, String> genericSink = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : with.entrySet()) {
            String key = e.getKey();
            String group = longestPrefix(key, known);
            if (group != null) {
                groups.computeIfAbsent(group, g -> new LinkedHashMap<>())
                        .put(key.substring(group.length() + 1), e.getValue());
                groupTokens.putIfAbsent(group, keyTokens.get(key));
                groupKeys
                        .computeIfAbsent(group, g -> new LinkedHashMap<>())
                        .put(key.substring(group.length() + 1), key);
            } else if (VeloKeys.isSourceKey(key) && !VeloKeys.isSourceSideKey(key)) {
                genericSource.put(key, e.getValue());
            } else if (VeloKeys.isSourceKey(key)) {
                sourceKeys.put(key, e.getValue());
            } else if (VeloKeys.isVeloKey(key)) {
                veloKeys.put(key, e.getValue());
            } else if (VeloKeys.isSinkKey(key)) {
                genericSink.put(key, e.getValue());
            } else {
                plainKeys.put(key, e.getValue());
            }
        }
        if (!genericSink.isEmpty()) {
            if (plainKeys.containsKey("connector")) {
                // Flink connector keys such as sink.parallelism of the given connector
                plainKeys.putAll(genericSink);
            } else {
                String sinkGroupName = into != null ? into : name;
                addGeneric(
                        sinkGroupName,
                        genericSink,
                        "sink.",
                        groups,
                        groupTokens,
                        groupKeys,
                        keyTokens);
            }
        }
        if (!genericSource.isEmpty()) {
            String firstKey = genericSource.keySet().iterator().next();
            if (sources.size() != 1) {
                throw lexer.error(
                        keyTokens.get(firstKey).start,
                        "'"
                                + firstKey
                                + "' addresses the stream's source, but the query reads "
                                + (sources.isEmpty() ? "no table" : String.join(", ", sources))
                                + "; prefix the key with the source's name instead");
            }
            String source = sources.iterator().next();
            TableDecl declared = lookup(source);
            if (declared != null && declared.generatedFrom == null && !groups.containsKey(source)) {
                // a CREATE TABLE of the script: the keys go onto it, as before
                sourceKeys.putAll(genericSource);
            } else {
                addGeneric(
                        source,
                        genericSource,
                        "source.",
                        groups,
                        groupTokens,
                        groupKeys,
                        keyTokens);
            }
        }

        markReadLater(sources);
        // the source tables
        for (String source : sources) {
            LinkedHashMap<String, String> group = groups.remove(source);
            TableDecl decl = lookup(source);
            if (group != null) {
                decl = declareSource(source, group, groupTokens.get(source), decl);
                groupTokens(decl, groupKeys.get(source), valueTokens);
            }
            if (decl == null) {
                if (!sourceKeys.isEmpty()) {
                    undeclaredSource(source, sourceKeys, veloKeys, keyTokens, valueTokens);
                }
                anyNonFileSource = true;
                continue;
            }
            if (decl.viewText != null && !decl.asView) {
                // a stream without a sink feeding a later one is an intermediate result
                decl.asView = true;
                notes.add(
                        "stream "
                                + decl.name
                                + " has no sink and feeds "
                                + name
                                + ", so it becomes a view");
            }
            if (decl.asView) {
                if (!sourceKeys.isEmpty()) {
                    Token at = keyTokens.get(sourceKeys.keySet().iterator().next());
                    throw lexer.error(
                            at.start,
                            "source '"
                                    + source
                                    + "' is a stream of this script; source options"
                                    + " belong to the table it reads");
                }
                continue;
            }
            if (!decl.fileSource) {
                anyNonFileSource = true;
            }
            if (!sourceKeys.isEmpty()) {
                Map<String, String> side = sourceSideOptions(sourceKeys, veloKeys);
                decl.options.putAll(side);
                sideTokens(side, valueTokens, decl.optionTokens);
                decl.modified = true;
                wrap(decl);
            }
        }

        // the sink table's connector: (a) <sink>.type keys, (b) plain keys, (c) print
        String sinkName = into != null && groups.containsKey(into) ? into : name;
        LinkedHashMap<String, String> sinkGroup = groups.remove(sinkName);
        String sinkGroupName = sinkName;
        if (into != null) {
            String otherName = sinkName.equals(into) ? name : into;
            LinkedHashMap<String, String> other = groups.remove(otherName);
            if (sinkGroup == null) {
                sinkGroup = other;
                sinkGroupName = otherName;
            }
        }
        LinkedHashMap<String, String> delegate = new LinkedHashMap<>();
        boolean defaultSink = false;
        if (sinkGroup != null
                && (sinkGroup.containsKey("type")
                        || sinkGroup.containsKey("config_file")
                        || Connectors.inferType(sinkGroup, false) != null)) {
            Token at =
                    groupTokens.getOrDefault(sinkName, groupTokens.get(into == null ? name : into));
            Connectors.Mapped mapped = connectors().map(name, false, sinkGroup, at);
            delegate.putAll(mapped.options);
            veloKeys.putAll(mapped.veloOptions);
            if (!plainKeys.isEmpty()) {
                delegate.putAll(plainKeys);
            }
        } else if (!plainKeys.isEmpty()) {
            if (sinkGroup != null) {
                plainKeys.putAll(sinkGroup);
            }
            if (!plainKeys.containsKey("connector")) {
                String key = plainKeys.keySet().iterator().next();
                throw lexer.error(
                        keyTokens.get(key).start,
                        "'"
                                + key
                                + "' is neither a velo option nor prefixed with a table name, so it"
                                + " would go to the sink's connector, but no 'connector' is given;"
                                + " add 'connector' = '...' or '"
                                + name
                                + ".type' = 'kafka_sink' | 'file_sink'");
            }
            delegate.putAll(plainKeys);
        } else {
            if (sinkGroup != null) {
                Token at = groupTokens.get(sinkName);
                throw lexer.error(
                        at.start,
                        "sink '" + sinkName + "' has options but no '" + sinkName + ".type'");
            }
            delegate.put("connector", "print");
            defaultSink = true;
            notes.add(
                    (stream ? "stream " : "table ")
                            + name
                            + ": no sink connector given ('"
                            + name
                            + ".type' or 'connector'), writing to 'print'");
        }
        if (!groups.isEmpty()) {
            String unused = groups.keySet().iterator().next();
            Token at = groupTokens.get(unused);
            if (lookup(unused) == null) {
                throw lexer.error(
                        at.start,
                        "options for '"
                                + unused
                                + "', which is neither a source of this query nor its sink");
            }
            throw lexer.error(
                    at.start,
                    "options for '"
                            + unused
                            + "', which is already declared by CREATE TABLE at line "
                            + lookup(unused).line
                            + "; put them there");
        }

        applyScriptBatchSize(name, veloKeys);
        TableDecl sink = new TableDecl();
        sink.name = name;
        sink.line = tokens.get(first).line;
        sink.modified = true;
        String pk =
                primaryKey.isEmpty() || !columns.isEmpty()
                        ? columns
                        : " (PRIMARY KEY (" + String.join(", ", primaryKey) + ") NOT ENFORCED)";
        if (!primaryKey.isEmpty() && !"kafka".equals(delegate.get("connector"))) {
            pk = columns;
            notes.add(
                    "table "
                            + name
                            + ": PRIMARY KEY "
                            + primaryKey
                            + " dropped; connector '"
                            + delegate.get("connector")
                            + "' takes the query's rows as they are");
        } else if (!primaryKey.isEmpty()) {
            delegate.put("connector", "upsert-kafka");
            delegate.remove("scan.startup.mode");
            String format = delegate.remove("format");
            delegate.put("key.format", format == null ? "json" : format);
            delegate.put("value.format", format == null ? "json" : format);
        }
        sink.prefix = "CREATE TABLE " + nameText + pk;
        sink.suffix = "\nAS " + body;
        sink.ctasQuery = body;
        sink.columnsGiven = !pk.isEmpty();
        if (defaultSink) {
            sink.viewText = "CREATE TEMPORARY VIEW " + nameText + " AS\n" + body;
        }
        if (delegate.get("connector").equals(wrapperConnector)) {
            sink.options.putAll(delegate);
        } else {
            sink.options.put("connector", wrapperConnector);
            sink.options.put("velo.connector", delegate.remove("connector"));
            sink.options.putAll(delegate);
        }
        sink.options.putAll(veloKeys);
        sink.at = tokens.get(first);
        Map<String, String> writtenSinkKeys = groupKeys.getOrDefault(sinkGroupName, Map.of());
        for (String key : veloKeys.keySet()) {
            Token value = valueTokens.get(key);
            if (value == null && writtenSinkKeys.containsKey(key)) {
                value = valueTokens.get(writtenSinkKeys.get(key));
            }
            if (value != null) {
                sink.optionTokens.put(key, value);
            }
        }
        register(sink);
        emit(sink, tokens.get(first));
    }

    /**
     * Moves Velostream's generic {@code source.*}/{@code sink.*} keys into the group of the table
     * they address, e.g. {@code 'sink.path'} to the sink's {@code path}; the table-prefixed form of
     * the same key may not be given as well.
     */
    private void addGeneric(
            String table,
            Map<String, String> generic,
            String prefix,
            Map<String, LinkedHashMap<String, String>> groups,
            Map<String, Token> groupTokens,
            Map<String, Map<String, String>> groupKeys,
            Map<String, Token> keyTokens) {
        LinkedHashMap<String, String> group =
                groups.computeIfAbsent(table, g -> new LinkedHashMap<>());
        Map<String, String> written = groupKeys.computeIfAbsent(table, g -> new LinkedHashMap<>());
        for (Map.Entry<String, String> e : generic.entrySet()) {
            String key = e.getKey().substring(prefix.length());
            Token at = keyTokens.get(e.getKey());
            if (group.containsKey(key)) {
                throw lexer.error(
                        at.start,
                        "'"
                                + e.getKey()
                                + "' and '"
                                + written.get(key)
                                + "' both set "
                                + table
                                + "'s "
                                + key
                                + "; give only one of them");
            }
            group.put(key, e.getValue());
            written.put(key, e.getKey());
            groupTokens.putIfAbsent(table, at);
        }
    }

    /**
     * Options for a source the script does not declare (it may live in a catalog or a config file):
     * checked like a table's; a warning for validate, an error for translate and run.
     */
    private void undeclaredSource(
            String source,
            Map<String, String> sourceKeys,
            Map<String, String> streamVeloKeys,
            Map<String, Token> keyTokens,
            Map<String, Token> valueTokens) {
        String firstKey = sourceKeys.keySet().iterator().next();
        Token at = keyTokens.get(firstKey);
        TableDecl pseudo = new TableDecl();
        pseudo.name = source;
        pseudo.line = at.line;
        pseudo.at = at;
        pseudo.options.put("connector", wrapperConnector);
        Map<String, String> side = sourceSideOptions(sourceKeys, streamVeloKeys);
        pseudo.options.putAll(side);
        sideTokens(side, valueTokens, pseudo.optionTokens);
        undeclared.add(pseudo);
        String what =
                "'"
                        + firstKey
                        + "' configures source table '"
                        + source
                        + "', which this script does not declare";
        String declare =
                "CREATE TABLE "
                        + source
                        + " or '"
                        + source
                        + ".type' = 'kafka_source' | 'file_source'";
        if (lenient) {
            warnings.add(
                    lexer.error(
                            at.start,
                            what
                                    + "; its options are checked here, but 'velo run' and 'velo"
                                    + " translate' need the declaration: "
                                    + declare));
        } else {
            errors.add(
                    lexer.error(
                            at.start,
                            what
                                    + "; translating or running the script needs the declaration:"
                                    + " declare it with "
                                    + declare
                                    + " ('velo validate' checks the options without it)"));
        }
    }

    /** Value positions of source-side options ({@code dlq.x} was written {@code source.dlq.x}). */
    private static void sideTokens(
            Map<String, String> side, Map<String, Token> valueTokens, Map<String, Token> into) {
        for (String key : side.keySet()) {
            Token t = valueTokens.get(key);
            if (t == null) {
                t = valueTokens.get("source." + key);
            }
            if (t != null) {
                into.put(key, t);
            }
        }
    }

    /** Value positions of a table declared by {@code <name>.*} (or generic) keys. */
    private static void groupTokens(
            TableDecl decl, Map<String, String> written, Map<String, Token> valueTokens) {
        if (decl == null || written == null) {
            return;
        }
        written.forEach(
                (key, as) -> {
                    Token t = valueTokens.get(as);
                    if (t != null) {
                        decl.optionTokens.putIfAbsent(key, t);
                    }
                });
    }

    /**
     * {@code source.dlq.*} become the source table's {@code dlq.*}; a source that dead-letters
     * without its own DLQ shares the stream's {@code dlq.*}.
     */
    private static Map<String, String> sourceSideOptions(
            Map<String, String> sourceKeys, Map<String, String> streamVeloKeys) {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        boolean ownDlq = false;
        boolean deadLetters = false;
        for (Map.Entry<String, String> e : sourceKeys.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("source.dlq.")) {
                out.put(key.substring("source.".length()), e.getValue());
                ownDlq = true;
            } else {
                out.put(key, e.getValue());
            }
            deadLetters |= e.getValue().replace("_", "").equalsIgnoreCase("SendToDLQ");
        }
        if (deadLetters && !ownDlq) {
            streamVeloKeys.forEach(
                    (k, v) -> {
                        if (k.startsWith("dlq.")) {
                            out.put(k, v);
                        }
                    });
        }
        return out;
    }

    /** CTAS tables read by a later statement must exist before the job is submitted. */
    private void markReadLater(Set<String> sources) {
        for (String source : sources) {
            TableDecl decl = lookup(source);
            if (decl != null && decl.ctasQuery != null) {
                decl.readLater = true;
            }
        }
    }

    private Connectors connectors() {
        return new Connectors(
                baseDirectory, new Variables(environment), lexer, notes, topicSampler);
    }

    private void applyScriptBatchSize(String table, Map<String, String> veloKeys) {
        if (scriptBatchSize == null) {
            return;
        }
        String strategy = veloKeys.get("batch.strategy");
        if (strategy == null && !veloKeys.containsKey("batch.size")) {
            veloKeys.put("batch.strategy", "fixed_size");
            veloKeys.put("batch.size", String.valueOf(scriptBatchSize));
        } else if (strategy != null
                && strategy.replace("_", "").equalsIgnoreCase("fixedsize")
                && !veloKeys.containsKey("batch.size")) {
            veloKeys.put("batch.size", String.valueOf(scriptBatchSize));
        }
    }

    private void translateStreamDeclaration(
            int first, int nameStart, int nameLast, int withAt, int last) {
        // CREATE STREAM s (cols) WITH (...) is Flink's CREATE TABLE s (cols) WITH (...)
        int close = matching(withAt + 1);
        TableDecl decl = new TableDecl();
        decl.name = nameOf(nameStart, nameLast);
        decl.line = tokens.get(first).line;
        decl.prefix = "CREATE TABLE " + text(nameStart, withAt - 1);
        decl.suffix =
                close < last
                        ? lexer.text().substring(tokens.get(close).end, tokens.get(last).end)
                        : "";
        Map<String, Token> keyTokens = new LinkedHashMap<>();
        decl.options = parseOptions(withAt + 1, close, keyTokens, decl.optionTokens);
        decl.at = tokens.get(first);
        decl.modified = true;
        if (decl.options.containsKey("connector")) {
            for (String key : keyTokens.keySet()) {
                if (VeloKeys.isVeloKey(key)) {
                    wrap(decl);
                    break;
                }
            }
        }
        register(decl);
        emit(decl, tokens.get(first));
    }

    /** Declares (or re-checks) a source named only by {@code <source>.*} keys. */
    private TableDecl declareSource(
            String source, LinkedHashMap<String, String> group, Token at, TableDecl existing) {
        Connectors.Mapped mapped = connectors().map(source, true, group, at);
        if (existing != null) {
            if (existing.generatedFrom != null && existing.generatedFrom.equals(group)) {
                return existing;
            }
            throw lexer.error(
                    at.start,
                    "source '"
                            + source
                            + "' is already declared at line "
                            + existing.line
                            + " with other options");
        }
        TableDecl decl = new TableDecl();
        decl.name = source;
        decl.line = at.line;
        decl.generatedFrom = new LinkedHashMap<>(group);
        decl.at = at;
        decl.fileSource = mapped.fileSource;
        decl.modified = true;
        if (mapped.fileSource) {
            anyFileSource = true;
        } else {
            anyNonFileSource = true;
        }
        boolean hasVelo = !mapped.veloOptions.isEmpty();
        if (mapped.headerView != null) {
            decl.name = source + "_raw";
            decl.prefix = "CREATE TABLE " + quote(decl.name) + " (" + mapped.rawColumns + ")";
        } else {
            decl.prefix = "CREATE TABLE " + quote(source) + " (" + mapped.columns + ")";
        }
        decl.options.putAll(mapped.options);
        decl.options.putAll(mapped.veloOptions);
        if (hasVelo) {
            wrap(decl);
        }
        emit(decl, at);
        if (mapped.headerView != null) {
            emit(
                    "CREATE TEMPORARY VIEW "
                            + quote(source)
                            + " AS\n"
                            + mapped.headerView.replace("${RAW}", quote(decl.name)),
                    at);
        }
        // later statements refer to the logical name
        tables.put(source.toLowerCase(Locale.ROOT), decl);
        return decl;
    }

    static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    private static String longestPrefix(String key, Set<String> names) {
        String best = null;
        for (String n : names) {
            if (key.length() > n.length() + 1
                    && key.charAt(n.length()) == '.'
                    && key.regionMatches(true, 0, n, 0, n.length())
                    && (best == null || n.length() > best.length())) {
                best = n;
            }
        }
        return best;
    }

    private int openOf(int close, int floor) {
        int depth = 0;
        for (int i = close; i >= floor; i--) {
            if (tokens.get(i).isSymbol(")")) {
                depth++;
            } else if (tokens.get(i).isSymbol("(")) {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        throw lexer.error(tokens.get(close).start, "unbalanced ')'");
    }

    /**
     * Column names Velostream accepts bare but Flink reserves; in a query they are back-quoted
     * unless used as a function ({@code name(}).
     */
    static final Set<String> RESERVED_NAMES =
            Set.of(
                    "value",
                    "user",
                    "position",
                    "result",
                    "system",
                    "language",
                    "offset",
                    "partition",
                    "key");

    /** Words around which a reserved name is Flink syntax, not a column. */
    private static boolean isSyntax(Token previous, Token next) {
        if (next != null && (next.isSymbol("(") || next.kind == Token.Kind.STRING)) {
            return true;
        }
        if (previous != null
                && (previous.kind == Token.Kind.STRING
                        || previous.isWord("PRIMARY")
                        || previous.isWord("TO")
                        || previous.isWord("INTERVAL"))) {
            return true;
        }
        return next != null && (next.isWord("TO") || next.isWord("KEY"));
    }

    /**
     * The query's text, with Velostream's {@code col PRIMARY KEY} markers taken out and column
     * names Flink reserves back-quoted.
     */
    private String queryText(int first, int last, List<String> primaryKey) {
        StringBuilder sb = new StringBuilder();
        int copyFrom = tokens.get(first).start;
        int depth = 0;
        boolean inSelectList = true;
        for (int i = first; i <= last; i++) {
            Token t = tokens.get(i);
            Token previous = i > first ? tokens.get(i - 1) : null;
            Token next = i < last ? tokens.get(i + 1) : null;
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
            } else if (depth == 0 && t.isWord("FROM")) {
                inSelectList = false;
            } else if (inSelectList
                    && depth == 0
                    && t.isWord("PRIMARY")
                    && next != null
                    && next.isWord("KEY")
                    && previous != null) {
                primaryKey.add(quote(previous.identifierName()));
                sb.append(lexer.text(), copyFrom, previous.end);
                copyFrom = next.end;
                i++;
            } else if (t.kind == Token.Kind.WORD
                    && RESERVED_NAMES.contains(t.text.toLowerCase(Locale.ROOT))
                    && !isSyntax(previous, next)) {
                sb.append(lexer.text(), copyFrom, t.start).append(quote(t.text));
                copyFrom = t.end;
            }
        }
        sb.append(lexer.text(), copyFrom, tokens.get(last).end);
        return sb.toString();
    }

    /** Tables named after FROM or JOIN in the query. */
    private Set<String> sourcesOf(int first, int last) {
        Set<String> names = new LinkedHashSet<>();
        Set<String> ctes = new HashSet<>();
        for (int i = first; i < last; i++) {
            Token t = tokens.get(i);
            if (t.isIdentifier()
                    && tokens.get(i + 1).isWord("AS")
                    && i + 2 <= last
                    && tokens.get(i + 2).isSymbol("(")) {
                ctes.add(t.identifierName().toLowerCase(Locale.ROOT));
            }
            if ((t.isWord("FROM") || t.isWord("JOIN")) && tokens.get(i + 1).isIdentifier()) {
                Token next = tokens.get(i + 1);
                if (next.isWord("LATERAL") || next.isWord("UNNEST") || next.isWord("TABLE")) {
                    continue;
                }
                int end = nameEnd(i + 1, last);
                String n = nameOf(i + 1, end);
                if (!ctes.contains(n.toLowerCase(Locale.ROOT))) {
                    names.add(n);
                }
            }
        }
        return names;
    }

    /** A CREATE TABLE the translator may still change when later statements configure it. */
    static final class TableDecl {
        String name;
        int line;
        String original;
        String prefix;
        String suffix = "";
        LinkedHashMap<String, String> options = new LinkedHashMap<>();
        boolean modified;
        boolean fileSource;
        Map<String, String> generatedFrom;
        String viewText;
        boolean asView;
        String ctasQuery;
        boolean columnsGiven;
        boolean readLater;

        /** Where the table is declared (its statement or first key). */
        Token at;

        /** Option key -> the token of its value in the script. */
        Map<String, Token> optionTokens = new LinkedHashMap<>();

        String render() {
            if (asView) {
                return viewText;
            }
            if (!modified && original != null) {
                return original;
            }
            StringBuilder sb = new StringBuilder(prefix.stripTrailing()).append(" WITH (");
            String sep = "\n";
            for (Map.Entry<String, String> e : options.entrySet()) {
                sb.append(sep)
                        .append("  ")
                        .append(literal(e.getKey()))
                        .append(" = ")
                        .append(literal(e.getValue()));
                sep = ",\n";
            }
            sb.append("\n)").append(suffix);
            return sb.toString();
        }
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
