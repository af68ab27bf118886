package dev.velo.flink.batching.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;
import org.apache.flink.configuration.description.TextElement;
import org.apache.flink.table.api.ValidationException;

/** Names of the batch strategies: the seed's snake_case and Velostream's CamelCase. */
@PublicEvolving
public enum BatchStrategyType implements DescribedEnum {
    FIXED_SIZE("fixed_size", "FixedSize", "batch.size records, or batch.timeout."),
    TIME_WINDOW("time_window", "TimeWindow", "What arrives within batch.window."),
    MEMORY_BASED("memory_based", "MemoryBased", "Until batch.memory_size bytes, or batch.timeout."),
    ADAPTIVE_SIZE(
            "adaptive_size",
            "AdaptiveSize",
            "A size between batch.min_size and batch.adaptive_max_size steered towards"
                    + " batch.target_latency."),
    LOW_LATENCY(
            "low_latency",
            "LowLatency",
            "batch.low_latency_max_size records or batch.low_latency_wait."),
    MEGA_BATCH(
            "mega_batch",
            "MegaBatch",
            "batch.mega_batch_size records on reused buffers, optionally in parallel.");

    private final String sqlName;
    private final String camelName;
    private final String description;

    BatchStrategyType(String sqlName, String camelName, String description) {
        this.sqlName = sqlName;
        this.camelName = camelName;
        this.description = description;
    }

    @Override
    public InlineElement getDescription() {
        return TextElement.text(description);
    }

    /** The canonical name used in WITH clauses, e.g. {@code fixed_size}. */
    public String sqlName() {
        return sqlName;
    }

    /** Velostream's enum name, e.g. {@code FixedSize}. */
    public String camelName() {
        return camelName;
    }

    /**
     * Parses a strategy name of option {@code key}: snake_case ({@code fixed_size}), the same
     * without separators ({@code fixedsize}) or CamelCase ({@code FixedSize}), in any case;
     * surrounding whitespace is ignored.
     *
     * @throws ValidationException naming the key, the value and the accepted names
     */
    public static BatchStrategyType parse(String key, String value) {
        return parse(null, key, value);
    }

    static BatchStrategyType parse(String table, String key, String value) {
        String wanted = normalise(value);
        for (BatchStrategyType type : values()) {
            if (normalise(type.sqlName).equals(wanted)) {
                return type;
            }
        }
        throw ValidationMessages.invalidValue(table, key, value, accepted());
    }

    /** The accepted-names sentence of error messages. */
    static String accepted() {
        return "expected one of "
                + Arrays.stream(values()).map(t -> t.sqlName).collect(Collectors.joining(", "))
                + " (also CamelCase such as FixedSize, or without underscores; any case)";
    }

    /** Lower case without the separators users put between words. */
    static String normalise(String name) {
        if (name == null) {
            return "";
        }
        return name.trim().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }
}
