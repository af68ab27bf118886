package dev.velo.flink.sql.dialect;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;

/**
 * The WITH keys of a CREATE STREAM/TABLE ... AS, sorted by what they configure: {@code <table>.*}
 * keys by table, {@code source.*} keys of the source table, velo keys of the sink, Velostream's
 * generic {@code source.*}/{@code sink.*} keys and plain connector keys.
 */
@Internal
final class KeyGroups {

    final WithOptions with;

    /** Table name -> its keys without the {@code <table>.} prefix. */
    final Map<String, LinkedHashMap<String, String>> groups = new LinkedHashMap<>();

    /** Table name -> the key token of the first key of its group. */
    final Map<String, Token> groupTokens = new LinkedHashMap<>();

    /** Table name -> key within the group -> the key as written. */
    final Map<String, Map<String, String>> writtenKeys = new LinkedHashMap<>();

    /** {@code source.*} keys flink-velo applies to the source table. */
    final LinkedHashMap<String, String> sourceKeys = new LinkedHashMap<>();

    /** Velo keys of the sink. */
    final LinkedHashMap<String, String> veloKeys = new LinkedHashMap<>();

    /** Keys for the sink's connector as they are. */
    final LinkedHashMap<String, String> plainKeys = new LinkedHashMap<>();

    /** Velostream's generic {@code source.*} keys: they address the stream's own source. */
    final LinkedHashMap<String, String> genericSource = new LinkedHashMap<>();

    /** Velostream's generic {@code sink.*} keys: they address the stream's own sink. */
    final LinkedHashMap<String, String> genericSink = new LinkedHashMap<>();

    /** Sorts the keys of {@code with}; a key prefixed with one of {@code known} is that table's. */
    KeyGroups(WithOptions with, Set<String> known) {
        this.with = with;
        for (Map.Entry<String, String> e : with.values().entrySet()) {
            String key = e.getKey();
            String group = longestPrefix(key, known);
            if (group != null) {
                String inGroup = key.substring(group.length() + 1);
                groups.computeIfAbsent(group, g -> new LinkedHashMap<>())
                        .put(inGroup, e.getValue());
                groupTokens.putIfAbsent(group, with.keyTokens().get(key));
                writtenKeys.computeIfAbsent(group, g -> new LinkedHashMap<>()).put(inGroup, key);
            } else if (VeloKeys.isSourceKey(key) && !VeloKeys.isSourceSideKey(key)) {
                genericSource.put(key, e.getValue());
            } else if (VeloKeys.isSourceKey(key)) {
                sourceKeys.put(key, e.getValue());
            } else if (VeloKeys.isVeloKey(key)) {
                veloKeys.put(key, e.getValue());
            } else if (VeloKeys.isSinkKey(key)) {
                genericSink.put(key, e.getValue());
            } else {
                plainKeys.put(key, e.getValue());
            }
        }
    }

    /** The token of the key as written. */
    Token keyToken(String key) {
        return with.keyTokens().get(key);
    }

    /** The token of the value of the key as written. */
    Token valueToken(String key) {
        return with.valueTokens().get(key);
    }

    /**
     * Moves Velostream's generic {@code source.*}/{@code sink.*} keys into the group of the table
     * they address, e.g. {@code 'sink.path'} to the sink's {@code path}; the table-prefixed form of
     * the same key may not be given as well.
     */
    void addGeneric(String table, Map<String, String> generic, String prefix) {
        LinkedHashMap<String, String> group =
                groups.computeIfAbsent(table, g -> new LinkedHashMap<>());
        Map<String, String> written =
                writtenKeys.computeIfAbsent(table, g -> new LinkedHashMap<>());
        for (Map.Entry<String, String> e : generic.entrySet()) {
            String key = e.getKey().substring(prefix.length());
            Token at = keyToken(e.getKey());
            if (group.containsKey(key)) {
                throw at.error(
                        "'"
                                + e.getKey()
                                + "' and '"
                                + written.get(key)
                                + "' both set "
                                + table
                                + "'s "
                                + key
                                + "; give only one of them");
            }
            group.put(key, e.getValue());
            written.put(key, e.getKey());
            groupTokens.putIfAbsent(table, at);
        }
    }

    /** The longest of {@code names} that {@code key} starts with, followed by a dot; any case. */
    static String longestPrefix(String key, Set<String> names) {
        String best = null;
        for (String n : names) {
            if (key.length() > n.length() + 1
                    && key.charAt(n.length()) == '.'
                    && key.regionMatches(true, 0, n, 0, n.length())
                    && (best == null || n.length() > best.length())) {
                best = n;
            }
        }
        return best;
    }
}
