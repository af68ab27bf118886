package dev.velo.flink.sql.cli;

import dev.velo.flink.batching.config.VeloOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * The effective velo options of a table for {@code velo validate}, as {@link CanonicalOptions}
 * lists them, with the values of secret keys masked, and the warnings of the parse.
 */
@Internal
final class EffectiveOptions {

    final LinkedHashMap<String, String> options = new LinkedHashMap<>();
    final List<String> warnings;

    private EffectiveOptions(VeloOptions parsed) {
        CanonicalOptions.of(parsed)
                .forEach((k, v) -> options.put(k, VeloOptions.printableValue(k, v)));
        warnings = parsed.warnings();
    }

    /**
     * @throws org.apache.flink.table.api.ValidationException for an invalid option
     */
    static EffectiveOptions of(String table, Map<String, String> tableOptions) {
        return new EffectiveOptions(VeloOptions.parse(table, tableOptions));
    }
}
