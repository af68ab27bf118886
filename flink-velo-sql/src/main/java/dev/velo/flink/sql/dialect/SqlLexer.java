package dev.velo.flink.sql.dialect;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * Splits a script into tokens, skipping whitespace and comments, and maps text offsets to line and
 * column so every error can point at its place.
 */
@Internal
final class SqlLexer {

    private final String text;
    private final int[] lineStarts;

    SqlLexer(String text) {
        this.text = text;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    String text() {
        return text;
    }

    /** 1-based line of an offset. */
    int lineOf(int offset) {
        int lo = 0;
        int hi = lineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo + 1;
    }

    /** 1-based column of an offset. */
    int columnOf(int offset) {
        return offset - lineStarts[lineOf(offset) - 1] + 1;
    }

    VeloSqlException error(int offset, String message) {
        return new VeloSqlException(lineOf(offset), columnOf(offset), message);
    }

    List<Token> tokenize() {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int close = text.indexOf("*/", i + 2);
                if (close < 0) {
                    throw error(i, "unterminated comment: '/*' is never closed with '*/'");
                }
                i = close + 2;
            } else if (c == '\'' || c == '"' || c == '`') {
                int end = quotedEnd(i, c);
                Token.Kind kind = c == '`' ? Token.Kind.QUOTED_IDENTIFIER : Token.Kind.STRING;
                tokens.add(token(kind, i, end));
                i = end;
            } else if (Character.isDigit(c)
                    || (c == '.' && i + 1 < n && Character.isDigit(text.charAt(i + 1)))) {
                int j = i;
                while (j < n
                        && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '.')) {
                    j++;
                }
                tokens.add(token(Token.Kind.NUMBER, i, j));
                i = j;
            } else if (Character.isLetter(c) || c == '_' || c == '$') {
                int j = i;
                while (j < n
                        && (Character.isLetterOrDigit(text.charAt(j))
                                || text.charAt(j) == '_'
                                || text.charAt(j) == '$')) {
                    j++;
                }
                tokens.add(token(Token.Kind.WORD, i, j));
                i = j;
            } else {
                int j = i + 1;
                if (j < n) {
                    String two = text.substring(i, j + 1);
                    if (two.equals("<>")
                            || two.equals("<=")
                            || two.equals(">=")
                            || two.equals("!=")
                            || two.equals("||")
                            || two.equals("::")) {
                        j++;
                    }
                }
                tokens.add(token(Token.Kind.SYMBOL, i, j));
                i = j;
            }
        }
        return tokens;
    }

    private int quotedEnd(int start, char quote) {
        int i = start + 1;
        while (i < text.length()) {
            if (text.charAt(i) == quote) {
                if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        String what = quote == '`' ? "quoted identifier" : "string literal";
        throw error(start, "unterminated " + what + ": " + quote + " is never closed");
    }

    private Token token(Token.Kind kind, int start, int end) {
        return new Token(
                kind, text.substring(start, end), start, end, lineOf(start), columnOf(start));
    }
}
