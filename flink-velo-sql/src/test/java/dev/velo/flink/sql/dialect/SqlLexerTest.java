package dev.velo.flink.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The lexer alone: token kinds and texts, skipped comments, positions and its errors. */
class SqlLexerTest {

    private static List<String> texts(String sql) {
        return new SqlLexer(sql).tokenize().stream().map(t -> t.text).collect(Collectors.toList());
    }

    private static List<Token.Kind> kinds(String sql) {
        return new SqlLexer(sql).tokenize().stream().map(t -> t.kind).collect(Collectors.toList());
    }

    @Test
    void splitsWordsStringsNumbersQuotedIdentifiersAndSymbols() {
        String sql = "SELECT `my col`, 'it''s', 1.5, .5, x_1$ FROM t;";
        assertThat(texts(sql))
                .containsExactly(
                        "SELECT",
                        "`my col`",
                        ",",
                        "'it''s'",
                        ",",
                        "1.5",
                        ",",
                        ".5",
                        ",",
                        "x_1$",
                        "FROM",
                        "t",
                        ";");
        assertThat(kinds(sql))
                .containsExactly(
                        Token.Kind.WORD,
                        Token.Kind.QUOTED_IDENTIFIER,
                        Token.Kind.SYMBOL,
                        Token.Kind.STRING,
                        Token.Kind.SYMBOL,
                        Token.Kind.NUMBER,
                        Token.Kind.SYMBOL,
                        Token.Kind.NUMBER,
                        Token.Kind.SYMBOL,
                        Token.Kind.WORD,
                        Token.Kind.WORD,
                        Token.Kind.WORD,
                        Token.Kind.SYMBOL);
    }

    @Test
    void stringValuesAndIdentifierNamesLoseTheirQuotes() {
        List<Token> tokens = new SqlLexer("'it''s' `a``b` \"dq\"").tokenize();
        assertThat(tokens.get(0).stringValue()).isEqualTo("it's");
        assertThat(tokens.get(1).identifierName()).isEqualTo("a`b");
        assertThat(tokens.get(1).isIdentifier()).isTrue();
        assertThat(tokens.get(2).kind).isEqualTo(Token.Kind.STRING);
        assertThat(tokens.get(2).stringValue()).isEqualTo("dq");
    }

    @Test
    void twoCharacterOperatorsAreOneToken() {
        assertThat(texts("a<>b <= c >= d != e || f :: g < h"))
                .containsExactly(
                        "a", "<>", "b", "<=", "c", ">=", "d", "!=", "e", "||", "f", "::", "g", "<",
                        "h");
    }

    @Test
    void commentsAreSkippedButSemicolonsInStringsStay() {
        assertThat(texts("SELECT 1 -- a ; comment\n/* b ; */ ; 'x;y'"))
                .containsExactly("SELECT", "1", ";", "'x;y'");
    }

    @Test
    void tokensKnowTheirLineColumnAndOffsets() {
        String sql = "SELECT a\n  FROM  t";
        List<Token> tokens = new SqlLexer(sql).tokenize();
        Token from = tokens.get(2);
        assertThat(from.isWord("from")).isTrue();
        assertThat(from.line).isEqualTo(2);
        assertThat(from.column).isEqualTo(3);
        assertThat(sql.substring(from.start, from.end)).isEqualTo("FROM");
        assertThat(tokens.get(3).column).isEqualTo(9);
    }

    @Test
    void lineAndColumnOfAnyOffset() {
        SqlLexer lexer = new SqlLexer("ab\ncd\n\nef");
        assertThat(lexer.lineOf(0)).isEqualTo(1);
        assertThat(lexer.lineOf(3)).isEqualTo(2);
        assertThat(lexer.columnOf(4)).isEqualTo(2);
        assertThat(lexer.lineOf(7)).isEqualTo(4);
        assertThat(lexer.columnOf(7)).isEqualTo(1);
    }

    @Test
    void unterminatedStringIsAnErrorAtItsQuote() {
        assertThatThrownBy(() -> new SqlLexer("SELECT\n  'abc").tokenize())
                .isInstanceOfSatisfying(
                        VeloSqlException.class,
                        e -> {
                            assertThat(e.getLine()).isEqualTo(2);
                            assertThat(e.getColumn()).isEqualTo(3);
                            assertThat(e.getDetail())
                                    .isEqualTo("unterminated string literal: ' is never closed");
                        });
    }

    @Test
    void unterminatedQuotedIdentifierAndCommentAreErrors() {
        assertThatThrownBy(() -> new SqlLexer("SELECT `abc").tokenize())
                .hasMessageContaining("unterminated quoted identifier");
        assertThatThrownBy(() -> new SqlLexer("SELECT 1 /* open").tokenize())
                .isInstanceOfSatisfying(
                        VeloSqlException.class,
                        e -> {
                            assertThat(e.getColumn()).isEqualTo(10);
                            assertThat(e.getDetail()).contains("'/*' is never closed");
                        });
    }

    @Test
    void emptyAndCommentOnlyTextHaveNoTokens() {
        assertThat(texts("")).isEmpty();
        assertThat(texts("  -- only\n /* a comment */ ")).isEmpty();
    }
}
