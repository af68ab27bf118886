package dev.velo.flink.sql.dialect;

import org.apache.flink.annotation.Internal;

/** One lexical token of a script, with its place in the text. */
@Internal
final class Token {

    /** What kind of text a token is. */
    enum Kind {
        WORD,
        QUOTED_IDENTIFIER,
        STRING,
        NUMBER,
        SYMBOL
    }

    final Kind kind;
    final String text;
    final int start;
    final int end;
    final int line;
    final int column;

    Token(Kind kind, String text, int start, int end, int line, int column) {
        this.kind = kind;
        this.text = text;
        this.start = start;
        this.end = end;
        this.line = line;
        this.column = column;
    }

    boolean isWord(String word) {
        return kind == Kind.WORD && text.equalsIgnoreCase(word);
    }

    boolean isSymbol(String symbol) {
        return kind == Kind.SYMBOL && text.equals(symbol);
    }

    boolean isIdentifier() {
        return kind == Kind.WORD || kind == Kind.QUOTED_IDENTIFIER;
    }

    /** The identifier's name without back-quotes. */
    String identifierName() {
        if (kind == Kind.QUOTED_IDENTIFIER) {
            return text.substring(1, text.length() - 1).replace("``", "`");
        }
        return text;
    }

    /** The value of a string literal, with doubled quotes collapsed. */
    String stringValue() {
        return text.substring(1, text.length() - 1).replace("''", "'");
    }

    /** An error pointing at this token. */
    VeloSqlException error(String message) {
        return new VeloSqlException(line, column, message);
    }

    @Override
    public String toString() {
        return text + "@" + line + ":" + column;
    }
}
