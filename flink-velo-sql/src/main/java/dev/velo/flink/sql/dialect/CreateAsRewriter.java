package dev.velo.flink.sql.dialect;

import dev.velo.flink.batching.config.BatchStrategyType;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;

/**
 * Rewrites {@code CREATE STREAM|TABLE name AS SELECT ... WITH (...)} into a Flink CTAS behind the
 * velo connector: its WITH keys are sorted by the table they configure ({@link KeyGroups}), the
 * sources are declared or configured ({@link SourceTables}) and the sink gets its connector from
 * {@code <sink>.type} keys, plain connector keys, or print.
 */
@Internal
final class CreateAsRewriter {

    private final ScriptRewriter script;
    private final SourceTables sources;

    CreateAsRewriter(ScriptRewriter script) {
        this.script = script;
        this.sources = new SourceTables(script);
    }

    void rewrite(Statement.CreateAs s) {
        KeyGroups keys = new KeyGroups(s.with(), knownNames(s));
        genericKeys(s, keys);
        script.markReadLater(s.sources());
        sources.apply(s, keys);
        Sink sink = sink(s, keys);
        if (!keys.groups.isEmpty()) {
            String unused = keys.groups.keySet().iterator().next();
            Token at = keys.groupTokens.get(unused);
            TableDecl declared = script.lookup(unused);
            if (declared == null) {
                throw at.error(
                        "options for '"
                                + unused
                                + "', which is neither a source of this query nor its sink");
            }
            throw at.error(
                    "options for '"
                            + unused
                            + "', which is already declared by CREATE TABLE at line "
                            + declared.line()
                            + "; put them there");
        }
        applyScriptBatchSize(keys.veloKeys);
        TableDecl decl = sinkTable(s, sink, keys);
        script.register(decl);
        script.emit(decl, s.at());
    }

    /** Names a {@code <name>.} key prefix may address: tables of the statement and script. */
    private Set<String> knownNames(Statement.CreateAs s) {
        Set<String> known = new LinkedHashSet<>();
        known.add(s.name());
        if (s.into() != null) {
            known.add(s.into());
        }
        known.addAll(s.sources());
        known.addAll(script.tableNames());
        for (String key : s.with().values().keySet()) {
            for (String suffix : new String[] {"." + VeloKeys.TYPE, "." + VeloKeys.CONFIG_FILE}) {
                if (key.endsWith(suffix) && key.length() > suffix.length()) {
                    known.add(key.substring(0, key.length() - suffix.length()));
                }
            }
        }
        return known;
    }

    /** Velostream's generic {@code source.*} / {@code sink.*} keys go to the stream's tables. */
    private void genericKeys(Statement.CreateAs s, KeyGroups keys) {
        if (!keys.genericSink.isEmpty()) {
            if (keys.plainKeys.containsKey(VeloKeys.CONNECTOR)) {
                // Flink connector keys such as sink.parallelism of the given connector
                keys.plainKeys.putAll(keys.genericSink);
            } else {
                keys.addGeneric(
                        s.into() != null ? s.into() : s.name(),
                        keys.genericSink,
                        VeloKeys.SINK_PREFIX);
            }
        }
        if (keys.genericSource.isEmpty()) {
            return;
        }
        String firstKey = keys.genericSource.keySet().iterator().next();
        if (s.sources().size() != 1) {
            throw keys.keyToken(firstKey)
                    .error(
                            "'"
                                    + firstKey
                                    + "' addresses the stream's source, but the query reads "
                                    + (s.sources().isEmpty()
                                            ? "no table"
                                            : String.join(", ", s.sources()))
                                    + "; prefix the key with the source's name instead");
        }
        String source = s.sources().iterator().next();
        TableDecl declared = script.lookup(source);
        if (declared != null && declared.generated == null && !keys.groups.containsKey(source)) {
            // a CREATE TABLE of the script: the keys go onto it, as before
            keys.sourceKeys.putAll(keys.genericSource);
        } else {
            keys.addGeneric(source, keys.genericSource, VeloKeys.SOURCE_PREFIX);
        }
    }

    /** The sink's delegate connector options and where they came from. */
    private record Sink(
            LinkedHashMap<String, String> delegate, String groupName, boolean isDefault) {}

