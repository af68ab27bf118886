package dev.velo.flink.sql.dialect;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * The source side of a CREATE STREAM/TABLE ... AS: declares the sources its {@code <source>.*} keys
 * describe and puts the {@code source.*} keys on the tables the query reads.
 */
@Internal
final class SourceTables {

    private final ScriptRewriter script;

    SourceTables(ScriptRewriter script) {
        this.script = script;
    }

    /** Declares or configures every source of {@code s}; takes their groups out of {@code keys}. */
    void apply(Statement.CreateAs s, KeyGroups keys) {
        for (String source : s.sources()) {
            LinkedHashMap<String, String> group = keys.groups.remove(source);
            TableDecl decl = script.lookup(source);
            if (group != null) {
                decl = declare(source, group, keys.groupTokens.get(source), decl);
                valueTokens(decl, keys.writtenKeys.get(source), keys);
            }
            if (decl == null) {
                if (!keys.sourceKeys.isEmpty()) {
                    undeclared(source, keys);
                }
                script.anyNonFileSource = true;
                continue;
            }
            if (decl.ctas != null && decl.ctas.defaultSink() && !decl.isView()) {
                // a stream without a sink feeding a later one is an intermediate result
                decl.becomeView();
                script.notes.add(
                        "stream "
                                + decl.name
                                + " has no sink and feeds "
                                + s.name()
                                + ", so it becomes a view");
            }
            if (decl.isView()) {
                if (!keys.sourceKeys.isEmpty()) {
                    throw keys.keyToken(keys.sourceKeys.keySet().iterator().next())
                            .error(
                                    "source '"
                                            + source
                                            + "' is a stream of this script; source options"
                                            + " belong to the table it reads");
                }
                continue;
            }
            if (!decl.isFileSource()) {
                script.anyNonFileSource = true;
            }
            if (!keys.sourceKeys.isEmpty()) {
                Map<String, String> side = sideOptions(keys.sourceKeys, keys.veloKeys);
                decl.options.putAll(side);
                sideTokens(side, keys, decl.optionTokens);
                decl.modified();
                script.wrap(decl);
            }
        }
    }

    /** Declares (or re-checks) a source named only by {@code <source>.*} keys. */
    private TableDecl declare(
            String source, LinkedHashMap<String, String> group, Token at, TableDecl existing) {
        Connectors.Mapped mapped = script.connectors().map(source, true, group, at);
        if (existing != null) {
            if (existing.generated != null && existing.generated.keys().equals(group)) {
                return existing;
            }
            throw at.error(
                    "source '"
                            + source
                            + "' is already declared at line "
                            + existing.line()
                            + " with other options");
        }
        String name = mapped.headerView != null ? source + "_raw" : source;
        String columns = mapped.headerView != null ? mapped.rawColumns : mapped.columns;
        TableDecl decl =
                TableDecl.generated(
                        name,
                        at,
                        "CREATE TABLE " + SqlText.quote(name) + " (" + columns + ")",
                        new TableDecl.GeneratedSource(group, mapped.fileSource));
        if (mapped.fileSource) {
            script.anyFileSource = true;
        } else {
            script.anyNonFileSource = true;
        }
        decl.options.putAll(mapped.options);
        decl.options.putAll(mapped.veloOptions);
        if (!mapped.veloOptions.isEmpty()) {
            script.wrap(decl);
        }
        script.emit(decl, at);
        if (mapped.headerView != null) {
            script.emit(
                    "CREATE TEMPORARY VIEW "
                            + SqlText.quote(source)
                            + " AS\n"
                            + mapped.headerView.replace("${RAW}", SqlText.quote(name)),
                    at);
        }
        // later statements refer to the logical name
        script.register(source, decl);
        return decl;
    }

    /**
     * Options for a source the script does not declare (it may live in a catalog or a config file):
     * checked like a table's; a warning for validate, an error for translate and run.
     */
    private void undeclared(String source, KeyGroups keys) {
        String firstKey = keys.sourceKeys.keySet().iterator().next();
        Token at = keys.keyToken(firstKey);
        TableDecl pseudo = TableDecl.declared(source, at, null, "", "");
        pseudo.options.put(VeloKeys.CONNECTOR, script.wrapperConnector);
        Map<String, String> side = sideOptions(keys.sourceKeys, keys.veloKeys);
        pseudo.options.putAll(side);
        sideTokens(side, keys, pseudo.optionTokens);
        script.undeclared.add(pseudo);
        String what =
                "'"
                        + firstKey
                        + "' configures source table '"
                        + source
                        + "', which this script does not declare";
        String declare =
                "CREATE TABLE "
                        + source
                        + " or '"
                        + source
                        + "."
                        + VeloKeys.TYPE
                        + "' = 'kafka_source' | 'file_source'";
        if (script.lenient) {
            script.warnings.add(
                    at.error(
                            what
                                    + "; its options are checked here, but 'velo run' and 'velo"
                                    + " translate' need the declaration: "
                                    + declare));
        } else {
            script.errors.add(
                    at.error(
                            what
                                    + "; translating or running the script needs the declaration:"
                                    + " declare it with "
                                    + declare
                                    + " ('velo validate' checks the options without it)"));
        }
    }

    /** Value positions of source-side options ({@code dlq.x} was written {@code source.dlq.x}). */
    private static void sideTokens(
            Map<String, String> side, KeyGroups keys, Map<String, Token> into) {
        for (String key : side.keySet()) {
            Token t = keys.valueToken(key);
            if (t == null) {
                t = keys.valueToken(VeloKeys.SOURCE_PREFIX + key);
            }
            if (t != null) {
                into.put(key, t);
            }
        }
    }

    /** Value positions of a table declared by {@code <name>.*} (or generic) keys. */
    private static void valueTokens(TableDecl decl, Map<String, String> written, KeyGroups keys) {
        if (decl == null || written == null) {
            return;
        }
        written.forEach(
                (key, as) -> {
                    Token t = keys.valueToken(as);
                    if (t != null) {
                        decl.optionTokens.putIfAbsent(key, t);
                    }
                });
    }

    /**
     * {@code source.dlq.*} become the source table's {@code dlq.*}; a source that dead-letters
     * without its own DLQ shares the stream's {@code dlq.*}.
     */
    static Map<String, String> sideOptions(
            Map<String, String> sourceKeys, Map<String, String> streamVeloKeys) {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        boolean ownDlq = false;
        boolean deadLetters = false;
        for (Map.Entry<String, String> e : sourceKeys.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(VeloKeys.SOURCE_DLQ_PREFIX)) {
                out.put(key.substring(VeloKeys.SOURCE_PREFIX.length()), e.getValue());
                ownDlq = true;
            } else {
                out.put(key, e.getValue());
            }
            deadLetters |= VeloKeys.isSendToDlq(key, e.getValue());
        }
        if (deadLetters && !ownDlq) {
            String dlqPrefix =
                    VeloKeys.SOURCE_DLQ_PREFIX.substring(VeloKeys.SOURCE_PREFIX.length());
            streamVeloKeys.forEach(
                    (k, v) -> {
                        if (k.startsWith(dlqPrefix)) {
                            out.put(k, v);
                        }
                    });
        }
        return out;
    }
}
