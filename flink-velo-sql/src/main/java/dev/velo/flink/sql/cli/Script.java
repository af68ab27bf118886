package dev.velo.flink.sql.cli;

import dev.velo.flink.sql.dialect.VeloSql;
import dev.velo.flink.sql.dialect.VeloSqlException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.flink.annotation.Internal;

/** The script a command works on: a FILE.sql or the text of {@code -e SQL}. */
@Internal
final class Script {

    /** {@code -e SQL}: the script given on the command line. */
    static final Option INLINE = Option.builder("e").hasArg().argName("the SQL text").build();

    final Path file;
    final String text;

    Script(Path file, String text) {
        this.file = file;
        this.text = text;
    }

    /** FILE or -e SQL of parsed arguments; null when neither is given. */
    static Script of(CommandLine line) {
        List<String> args = line.getArgList();
        if (line.hasOption(INLINE)) {
            if (!args.isEmpty()) {
                throw new UsageException("give either FILE.sql or -e SQL, not both");
            }
            return new Script(null, line.getOptionValue(INLINE));
        }
        if (args.isEmpty()) {
            return null;
        }
        if (args.size() > 1) {
            throw new UsageException("unexpected argument '" + args.get(1) + "'");
        }
        Path file = Path.of(args.get(0));
        try {
            return new Script(file, Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException ex) {
            throw new UsageException("no such file: " + file);
        } catch (IOException ex) {
            throw new UsageException("cannot read " + file + ": " + ex.getMessage());
        }
    }

    /** The translator for this script: variables from {@code environment}, paths from its dir. */
    VeloSql translator(Map<String, String> environment) {
        VeloSql.Builder builder =
                VeloSql.builder().environment(environment).topicSampler(new KafkaTopicSampler());
        if (file != null) {
            Path parent = file.toAbsolutePath().getParent();
            builder.baseDirectory(parent == null ? Path.of("") : parent);
        }
        return builder.build();
    }

    /** {@code FILE:LINE:COLUMN: detail} of an error, long details cut after 12 lines. */
    String position(VeloSqlException e) {
        String where = file == null ? "<-e>" : file.toString();
        String[] lines = e.getDetail().split("\\R");
        String detail = e.getDetail();
        if (lines.length > 12) {
            detail = String.join(System.lineSeparator(), List.of(lines).subList(0, 12)) + " ...";
        }
        return where + ":" + e.getLine() + ":" + e.getColumn() + ": " + detail;
    }
}
