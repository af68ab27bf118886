package dev.velo.flink.sql.dialect;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * The options of a {@code WITH ( 'k' = 'v', ... )} clause in script order, with the tokens of each
 * key and value so an error can point at them.
 */
@Internal
record WithOptions(
        Map<String, String> values, Map<String, Token> keyTokens, Map<String, Token> valueTokens) {

    static final WithOptions NONE = new WithOptions(Map.of(), Map.of(), Map.of());

    WithOptions {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        keyTokens = Collections.unmodifiableMap(new LinkedHashMap<>(keyTokens));
        valueTokens = Collections.unmodifiableMap(new LinkedHashMap<>(valueTokens));
    }

    boolean isEmpty() {
        return values.isEmpty();
    }
}
