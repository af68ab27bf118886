package dev.velo.flink.sql.dialect;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * A table the rewriter produces. What it is (name, place, text around its WITH clause, the CTAS or
 * generated source it comes from) is fixed; what later statements may change stays open until the
 * {@link ScriptRenderer} writes it out: its options (source keys of a stream, wrapping), whether a
 * later statement reads it, and whether a sink-less stream becomes a view.
 */
@Internal
final class TableDecl {

    /** A table made by CREATE ... AS. */
    record Ctas(String query, boolean columnsGiven, String viewText) {
        /** Written to the default sink: it can become a view. */
        boolean defaultSink() {
            return viewText != null;
        }
    }

    /** A source declared by its {@code <name>.*} keys. */
    record GeneratedSource(Map<String, String> keys, boolean fileSource) {
        GeneratedSource {
            keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
        }
    }

    final String name;

    /** Where the table is declared (its statement or first key). */
    final Token at;

    final String prefix;
    final String suffix;

    /** The CTAS the table comes from; null for other tables. */
    final Ctas ctas;

    /** The keys a generated source was declared with; null for tables of the script. */
    final GeneratedSource generated;

    /** The statement as written while nothing changes it; null once rewritten or generated. */
    private String original;

    /** The table's options, in the order they are rendered. */
    final LinkedHashMap<String, String> options = new LinkedHashMap<>();

    /** Option key -> the token of its value in the script. */
    final Map<String, Token> optionTokens = new LinkedHashMap<>();

    /** A CTAS a later statement reads, so it must exist before the job is submitted. */
    private boolean readLater;

    /** A sink-less CTAS another statement reads: rendered as a temporary view. */
    private boolean view;

    private TableDecl(
            String name,
            Token at,
            String original,
            String prefix,
            String suffix,
            Ctas ctas,
            GeneratedSource generated) {
        this.name = name;
        this.at = at;
        this.original = original;
        this.prefix = prefix;
        this.suffix = suffix;
        this.ctas = ctas;
        this.generated = generated;
    }

    /** A table the script declares; {@code original} is its text, null when it is rewritten. */
    static TableDecl declared(
            String name, Token at, String original, String prefix, String suffix) {
        return new TableDecl(name, at, original, prefix, suffix, null, null);
    }

    /** The table of a CREATE ... AS. */
    static TableDecl ctas(String name, Token at, String prefix, String suffix, Ctas ctas) {
        return new TableDecl(name, at, null, prefix, suffix, ctas, null);
    }

    /** A source declared by {@code <name>.*} keys. */
    static TableDecl generated(String name, Token at, String prefix, GeneratedSource source) {
        return new TableDecl(name, at, null, prefix, "", null, source);
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

    /** Replaces the options, keeping their new order. */
    void replaceOptions(Map<String, String> replacement) {
        options.clear();
        options.putAll(replacement);
    }

    String connector() {
        return options.get(VeloKeys.CONNECTOR);
    }

    boolean isView() {
        return view;
    }

    /** A CTAS to the default sink that a later stream reads is an intermediate result. */
    void becomeView() {
        view = true;
    }

    boolean isReadLater() {
        return readLater;
    }

    /** A later statement reads the table (only a CTAS cares). */
    void readLater() {
        readLater = true;
    }

    boolean isFileSource() {
        return generated != null && generated.fileSource();
    }
}
