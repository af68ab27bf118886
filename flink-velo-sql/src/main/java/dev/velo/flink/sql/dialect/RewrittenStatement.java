package dev.velo.flink.sql.dialect;

import org.apache.flink.annotation.Internal;

/** One Flink statement the rewriter produces, at the place in the script it comes from. */
@Internal
sealed interface RewrittenStatement {

    Token at();

    /** Flink SQL as it is. */
    record Text(String sql, Token at) implements RewrittenStatement {}

    /** A table, rendered once the whole script is rewritten. */
    record Table(TableDecl decl, Token at) implements RewrittenStatement {}
}
