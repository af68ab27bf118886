package dev.velo.flink.sql.dialect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ExecutionOptions;

/**
 * Reads a script's tokens into {@link Statement}s: splits at top-level semicolons and recognises
 * the statements the dialect rewrites. Nothing is resolved here (no table look-ups, no connectors);
 * that is the {@link ScriptRewriter}'s work.
 */
@Internal
final class ScriptParser {

    static final String RUNTIME_MODE_KEY = ExecutionOptions.RUNTIME_MODE.key();

    private final Tokens tokens;
    private final QueryScanner queries;

    ScriptParser(SqlLexer lexer) {
        this.tokens = new Tokens(lexer);
        this.queries = new QueryScanner(tokens);
    }

    Tokens tokens() {
        return tokens;
    }

    /**
     * The statements of the script. A statement that cannot be read is left out and its error added
     * to {@code errors}, so one run reports every bad statement.
     *
     * @throws VeloSqlException when the parentheses of the script do not balance
     */
    List<Statement> parse(List<VeloSqlException> errors) {
        List<Statement> statements = new ArrayList<>();
        for (int[] range : splitStatements()) {
            try {
                statements.add(statement(range[0], range[1]));
            } catch (VeloSqlException e) {
                errors.add(e);
            }
        }
        return statements;
    }

