package dev.velo.flink.sql.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.flink.annotation.Internal;

/** {@code velo demo [--records N] [--web-ui [PORT]]}: runs {@link VeloDemo}. */
@Internal
final class DemoCommand {

    static final int DEFAULT_RECORDS = 50_000;

    private static final Option RECORDS = CliArguments.valued("records", "a number");

    private final Map<String, String> environment;

    DemoCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    int run(List<String> args, PrintStream out, PrintStream err) {
        CommandLine line =
                CliArguments.parse(
                        new Options().addOption(RECORDS).addOption(CliArguments.WEB_UI), args);
        Integer webUi = CliArguments.webUiPort(line);
        int records = DEFAULT_RECORDS;
        if (line.hasOption(RECORDS)) {
            try {
                records = Integer.parseInt(line.getOptionValue(RECORDS));
            } catch (NumberFormatException e) {
                throw new UsageException("--records expects a positive number");
            }
            if (records <= 0) {
                throw new UsageException("--records expects a positive number");
            }
        }
        if (!line.getArgList().isEmpty()) {
            throw new UsageException("unexpected argument '" + line.getArgList().get(0) + "'");
        }
        try {
            return new VeloDemo(out, err, records, environment).withWebUi(webUi).run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("velo demo: interrupted");
            return VeloCli.ERRORS;
        } catch (Exception e) {
            err.println("velo demo: " + VeloCli.messages(e));
            return VeloCli.ERRORS;
        }
    }
}
