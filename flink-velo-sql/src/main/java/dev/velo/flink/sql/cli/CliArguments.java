package dev.velo.flink.sql.cli;

import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;
import org.apache.flink.annotation.Internal;

/**
 * Parses a command's arguments with Apache Commons CLI (on every Flink classpath: Flink's own
 * command line uses it) and words its errors as the velo CLI does: {@code unknown option --x},
 * {@code --table needs a value}, {@code --to is given twice}. Long options must be written in full.
 */
@Internal
final class CliArguments {

    private CliArguments() {}

    /** A long option {@code --name} taking a value; {@code needs} completes "--name needs ...". */
    static Option valued(String name, String needs) {
        return Option.builder().longOpt(name).hasArg().argName(needs).build();
    }

    /** A long option {@code --name} without a value. */
    static Option flag(String name) {
        return Option.builder().longOpt(name).build();
    }

    /** Parses {@code args}; a wrong argument is a {@link UsageException}. */
    static CommandLine parse(Options options, List<String> args) {
        CommandLine line;
        try {
            line =
                    DefaultParser.builder()
                            .setAllowPartialMatching(false)
                            .build()
                            .parse(options, args.toArray(new String[0]));
        } catch (UnrecognizedOptionException e) {
            throw new UsageException("unknown option " + e.getOption());
        } catch (MissingArgumentException e) {
            throw new UsageException(name(e.getOption()) + " needs " + e.getOption().getArgName());
        } catch (ParseException e) {
            throw new UsageException(e.getMessage());
        }
        for (Option given : line.getOptions()) {
            if (countOf(line, given) > 1) {
                throw new UsageException(name(given) + " is given twice");
            }
            // an option's value is never another option: "--table --from" misses the table
            if (given.hasArg() && given.getValue() != null && given.getValue().startsWith("--")) {
                throw new UsageException(name(given) + " needs " + given.getArgName());
            }
        }
        return line;
    }

    private static long countOf(CommandLine line, Option option) {
        long n = 0;
        for (Option o : line.getOptions()) {
            if (o.equals(option)) {
                n++;
            }
        }
        return n;
    }

    /** How the user writes the option: {@code --name} or {@code -e}. */
    static String name(Option option) {
        return option.getLongOpt() != null ? "--" + option.getLongOpt() : "-" + option.getOpt();
    }

    /** {@code --web-ui [PORT]}: the port is optional, so the option takes only a number. */
    static final Option WEB_UI =
            Option.builder().longOpt("web-ui").hasArg().optionalArg(true).argName("a port").build();

    /**
     * The port of {@code --web-ui [PORT]}, null when not given. A value that is not a number was
     * the next argument, not a port (the parser reads any word after the option as its value): it
     * goes back to the positional arguments.
     */
    static Integer webUiPort(CommandLine line) {
        if (!line.hasOption(WEB_UI)) {
            return null;
        }
        String value = line.getOptionValue(WEB_UI);
        if (value == null) {
            return VeloCli.DEFAULT_WEB_UI_PORT;
        }
        if (!value.matches("\\d+")) {
            line.getArgList().add(value);
            return VeloCli.DEFAULT_WEB_UI_PORT;
        }
        long port = value.length() > 6 ? Long.MAX_VALUE : Long.parseLong(value);
        if (port < 1 || port > 65535) {
            throw new UsageException("--web-ui expects a port 1-65535, got " + value);
        }
        return (int) port;
    }
}
