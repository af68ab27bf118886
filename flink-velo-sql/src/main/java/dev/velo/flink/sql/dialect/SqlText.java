package dev.velo.flink.sql.dialect;

import org.apache.flink.annotation.Internal;

/** How identifiers and string literals are written in the Flink SQL the translator produces. */
@Internal
final class SqlText {

    private SqlText() {}

    /** A back-quoted identifier. */
    static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    /** A single-quoted string literal. */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
