package dev.velo.flink.sql.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.flink.annotation.Internal;

/**
 * The arguments of {@code velo replay FILE.sql --table NAME [--error-class CLASS] [--from TIME]
 * [--to TIME]}; a wrong one is an {@link IllegalArgumentException} whose message is shown with the
 * usage.
 */
@Internal
final class ReplayRequest {

    private static final Option TABLE = CliArguments.valued("table", "a value");
    private static final Option ERROR_CLASS = CliArguments.valued("error-class", "a value");
    private static final Option FROM = CliArguments.valued("from", "a value");
    private static final Option TO = CliArguments.valued("to", "a value");

    Path file;
    String table;
    String errorClass;
    Long fromMillis;
    long toMillis;

    /** Parses the arguments after {@code replay}; {@code --to} defaults to {@code nowMillis}. */
    static ReplayRequest parse(List<String> args, long nowMillis) {
        CommandLine line;
        try {
            line =
                    CliArguments.parse(
                            new Options()
                                    .addOption(TABLE)
                                    .addOption(ERROR_CLASS)
                                    .addOption(FROM)
                                    .addOption(TO),
                            args);
        } catch (UsageException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        ReplayRequest r = new ReplayRequest();
        r.table = line.getOptionValue(TABLE);
        r.errorClass = line.getOptionValue(ERROR_CLASS);
        String from = line.getOptionValue(FROM);
        String to = line.getOptionValue(TO);
        r.fromMillis = from == null ? null : instant("--from", from);
        r.toMillis = to == null ? nowMillis : instant("--to", to);
        List<String> positional = line.getArgList();
        if (positional.size() != 1) {
            throw new IllegalArgumentException(
                    positional.isEmpty()
                            ? "give the FILE.sql that declares the table"
                            : "unexpected argument '" + positional.get(1) + "'");
        }
        if (r.table == null) {
            throw new IllegalArgumentException("--table NAME is required");
        }
        if (r.fromMillis != null && r.fromMillis >= r.toMillis) {
            throw new IllegalArgumentException(
                    "--from ("
                            + Instant.ofEpochMilli(r.fromMillis)
                            + ") must be before --to ("
                            + Instant.ofEpochMilli(r.toMillis)
                            + ")");
        }
        r.file = Path.of(positional.get(0));
        return r;
    }

    private static long instant(String option, String value) {
        try {
            return value.matches("\\d+")
                    ? Long.parseLong(value)
                    : Instant.parse(value).toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(
                    String.format(
                            "invalid value '%s' for %s: expected an ISO-8601 instant such as"
                                    + " 2026-11-30T14:00:00Z, or epoch milliseconds",
                            value, option));
        }
    }
}
