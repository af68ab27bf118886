package dev.velo.flink.sql.dialect;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.api.ValidationException;

/**
 * A Velostream script the translator cannot accept, with the line and column (1-based) of the
 * fault.
 */
@PublicEvolving
public class VeloSqlException extends ValidationException {

    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;
    private final String detail;

    public VeloSqlException(int line, int column, String detail) {
        super("line " + line + ", column " + column + ": " + detail);
        this.line = line;
        this.column = column;
        this.detail = detail;
    }

    public VeloSqlException(int line, int column, String detail, Throwable cause) {
        super("line " + line + ", column " + column + ": " + detail, cause);
        this.line = line;
        this.column = column;
        this.detail = detail;
    }

    /** 1-based line of the fault in the script. */
    public int getLine() {
        return line;
    }

    /** 1-based column of the fault in the script. */
    public int getColumn() {
        return column;
    }

    /** The message without the position prefix. */
    public String getDetail() {
        return detail;
    }
}
