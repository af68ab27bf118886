package dev.velo.flink.sql.dialect;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.RuntimeExecutionMode;

/**
 * One statement of a script as {@link ScriptParser} reads it: what the rewriter needs to turn it
 * into Flink SQL, nothing resolved yet. Every statement knows the token it starts at, for errors
 * and statement positions.
 */
@Internal
sealed interface Statement {

    /** The first token of the statement. */
    Token at();

    /**
     * A statement that is not a CREATE (a query, INSERT, SET, ...), with Velostream's {@code EMIT
     * CHANGES}/{@code EMIT FINAL} taken off.
     *
     * @param sources the tables it reads after FROM or JOIN
     */
    record Plain(Token at, String text, Set<String> sources) implements Statement {
        public Plain {
            sources = Collections.unmodifiableSet(new LinkedHashSet<>(sources));
        }
    }

    /**
     * {@code SET 'execution.runtime-mode' = '...'}.
     *
     * @param mode the mode set; null when the statement names none
     */
    record SetRuntimeMode(Token at, String text, RuntimeExecutionMode mode) implements Statement {}

    /** A statement passed through as written: a CREATE the dialect does not change. */
    record Verbatim(Token at, String text) implements Statement {}

    /**
     * Flink's {@code CREATE TABLE name (...) WITH (...)}.
     *
     * @param original the statement as written, used when nothing changes it
     * @param prefix the text before {@code WITH}
     * @param suffix the text after the WITH clause's {@code )}
     */
    record CreateTable(
            Token at, String name, String original, String prefix, String suffix, WithOptions with)
            implements Statement {}

    /**
     * Velostream's {@code CREATE STREAM name (cols) WITH (...)}: a table declaration.
     *
     * @param prefix {@code CREATE TABLE name (cols)}, the Flink form of the text before WITH
     */
    record StreamDeclaration(Token at, String name, String prefix, String suffix, WithOptions with)
            implements Statement {}

    /**
     * {@code CREATE STREAM|TABLE name [(cols)] AS SELECT ... [EMIT CHANGES] [INTO sink] [WITH
     * (...)]}.
     *
     * @param stream written as CREATE STREAM
     * @param nameText the name as written (quotes kept)
     * @param columns the column list as written, with a leading space; empty when none
     * @param query the query, with reserved column names quoted and PRIMARY KEY markers taken out
     * @param primaryKey the back-quoted columns marked {@code PRIMARY KEY} in the select list
     * @param sources the tables the query reads
     * @param into the sink named by {@code INTO}; null when none
     */
    record CreateAs(
            Token at,
            boolean stream,
            String name,
            String nameText,
            String columns,
            String query,
            List<String> primaryKey,
            Set<String> sources,
            WithOptions with,
            String into)
            implements Statement {
        public CreateAs {
            primaryKey = List.copyOf(primaryKey);
            sources = Collections.unmodifiableSet(new LinkedHashSet<>(sources));
        }

        String kind() {
            return stream ? "stream" : "table";
        }
    }
}
