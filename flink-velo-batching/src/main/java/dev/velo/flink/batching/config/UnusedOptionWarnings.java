package dev.velo.flink.batching.config;

import static dev.velo.flink.batching.config.BatchOptions.ENABLE;
import static dev.velo.flink.batching.config.BatchOptions.MAX_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.STRATEGY;
import static dev.velo.flink.batching.config.FailureOptions.MAX_FAILURE_RATIO;
import static dev.velo.flink.batching.config.OptionKeyTables.SIDE_PREFIXES;
import static dev.velo.flink.batching.config.OptionKeyTables.isConditional;
import static dev.velo.flink.batching.config.OptionKeyTables.sideUses;
import static dev.velo.flink.batching.config.OptionKeyTables.usersOf;
import static dev.velo.flink.batching.config.OptionKeyTables.usesOption;

import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;

/**
 * The warnings about keys a table sets but its configuration does not read: batch keys while
 * batching is off or under a strategy that ignores them, retry keys without RetryWithBackoff, guard
 * keys without a failure ratio, and common failure keys both sides override.
 */
final class UnusedOptionWarnings {

    private final String table;
    private final List<String> warnings;

    /** Appends its warnings, each naming {@code table}, to {@code warnings}. */
    UnusedOptionWarnings(String table, List<String> warnings) {
        this.table = table;
        this.warnings = warnings;
    }

    /**
     * @param batchGivenKey canonical batch key -> the spelling the user wrote, for the keys given
     */
    void warnUnusedBatchKeys(Map<String, String> batchGivenKey, BatchConfig config) {
        BatchStrategyType type = config.strategy().type();
        for (ConfigOption<?> option : BatchOptions.ALL) {
            String given = batchGivenKey.get(option.key());
            if (given == null || option == ENABLE) {
                continue;
            }
            if (!config.isEnabled()) {
                warn(
                        "option '"
                                + given
                                + "' is ignored because '"
                                + batchGivenKey.get(ENABLE.key())
                                + "' is false.");
            } else if (option != STRATEGY && option != MAX_SIZE && !usesOption(type, option)) {
                warn(
                        "option '"
                                + given
                                + "' is ignored: batch strategy '"
                                + type.sqlName()
                                + "' does not use it (it is used by "
                                + usersOf(option)
                                + ").");
            }
        }
    }

    /**
     * @param failure failure key as written (with side prefix) -> typed value, for the keys given
     */
    void warnUnusedFailureKeys(
            Map<String, Object> failure, FailureConfig source, FailureConfig sink) {
        for (String prefix : SIDE_PREFIXES) {
            for (ConfigOption<?> option : FailureOptions.ALL) {
                String key = prefix + option.key();
                if (!failure.containsKey(key) || !isConditional(option)) {
                    continue;
                }
                String sourceKey = FailureOptions.SOURCE_PREFIX + option.key();
                String sinkKey = FailureOptions.SINK_PREFIX + option.key();
                if (prefix.isEmpty()
                        && failure.containsKey(sourceKey)
                        && failure.containsKey(sinkKey)) {
                    warn(
                            "option '"
                                    + key
                                    + "' is ignored: '"
                                    + sourceKey
                                    + "' and '"
                                    + sinkKey
                                    + "' override it on both sides.");
                    continue;
                }
                boolean used;
                if (prefix.equals(FailureOptions.SOURCE_PREFIX)) {
                    used = sideUses(source, option);
                } else if (prefix.equals(FailureOptions.SINK_PREFIX)) {
                    used = sideUses(sink, option);
                } else {
                    used =
                            (!failure.containsKey(FailureOptions.SOURCE_PREFIX + option.key())
                                            && sideUses(source, option))
                                    || (!failure.containsKey(
                                                    FailureOptions.SINK_PREFIX + option.key())
                                            && sideUses(sink, option));
                }
                if (!used) {
                    warn(
                            "option '"
                                    + key
                                    + "' is ignored: "
                                    + (OptionKeyTables.RETRY_OPTIONS.contains(option)
                                            ? "it is used only when the failure strategy is"
                                                    + " RetryWithBackoff (source side: "
                                                    + source.strategy().displayName()
                                                    + ", sink side: "
                                                    + sink.strategy().displayName()
                                                    + ")."
                                            : "it is used only together with '"
                                                    + prefix
                                                    + MAX_FAILURE_RATIO.key()
                                                    + "'."));
                }
            }
        }
    }

    private void warn(String sentence) {
        warnings.add(ValidationMessages.withTable(table, sentence));
    }
}
