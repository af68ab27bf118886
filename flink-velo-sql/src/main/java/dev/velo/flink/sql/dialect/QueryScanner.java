package dev.velo.flink.sql.dialect;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.annotation.Internal;

/** Reads what the dialect needs from a query's tokens: the tables it reads, its Flink text. */
@Internal
final class QueryScanner {

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

    private final Tokens tokens;

    QueryScanner(Tokens tokens) {
        this.tokens = tokens;
    }

    /** Tables named after FROM or JOIN in tokens {@code first..last}, CTE names left out. */
    Set<String> sourcesOf(int first, int last) {
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
                String n = tokens.nameOf(i + 1, tokens.nameEnd(i + 1, last));
                if (!ctes.contains(n.toLowerCase(Locale.ROOT))) {
                    names.add(n);
                }
            }
        }
        return names;
    }

    /**
     * The query's text, with Velostream's {@code col PRIMARY KEY} markers taken out (their columns
     * are added to {@code primaryKey}, back-quoted) and column names Flink reserves back-quoted.
     */
    String queryText(int first, int last, List<String> primaryKey) {
        String text = tokens.lexer().text();
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
                primaryKey.add(SqlText.quote(previous.identifierName()));
                sb.append(text, copyFrom, previous.end);
                copyFrom = next.end;
                i++;
            } else if (t.kind == Token.Kind.WORD
                    && RESERVED_NAMES.contains(t.text.toLowerCase(Locale.ROOT))
                    && !isSyntax(previous, next)) {
                sb.append(text, copyFrom, t.start).append(SqlText.quote(t.text));
                copyFrom = t.end;
            }
        }
        sb.append(text, copyFrom, tokens.get(last).end);
        return sb.toString();
    }

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
}