    /** Token ranges [first, last] of the statements, split at top-level semicolons. */
    List<int[]> splitStatements() {
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
                    throw tokens.error(t.start, "unbalanced ')'");
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
            throw tokens.error(tokens.get(start).start, "unbalanced '(' in this statement");
        }
        if (start < tokens.size()) {
            ranges.add(new int[] {start, tokens.size() - 1});
        }
        return ranges;
    }

    /** The statement of tokens {@code first..last}. */
    Statement statement(int first, int last) {
        Token head = tokens.get(first);
        if (!head.isWord("CREATE")) {
            if (head.isWord("SET") && tokens.text(first, last).contains(RUNTIME_MODE_KEY)) {
                return new Statement.SetRuntimeMode(
                        head, tokens.text(first, last), runtimeMode(first, last));
            }
            Set<String> sources = queries.sourcesOf(first, last);
            // a Velostream push query: SELECT ... EMIT CHANGES is Flink's continuous SELECT
            int end = last;
            if (end - 1 > first
                    && tokens.get(end - 1).isWord("EMIT")
                    && (tokens.get(end).isWord("CHANGES") || tokens.get(end).isWord("FINAL"))) {
                end -= 2;
            }
            return new Statement.Plain(head, tokens.text(first, end), sources);
        }
        int i = first + 1;
        if (i + 1 <= last && tokens.get(i).isWord("OR") && tokens.get(i + 1).isWord("REPLACE")) {
            i += 2;
        }
        if (i <= last && tokens.get(i).isWord("TEMPORARY")) {
            i++;
        }
        if (i <= last && tokens.get(i).isWord("STREAM")) {
            return createAs(first, i + 1, last, true);
        }
        if (i <= last && tokens.get(i).isWord("TABLE")) {
            int nameStart = skipIfNotExists(i + 1, last);
            int afterName = tokens.nameEnd(nameStart, last) + 1;
            if (afterName <= last && tokens.get(afterName).isWord("AS")) {
                return createAs(first, i + 1, last, false);
            }
            return createTable(first, nameStart, last);
        }
        return new Statement.Verbatim(head, tokens.text(first, last));
    }

    /** The mode of {@code SET 'execution.runtime-mode' = '...'}; null when none is named. */
    private RuntimeExecutionMode runtimeMode(int first, int last) {
        RuntimeExecutionMode mode = null;
        for (int i = first; i <= last; i++) {
            Token t = tokens.get(i);
            if (t.kind == Token.Kind.STRING && !t.stringValue().equals(RUNTIME_MODE_KEY)) {
                try {
                    mode = RuntimeExecutionMode.valueOf(t.stringValue().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw tokens.error(
                            t.start,
                            RUNTIME_MODE_KEY
                                    + ": '"
                                    + t.stringValue()
                                    + "' is not one of streaming, batch, automatic");
                }
            }
        }
        return mode;
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

    private Statement createTable(int first, int nameStart, int last) {
        int nameLast = tokens.nameEnd(nameStart, last);
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
            return new Statement.Verbatim(tokens.get(first), tokens.text(first, last));
        }
        int close = tokens.matching(withAt + 1);
        return new Statement.CreateTable(
                tokens.get(first),
                tokens.nameOf(nameStart, nameLast),
                tokens.text(first, last),
                tokens.text(first, withAt - 1),
                suffix(close, last),
                options(withAt + 1, close));
    }

    /** The text after the WITH clause's closing parenthesis. */
    private String suffix(int close, int last) {
        return close < last ? tokens.textFrom(tokens.get(close).end, last) : "";
    }

    private Statement createAs(int first, int afterKind, int last, boolean stream) {
        int nameStart = skipIfNotExists(afterKind, last);
        int nameLast = tokens.nameEnd(nameStart, last);
        String name = tokens.nameOf(nameStart, nameLast);
        int i = nameLast + 1;
        String columns = "";
        if (i <= last && tokens.get(i).isSymbol("(")) {
            int close = tokens.matching(i);
            columns = " " + tokens.text(i, close);
            i = close + 1;
        }
        String expected = "expected AS SELECT ... after CREATE " + (stream ? "STREAM " : "TABLE ");
        if (i > last) {
            throw tokens.error(tokens.get(last).end, expected + name);
        }
        if (stream && tokens.get(i).isWord("WITH")) {
            // CREATE STREAM name (cols) WITH (...): a source declaration, i.e. a Flink table
            int close = tokens.matching(i + 1);
            return new Statement.StreamDeclaration(
                    tokens.get(first),
                    name,
                    "CREATE TABLE " + tokens.text(nameStart, i - 1),
                    suffix(close, last),
                    options(i + 1, close));
        }
        if (!tokens.get(i).isWord("AS")) {
            throw tokens.error(
                    tokens.get(i).start, expected + name + ", found '" + tokens.get(i).text + "'");
        }
        int bodyFirst = i + 1;
        int end = last;
        WithOptions with = WithOptions.NONE;
        String into = null;
        boolean changed = true;
        // the tail after the query, in any order: EMIT CHANGES|FINAL, INTO sink, WITH (...)
        while (changed && end >= bodyFirst) {
            changed = false;
            Token t = tokens.get(end);
            if (t.isSymbol(")")) {
                int open = tokens.openOf(end, bodyFirst);
                if (open > bodyFirst && tokens.get(open - 1).isWord("WITH") && with.isEmpty()) {
                    with = options(open, end);
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
            throw tokens.error(tokens.get(i).end, "expected a query after AS");
        }
        Token bodyHead = tokens.get(bodyFirst);
        if (!(bodyHead.isWord("SELECT")
                || bodyHead.isWord("WITH")
                || bodyHead.isWord("VALUES")
                || bodyHead.isSymbol("("))) {
            throw tokens.error(
                    bodyHead.start, "expected SELECT after AS, found '" + bodyHead.text + "'");
        }
        List<String> primaryKey = new ArrayList<>();
        String query = queries.queryText(bodyFirst, end, primaryKey);
        return new Statement.CreateAs(
                tokens.get(first),
                stream,
                name,
                tokens.text(nameStart, nameLast),
                columns,
                query,
                primaryKey,
                queries.sourcesOf(bodyFirst, end),
                with,
                into);
    }

    /** Parses {@code ( 'k' = 'v', ... )} between the given parentheses. */
    WithOptions options(int open, int close) {
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, Token> keyTokens = new LinkedHashMap<>();
        Map<String, Token> valueTokens = new LinkedHashMap<>();
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
                throw tokens.error(
                        keyToken.start,
                        "expected an option key such as '"
                                + VeloKeys.BATCH_SIZE
                                + "', found '"
                                + keyToken.text
                                + "'");
            }
            if (i >= close || !tokens.get(i).isSymbol("=")) {
                Token at = tokens.get(Math.min(i, close));
                throw tokens.error(
                        at.start,
                        "expected '=' after option key '" + key + "', found '" + at.text + "'");
            }
            i++;
            if (i >= close) {
                throw tokens.error(tokens.get(close).start, "option '" + key + "' has no value");
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
                throw tokens.error(
                        valueToken.start,
                        "expected a quoted value for option '"
                                + key
                                + "', found '"
                                + valueToken.text
                                + "'");
            }
            i++;
            if (options.containsKey(key)) {
                throw tokens.error(keyToken.start, "option '" + key + "' is given twice");
            }
            options.put(key, value);
            keyTokens.put(key, keyToken);
            if (i < close) {
                if (!tokens.get(i).isSymbol(",")) {
                    throw tokens.error(
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
        return new WithOptions(options, keyTokens, valueTokens);
    }
}
