package dev.velo.flink.sql.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchOptions;
import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.batching.config.VeloOptions;
import dev.velo.flink.sql.dlq.DlqOptions;
import dev.velo.flink.sql.factory.VeloConnectorOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Option keys are written once, in the options classes; everywhere else a key is {@code
 * SOME_OPTION.key()} or built from a declared prefix. This test scans the main sources of
 * flink-velo-batching and flink-velo-sql for string literals that are a declared key or key prefix,
 * or that quote or name a declared key inside a message.
 */
class OptionKeyLiteralTest {

    /** Where keys are declared: their literals are the registry. */
    private static final Set<String> OPTIONS_CLASSES =
            Set.of(
                    "flink-velo-batching/src/main/java/dev/velo/flink/batching/config/BatchOptions.java",
                    "flink-velo-batching/src/main/java/dev/velo/flink/batching/config/FailureOptions.java",
                    "flink-velo-batching/src/main/java/dev/velo/flink/batching/config/VeloOptions.java",
                    "flink-velo-sql/src/main/java/dev/velo/flink/sql/factory/VeloConnectorOptions.java",
                    "flink-velo-sql/src/main/java/dev/velo/flink/sql/dlq/DlqOptions.java");

    /**
     * Files owned by other work in progress that still spell keys as literals; each is to be fixed
     * (keys through {@code SOME_OPTION.key()}) and then removed from this list, which must end up
     * empty.
     */
    private static final Pattern DECLARATION =
            Pattern.compile("ConfigOptions\\s*\\.\\s*key\\s*\\($");

    private static Path root;
    private static Set<String> keys;
    private static Set<String> prefixes;

    @BeforeAll
    static void collectDeclarations() {
        root = OptionsDocGenerator.defaultOutput().getParent().getParent();
        keys = new TreeSet<>();
        List<ConfigOption<?>> all = new ArrayList<>(BatchOptions.ALL);
        all.addAll(VeloConnectorOptions.ALL);
        for (ConfigOption<?> o : all) {
            keys.add(o.key());
        }
        for (ConfigOption<?> o : BatchOptions.ALL) {
            keys.add(BatchOptions.SINK_ALIAS_PREFIX + o.key());
        }
        keys.addAll(VeloOptions.knownKeys()); // failure keys plain, source. and sink.
        prefixes =
                new TreeSet<>(
                        List.of(
                                BatchOptions.PREFIX,
                                BatchOptions.SINK_ALIAS_PREFIX,
                                BatchOptions.SINK_ALIAS_PREFIX + BatchOptions.PREFIX,
                                FailureOptions.SOURCE_PREFIX,
                                FailureOptions.SINK_PREFIX,
                                VeloOptions.DLQ_PREFIX,
                                VeloOptions.VELO_PREFIX,
                                DlqOptions.DLQ_PREFIX,
                                DlqOptions.DLQ_PROPERTIES_PREFIX));
    }

