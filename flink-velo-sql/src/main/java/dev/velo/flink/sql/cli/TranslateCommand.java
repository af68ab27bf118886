package dev.velo.flink.sql.cli;

import dev.velo.flink.sql.dialect.VeloSqlException;
import dev.velo.flink.sql.dialect.VeloTranslation;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.Options;
import org.apache.flink.annotation.Internal;

/** {@code velo translate (FILE.sql | -e SQL)}: prints the Flink SQL a script becomes. */
@Internal
final class TranslateCommand {

    private final Map<String, String> environment;

    TranslateCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    int run(List<String> args, PrintStream out, PrintStream err) {
        Script script = Script.of(CliArguments.parse(new Options().addOption(Script.INLINE), args));
        if (script == null) {
            throw new UsageException("give a FILE.sql or -e SQL");
        }
        try {
            VeloTranslation t = script.translator(environment).translateScript(script.text);
            t.notes().forEach(n -> err.println("-- note: " + n));
            out.print(t.toScript());
            return VeloCli.OK;
        } catch (VeloSqlException e) {
            e.getErrors().forEach(x -> err.println(script.position(x)));
            return VeloCli.ERRORS;
        } catch (RuntimeException e) {
            err.println("velo: " + VeloCli.messages(e));
            return VeloCli.ERRORS;
        }
    }
}
