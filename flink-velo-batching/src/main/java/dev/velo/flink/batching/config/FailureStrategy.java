package dev.velo.flink.batching.config;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;
import org.apache.flink.configuration.description.TextElement;
import org.apache.flink.table.api.ValidationException;

/** What happens to a record (or batch) whose processing failed. */
@PublicEvolving
public enum FailureStrategy implements DescribedEnum {
    /** Log metadata, count in {@code numRecordsDropped}, continue. */
    LOG_AND_CONTINUE("LogAndContinue", "Log the failure (metadata only), drop, continue."),
    /** Emit a dead letter and continue. */
    SEND_TO_DLQ("SendToDLQ", "Write a dead letter to the DLQ and continue."),
    /** Fail the task; Flink's restart strategy takes over. */
    FAIL_BATCH("FailBatch", "Fail the task; Flink's restart strategy takes over."),
    /** Retry with exponential backoff, then apply the retry-exhausted strategy. */
    RETRY_WITH_BACKOFF("RetryWithBackoff", null);

    private final String displayName;
    private final String description;

    FailureStrategy(String displayName, String description) {
        this.displayName = displayName;
        this.description = description;
    }

    @Override
    public InlineElement getDescription() {
        // built on use for RetryWithBackoff: FailureOptions refers to this enum while initialised
        return TextElement.text(
                description != null
                        ? description
                        : "Retry with exponential backoff, then apply "
                                + FailureOptions.RETRY_EXHAUSTED.key()
                                + ".");
    }

    /** The canonical name used in WITH clauses, e.g. {@code SendToDLQ}. */
    public String displayName() {
        return displayName;
    }

    /**
     * Parses a failure strategy name of option {@code key}: CamelCase ({@code SendToDLQ}),
     * snake_case ({@code send_to_dlq}) or without separators ({@code sendtodlq}), in any case;
     * surrounding whitespace is ignored.
     *
     * @throws ValidationException naming the key, the value and the accepted names
     */
    public static FailureStrategy parse(String key, String value) {
        return parse(null, key, value, false);
    }

    /**
     * @param terminalOnly true for {@code retry_exhausted}, where RetryWithBackoff would loop
     */
    static FailureStrategy parse(String table, String key, String value, boolean terminalOnly) {
        String wanted = BatchStrategyType.normalise(value);
        for (FailureStrategy s : values()) {
            if (BatchStrategyType.normalise(s.displayName).equals(wanted)
                    && !(terminalOnly && s == RETRY_WITH_BACKOFF)) {
                return s;
            }
        }
        throw ValidationMessages.invalidValue(table, key, value, accepted(terminalOnly));
    }

    static String accepted(boolean terminalOnly) {
        return "expected one of "
                + Arrays.stream(values())
                        .filter(s -> !(terminalOnly && s == RETRY_WITH_BACKOFF))
                        .map(s -> s.displayName)
                        .collect(Collectors.joining(", "))
                + " (also snake_case such as send_to_dlq; any case)";
    }
}
