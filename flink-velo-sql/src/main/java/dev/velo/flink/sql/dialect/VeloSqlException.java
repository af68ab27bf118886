package dev.velo.flink.sql.dialect;

import java.util.List;
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
    private final List<VeloSqlException> errors;

    public VeloSqlException(int line, int column, String detail) {
        super("line " + line + ", column " + column + ": " + detail);
        this.line = line;
        this.column = column;
        this.detail = detail;
        this.errors = null;
    }

    public VeloSqlException(int line, int column, String detail, Throwable cause) {
        super("line " + line + ", column " + column + ": " + detail, cause);
        this.line = line;
        this.column = column;
        this.detail = detail;
        this.errors = null;
    }

    /** Every error of a script: positioned at the first, the others in {@link #getErrors()}. */
    private VeloSqlException(List<VeloSqlException> errors) {
        super(
                "line "
                        + errors.get(0).line
                        + ", column "
                        + errors.get(0).column
                        + ": "
                        + errors.get(0).detail
                        + (errors.size() > 1
                                ? " (and " + (errors.size() - 1) + " more errors)"
                                : ""),
                errors.get(0));
        this.line = errors.get(0).line;
        this.column = errors.get(0).column;
        this.detail = errors.get(0).detail;
        this.errors = List.copyOf(errors);
    }

    /** The one error of the list, or an exception carrying all of them (list not empty). */
    static VeloSqlException of(List<VeloSqlException> errors) {
        return errors.size() == 1 ? errors.get(0) : new VeloSqlException(errors);
    }

    /**
     * Every error found in the script, in script order of discovery; just this one when the
     * translator stopped at it.
     */
    public List<VeloSqlException> getErrors() {
        return errors == null ? List.of(this) : errors;
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
