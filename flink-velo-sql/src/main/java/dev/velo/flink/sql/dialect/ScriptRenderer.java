package dev.velo.flink.sql.dialect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.RuntimeExecutionMode;

/** Writes the rewritten statements out as Flink SQL, with what a run needs to know about them. */
@Internal
final class ScriptRenderer {

    private final String wrapperConnector;

    ScriptRenderer(String wrapperConnector) {
        this.wrapperConnector = wrapperConnector;
    }

    /** A table's statement: as written when unchanged, else from its parts. */
    static String render(TableDecl decl) {
        if (decl.isView()) {
            return decl.ctas.viewText();
        }
        if (decl.original() != null) {
            return decl.original();
        }
        StringBuilder sb = new StringBuilder(decl.prefix.stripTrailing()).append(" WITH (");
        String sep = "\n";
        for (Map.Entry<String, String> e : decl.options.entrySet()) {
            sb.append(sep)
                    .append("  ")
                    .append(SqlText.literal(e.getKey()))
                    .append(" = ")
                    .append(SqlText.literal(e.getValue()));
            sep = ",\n";
        }
        return sb.append("\n)").append(decl.suffix).toString();
    }

    /** The {@code SET} of a runtime mode. */
    static String setRuntimeMode(RuntimeExecutionMode mode) {
        return "SET '"
                + ScriptParser.RUNTIME_MODE_KEY
                + "' = '"
                + mode.name().toLowerCase(Locale.ROOT)
                + "'";
    }

    /**
     * The translation of a rewritten script; its runtime mode is set first unless a statement of
     * the script sets it.
     */
    VeloTranslation render(ScriptRewriter.Result rewritten, Map<String, String> annotations) {
        List<RewrittenStatement> output = rewritten.statements();
        RuntimeExecutionMode runtimeMode = rewritten.runtimeMode();
        List<String> statements = new ArrayList<>();
        List<int[]> positions = new ArrayList<>();
        if (runtimeMode != null && !setsRuntimeMode(output)) {
            positions.add(new int[] {1, 1});
            statements.add(setRuntimeMode(runtimeMode));
        }
        Map<String, Map<String, String>> veloTables = new LinkedHashMap<>();
        Map<Integer, VeloTranslation.EagerTable> eager = new LinkedHashMap<>();
        for (RewrittenStatement r : output) {
            positions.add(new int[] {r.at().line, r.at().column});
            if (r instanceof RewrittenStatement.Table t) {
                TableDecl decl = t.decl();
                if (!decl.isView()
                        && decl.isReadLater()
                        && decl.ctas != null
                        && !decl.ctas.columnsGiven()) {
                    eager.put(
                            statements.size(),
                            new VeloTranslation.EagerTable(
                                    decl.name, decl.options, decl.ctas.query()));
                }
                statements.add(render(decl));
                if (!decl.isView() && wrapperConnector.equals(decl.connector())) {
                    veloTables.put(decl.name, new LinkedHashMap<>(decl.options));
                }
            } else if (r instanceof RewrittenStatement.Text text) {
                statements.add(text.sql());
            }
        }
        for (TableDecl decl : rewritten.undeclaredVeloTables()) {
            veloTables.putIfAbsent(decl.name, new LinkedHashMap<>(decl.options));
        }
        return new VeloTranslation(
                statements,
                positions,
                veloTables,
                annotations,
                runtimeMode,
                rewritten.notes(),
                eager,
                rewritten.errors(),
                rewritten.warnings());
    }

    private static boolean setsRuntimeMode(List<RewrittenStatement> output) {
        for (RewrittenStatement r : output) {
            if (r instanceof RewrittenStatement.Text text
                    && text.sql().contains(ScriptParser.RUNTIME_MODE_KEY)) {
                return true;
            }
        }
        return false;
    }
}
