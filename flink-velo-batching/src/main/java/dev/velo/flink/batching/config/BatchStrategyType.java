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
    FIXED_SIZE("fixed_size", "FixedSize"),
    TIME_WINDOW("time_window", "TimeWindow"),
    MEMORY_BASED("memory_based", "MemoryBased"),
    ADAPTIVE_SIZE("adaptive_size", "AdaptiveSize"),
    LOW_LATENCY("low_latency", "LowLatency"),
    MEGA_BATCH("mega_batch", "MegaBatch");

    private final String sqlName;
    private final String camelName;

    BatchStrategyType(String sqlName, String camelName) {
        this.sqlName = sqlName;
        this.camelName = camelName;
    }

    @Override
    public InlineElement getDescription() {
        return TextElement.text(description());
    }

    /**
     * One sentence on when a batch of this strategy is complete, naming its options. Built on use:
     * {@link BatchOptions} refers to this enum while it is initialised.
     */
    private String description() {
        switch (this) {
            case FIXED_SIZE:
                return BatchOptions.SIZE.key() + " records, or " + BatchOptions.TIMEOUT.key() + ".";
            case TIME_WINDOW:
                return "What arrives within " + BatchOptions.WINDOW.key() + ".";
            case MEMORY_BASED:
                return "Until "
                        + BatchOptions.MEMORY_SIZE.key()
                        + " bytes, or "
                        + BatchOptions.TIMEOUT.key()
                        + ".";
            case ADAPTIVE_SIZE:
                return "A size between "
                        + BatchOptions.MIN_SIZE.key()
                        + " and "
                        + BatchOptions.ADAPTIVE_MAX_SIZE.key()
                        + " steered towards "
                        + BatchOptions.TARGET_LATENCY.key()
                        + ".";
            case LOW_LATENCY:
                return BatchOptions.LOW_LATENCY_MAX_SIZE.key()
                        + " records or "
                        + BatchOptions.LOW_LATENCY_WAIT.key()
                        + ".";
            case MEGA_BATCH:
                return BatchOptions.MEGA_BATCH_SIZE.key()
                        + " records on reused buffers, optionally in parallel.";
            default:
                throw new IllegalStateException("unhandled strategy " + this);
        }
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