    /** The sink table's connector: (a) {@code <sink>.type} keys, (b) plain keys, (c) print. */
    private Sink sink(Statement.CreateAs s, KeyGroups keys) {
        String name = s.name();
        String into = s.into();
        String sinkName = into != null && keys.groups.containsKey(into) ? into : name;
        LinkedHashMap<String, String> sinkGroup = keys.groups.remove(sinkName);
        String sinkGroupName = sinkName;
        if (into != null) {
            String otherName = sinkName.equals(into) ? name : into;
            LinkedHashMap<String, String> other = keys.groups.remove(otherName);
            if (sinkGroup == null) {
                sinkGroup = other;
                sinkGroupName = otherName;
            }
        }
        LinkedHashMap<String, String> delegate = new LinkedHashMap<>();
        if (sinkGroup != null
                && (sinkGroup.containsKey(VeloKeys.TYPE)
                        || sinkGroup.containsKey(VeloKeys.CONFIG_FILE)
                        || Connectors.inferType(sinkGroup, false) != null)) {
            Token at =
                    keys.groupTokens.getOrDefault(
                            sinkName, keys.groupTokens.get(into == null ? name : into));
            Connectors.Mapped mapped = script.connectors().map(name, false, sinkGroup, at);
            delegate.putAll(mapped.options);
            keys.veloKeys.putAll(mapped.veloOptions);
            delegate.putAll(keys.plainKeys);
            return new Sink(delegate, sinkGroupName, false);
        }
        if (!keys.plainKeys.isEmpty()) {
            if (sinkGroup != null) {
                keys.plainKeys.putAll(sinkGroup);
            }
            if (!keys.plainKeys.containsKey(VeloKeys.CONNECTOR)) {
                String key = keys.plainKeys.keySet().iterator().next();
                throw keys.keyToken(key)
                        .error(
                                "'"
                                        + key
                                        + "' is neither a velo option nor prefixed with a table"
                                        + " name, so it would go to the sink's connector, but no '"
                                        + VeloKeys.CONNECTOR
                                        + "' is given; add '"
                                        + VeloKeys.CONNECTOR
                                        + "' = '...' or '"
                                        + name
                                        + "."
                                        + VeloKeys.TYPE
                                        + "' = 'kafka_sink' | 'file_sink'");
            }
            delegate.putAll(keys.plainKeys);
            return new Sink(delegate, sinkGroupName, false);
        }
        if (sinkGroup != null) {
            throw keys.groupTokens
                    .get(sinkName)
                    .error(
                            "sink '"
                                    + sinkName
                                    + "' has options but no '"
                                    + sinkName
                                    + "."
                                    + VeloKeys.TYPE
                                    + "'");
        }
        delegate.put(VeloKeys.CONNECTOR, SinkConnectorAdapter.DEFAULT_SINK);
        script.notes.add(
                s.kind()
                        + " "
                        + name
                        + ": no sink connector given ('"
                        + name
                        + "."
                        + VeloKeys.TYPE
                        + "' or '"
                        + VeloKeys.CONNECTOR
                        + "'), writing to '"
                        + SinkConnectorAdapter.DEFAULT_SINK
                        + "'");
        return new Sink(delegate, sinkGroupName, true);
    }

    /** The CTAS table of the statement, behind the velo connector. */
    private TableDecl sinkTable(Statement.CreateAs s, Sink sink, KeyGroups keys) {
        LinkedHashMap<String, String> delegate = sink.delegate();
        String columns = s.columns();
        if (!s.primaryKey().isEmpty()) {
            if (SinkConnectorAdapter.keepsPrimaryKey(delegate)) {
                if (columns.isEmpty()) {
                    columns =
                            " (PRIMARY KEY ("
                                    + String.join(", ", s.primaryKey())
                                    + ") NOT ENFORCED)";
                }
                SinkConnectorAdapter.toUpsert(delegate);
            } else {
                script.notes.add(
                        "table "
                                + s.name()
                                + ": PRIMARY KEY "
                                + s.primaryKey()
                                + " dropped; connector '"
                                + delegate.get(VeloKeys.CONNECTOR)
                                + "' takes the query's rows as they are");
            }
        }
        String viewText =
                sink.isDefault()
                        ? "CREATE TEMPORARY VIEW " + s.nameText() + " AS\n" + s.query()
                        : null;
        TableDecl decl =
                TableDecl.ctas(
                        s.name(),
                        s.at(),
                        "CREATE TABLE " + s.nameText() + columns,
                        "\nAS " + s.query(),
                        new TableDecl.Ctas(s.query(), !columns.isEmpty(), viewText));
        String connector = delegate.get(VeloKeys.CONNECTOR);
        if (connector.equals(script.wrapperConnector)) {
            decl.options.putAll(delegate);
        } else {
            decl.options.put(VeloKeys.CONNECTOR, script.wrapperConnector);
            decl.options.put(VeloKeys.VELO_CONNECTOR, delegate.remove(VeloKeys.CONNECTOR));
            decl.options.putAll(delegate);
        }
        decl.options.putAll(keys.veloKeys);
        Map<String, String> written = keys.writtenKeys.getOrDefault(sink.groupName(), Map.of());
        for (String key : keys.veloKeys.keySet()) {
            Token value = keys.valueToken(key);
            if (value == null && written.containsKey(key)) {
                value = keys.valueToken(written.get(key));
            }
            if (value != null) {
                decl.optionTokens.put(key, value);
            }
        }
        return decl;
    }

    /** {@code -- @batch_size: n}: the batch size of a sink that sets none. */
    private void applyScriptBatchSize(Map<String, String> veloKeys) {
        Integer size = script.scriptBatchSize;
        if (size == null || veloKeys.containsKey(VeloKeys.BATCH_SIZE)) {
            return;
        }
        String strategy = veloKeys.get(VeloKeys.BATCH_STRATEGY);
        if (strategy == null) {
            veloKeys.put(VeloKeys.BATCH_STRATEGY, BatchStrategyType.FIXED_SIZE.sqlName());
            veloKeys.put(VeloKeys.BATCH_SIZE, String.valueOf(size));
        } else if (VeloKeys.strategyOf(strategy) == BatchStrategyType.FIXED_SIZE) {
            veloKeys.put(VeloKeys.BATCH_SIZE, String.valueOf(size));
        }
    }
}
