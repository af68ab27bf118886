package dev.velo.flink.sql.dialect;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * A table the rewriter produces. It stays open while the script is rewritten: a later statement may
 * add options to it (source keys of a stream), wrap it, turn a sink-less stream into a view or mark
 * a CTAS as read later. The {@link ScriptRenderer} writes it out at the end.
 */
@Internal
final class TableDecl {

    /** How the rendered statement is made. */
    enum Form {
        /** {@code CREATE TABLE prefix WITH (options) suffix}; or the original text if unchanged. */
        TABLE,
        /** A CTAS without a sink that no later statement reads: a temporary view. */
        VIEW
    }

    final String name;

    /** Where the table is declared (its statement or first key). */
    final Token at;

    /** The statement as written while nothing changes it; null once rewritten or generated. */
    private String original;

    final String prefix;
    final String suffix;

    /** The table's options, in the order they are rendered. */
    LinkedHashMap<String, String> options = new LinkedHashMap<>();

    /** Option key -> the token of its value in the script. */
    final Map<String, Token> optionTokens = new LinkedHashMap<>();

    /** A source declared by {@code <name>.*} keys: the keys it was declared with. */
    Map<String, String> generatedFrom;

    boolean fileSource;

    /** A CTAS: its query; null for other tables. */
    String ctasQuery;

    /** A CTAS with its own column list (or primary key), which cannot be created eagerly. */
    boolean columnsGiven;

    /** A CTAS a later statement reads, so it must exist before the job is submitted. */
    boolean readLater;

    /** A CTAS writing to the default sink: the view it becomes when another stream reads it. */
    String viewText;

    Form form = Form.TABLE;

    TableDecl(String name, Token at, String original, String prefix, String suffix) {
        this.name = name;
        this.at = at;
        this.original = original;
        this.prefix = prefix;
        this.suffix = suffix;
    }

    int line() {
        return at == null ? 1 : at.line;
    }

    /** The statement as written, when nothing has changed it since. */
    String original() {
        return original;
    }

    /** Something changed the table: it is rendered from its parts. */
    void modified() {
        original = null;
    }

    boolean isView() {
        return form == Form.VIEW;
    }

    String connector() {
        return options.get(VeloKeys.CONNECTOR);
    }
}