    @Test
    void noOptionKeyIsWrittenAsALiteralOutsideTheOptionsClasses() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : mainSources()) {
            String relative = root.relativize(file).toString().replace('\\', '/');
            if (OPTIONS_CLASSES.contains(relative)) {
                continue;
            }
            String source = Files.readString(file, StandardCharsets.UTF_8);
            for (Literal literal : JavaLiterals.of(source)) {
                String offence = offence(literal.value);
                if (offence != null
                        && !DECLARATION
                                .matcher(source.substring(0, literal.start).stripTrailing())
                                .find()) {
                    found.add(
                            relative
                                    + ":"
                                    + literal.line
                                    + ": \""
                                    + literal.value
                                    + "\" "
                                    + offence);
                }
            }
        }
        assertThat(found)
                .as("write keys as SOME_OPTION.key() or from a declared prefix constant")
                .isEmpty();
    }

    @Test
    void theScanFindsKeysAndPrefixesInLiteralsAndMessages() {
        assertThat(offence("batch.size")).isNotNull();
        assertThat(offence("dlq.")).isNotNull();
        assertThat(offence("Table '%s': remove 'source.failure_strategy' first")).isNotNull();
        assertThat(offence("retry_backoff_max must be set")).isNotNull();
        assertThat(offence("set 'batch.enable' = 'false'.")).isNotNull();
        assertThat(offence("needs max_retries.")).isNotNull();
        assertThat(offence("sink.parallelism")).isNull();
        assertThat(offence("batch.sizes")).isNull();
        assertThat(offence("max_retries_total")).isNull();

        List<Literal> literals =
                JavaLiterals.of(
                        "// \"batch.size\"\n/* \"dlq.\" */ String a = \"x\\\"y\"; char c = '\"';"
                                + " String b = \"\"\"\n  velo.\n  \"\"\";");
        assertThat(literals.stream().map(l -> l.value)).containsExactly("x\\\"y", "  velo.\n  ");
    }

    /** Why {@code literal} spells a key, or null when it does not. */
    private static String offence(String literal) {
        if (keys.contains(literal)) {
            return "is the key of an option";
        }
        if (prefixes.contains(literal)) {
            return "is a declared key prefix";
        }
        for (String key : keys) {
            int at = literal.indexOf(key);
            while (at >= 0) {
                int end = at + key.length();
                boolean startsWord = at == 0 || !isKeyChar(literal.charAt(at - 1));
                boolean endsWord =
                        end == literal.length()
                                || !isKeyChar(literal.charAt(end))
                                || (literal.charAt(end) == '.'
                                        && (end + 1 == literal.length()
                                                || !Character.isLetterOrDigit(
                                                        literal.charAt(end + 1))));
                if (startsWord && endsWord) {
                    return "names the option '" + key + "'";
                }
                at = literal.indexOf(key, at + 1);
            }
        }
        return null;
    }

    private static boolean isKeyChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
    }

    private static List<Path> mainSources() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String module : List.of("flink-velo-batching", "flink-velo-sql")) {
            try (Stream<Path> walk = Files.walk(root.resolve(module).resolve("src/main/java"))) {
                files.addAll(
                        walk.filter(p -> p.toString().endsWith(".java"))
                                .sorted()
                                .collect(Collectors.toList()));
            }
        }
        assertThat(files).as("main sources under " + root).hasSizeGreaterThan(50);
        return files;
    }

    /** A string literal's text (escapes left as written), its offset and line. */
    static final class Literal {
        final String value;
        final int start;
        final int line;

        Literal(String value, int start, int line) {
            this.value = value;
            this.start = start;
            this.line = line;
        }
    }

    /** The string literals and text blocks of a Java source, outside comments. */
    static final class JavaLiterals {
        static List<Literal> of(String s) {
            List<Literal> out = new ArrayList<>();
            int line = 1;
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\n') {
                    line++;
                    i++;
                } else if (s.startsWith("//", i)) {
                    while (i < s.length() && s.charAt(i) != '\n') {
                        i++;
                    }
                } else if (s.startsWith("/*", i)) {
                    int end = s.indexOf("*/", i + 2);
                    end = end < 0 ? s.length() : end + 2;
                    line += count(s, i, end);
                    i = end;
                } else if (s.startsWith("\"\"\"", i)) {
                    int body = s.indexOf('\n', i) + 1;
                    int end = s.indexOf("\"\"\"", body);
                    out.add(new Literal(s.substring(body, end), i, line));
                    line += count(s, i, end);
                    i = end + 3;
                } else if (c == '"' || c == '\'') {
                    int j = i + 1;
                    while (s.charAt(j) != c) {
                        j += s.charAt(j) == '\\' ? 2 : 1;
                    }
                    if (c == '"') {
                        out.add(new Literal(s.substring(i + 1, j), i, line));
                    }
                    i = j + 1;
                } else {
                    i++;
                }
            }
            return out;
        }

        private static int count(String s, int from, int to) {
            int n = 0;
            for (int k = from; k < to; k++) {
                if (s.charAt(k) == '\n') {
                    n++;
                }
            }
            return n;
        }
    }
}
