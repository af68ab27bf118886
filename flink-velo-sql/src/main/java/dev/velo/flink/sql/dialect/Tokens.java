package dev.velo.flink.sql.dialect;

import java.util.List;
import org.apache.flink.annotation.Internal;

/** The tokens of a script with the lexer's text, and the look-ups the parser needs on them. */
@Internal
final class Tokens {

    private final SqlLexer lexer;
    private final List<Token> list;

    Tokens(SqlLexer lexer) {
        this.lexer = lexer;
        this.list = lexer.tokenize();
    }

    SqlLexer lexer() {
        return lexer;
    }

    Token get(int i) {
        return list.get(i);
    }

    int size() {
        return list.size();
    }

    VeloSqlException error(int offset, String message) {
        return lexer.error(offset, message);
    }

    /** The script's text from token {@code first} to token {@code last}, both included. */
    String text(int first, int last) {
        return lexer.text().substring(list.get(first).start, list.get(last).end);
    }

    /** The script's text from an offset to the end of token {@code last}. */
    String textFrom(int offset, int last) {
        return lexer.text().substring(offset, list.get(last).end);
    }

    /** Last token of a possibly dotted identifier starting at {@code i}. */
    int nameEnd(int i, int last) {
        if (i > last || !list.get(i).isIdentifier()) {
            Token at = list.get(Math.min(i, last));
            throw lexer.error(at.start, "expected a table name, found '" + at.text + "'");
        }
        while (i + 2 <= last && list.get(i + 1).isSymbol(".") && list.get(i + 2).isIdentifier()) {
            i += 2;
        }
        return i;
    }

    /** The dotted name of tokens {@code first..last}, without back-quotes. */
    String nameOf(int first, int last) {
        StringBuilder sb = new StringBuilder();
        for (int i = first; i <= last; i++) {
            Token t = list.get(i);
            sb.append(t.isSymbol(".") ? "." : t.identifierName());
        }
        return sb.toString();
    }

    /** The {@code )} closing the {@code (} at {@code open}. */
    int matching(int open) {
        int depth = 0;
        for (int i = open; i < list.size(); i++) {
            if (list.get(i).isSymbol("(")) {
                depth++;
            } else if (list.get(i).isSymbol(")")) {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        throw lexer.error(list.get(open).start, "unbalanced '('");
    }

    /** The {@code (} opened for the {@code )} at {@code close}, searching back to {@code floor}. */
    int openOf(int close, int floor) {
        int depth = 0;
        for (int i = close; i >= floor; i--) {
            if (list.get(i).isSymbol(")")) {
                depth++;
            } else if (list.get(i).isSymbol("(")) {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        throw lexer.error(list.get(close).start, "unbalanced ')'");
    }

    /**
     * The option key written before the value token {@code value} ({@code 'k' = value}); the value
     * itself when it is not one.
     */
    Token keyBefore(Token value) {
        int lo = 0;
        int hi = list.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (list.get(mid).start < value.start) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (list.get(lo) != value || lo < 2 || !list.get(lo - 1).isSymbol("=")) {
            return value;
        }
        int key = lo - 2;
        while (key >= 2 && list.get(key - 1).isSymbol(".")) {
            key -= 2;
        }
        return list.get(key);
    }
}
