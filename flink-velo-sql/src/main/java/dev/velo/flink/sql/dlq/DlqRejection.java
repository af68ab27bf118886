package dev.velo.flink.sql.dlq;

import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_CONNECTOR;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_PREFIX;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.table.api.ValidationException;

/** A DLQ connector's rejection of the dead-letter table, told in the velo table's terms. */
final class DlqRejection {

    private DlqRejection() {}

    /**
     * The connector's rejection, in the terms of the velo table: its option keys as the {@code
     * dlq.}-prefixed keys the user wrote, and never the value of a sensitive option.
     */
    static ValidationException of(
            String tableName,
            String connector,
            Set<String> connectorKeys,
            Map<String, String> dlqOptions,
            Throwable e) {
        // FactoryUtil's own wrapper (the outermost, listing every option) is left out
        StringBuilder chain = new StringBuilder();
        for (Throwable c = e.getCause() == null ? e : e.getCause(); c != null; c = c.getCause()) {
            if (c.getMessage() != null && chain.indexOf(c.getMessage()) < 0) {
                chain.append(chain.length() == 0 ? "" : " ").append(c.getMessage());
            }
        }
        String reason = chain.toString();
        Set<String> keys = new TreeSet<>(connectorKeys);
        keys.addAll(dlqOptions.keySet());
        reason = withDlqKeys(String.valueOf(reason), keys);
        for (Map.Entry<String, String> o : dlqOptions.entrySet()) {
            if (GlobalConfiguration.isSensitive(o.getKey())
                    && o.getValue() != null
                    && !o.getValue().isEmpty()) {
                reason = reason.replace(o.getValue(), GlobalConfiguration.HIDDEN_CONTENT);
            }
        }
        // the velo factory surfaces the deepest cause: this message must be that cause
        return new ValidationException(
                String.format(
                        "Table '%s': the DLQ connector '%s' (from '%s') rejected the dead-letter"
                                + " table: %s",
                        tableName, connector, DLQ_CONNECTOR.key(), reason));
    }

    /** Puts {@code dlq.} before every option key the message quotes or lists on a line. */
    static String withDlqKeys(String message, Set<String> keys) {
        String out = message;
        List<String> byLength =
                keys.stream().sorted(Comparator.comparing(String::length).reversed()).toList();
        for (String key : byLength) {
            String q = Pattern.quote(key);
            out =
                    Pattern.compile("(?<=')" + q + "(?=')|(?m)^(\\s*)" + q + "\\s*$")
                            .matcher(out)
                            .replaceAll(
                                    m ->
                                            Matcher.quoteReplacement(
                                                    (m.group(1) == null ? "" : m.group(1))
                                                            + DLQ_PREFIX
                                                            + key));
        }
        return out;
    }
}
