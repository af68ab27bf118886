package dev.velo.flink.sql.docs;

import static dev.velo.flink.batching.config.BatchOptions.ADAPTIVE_MAX_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.EAGER_PROCESSING;
import static dev.velo.flink.batching.config.BatchOptions.LOW_LATENCY_MAX_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.LOW_LATENCY_WAIT;
import static dev.velo.flink.batching.config.BatchOptions.MAX_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.MEGA_BATCH_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.MEMORY_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.MIN_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.SIZE;
import static dev.velo.flink.batching.config.BatchOptions.TARGET_LATENCY;
import static dev.velo.flink.batching.config.BatchOptions.TIMEOUT;
import static dev.velo.flink.batching.config.BatchOptions.WINDOW;
import static dev.velo.flink.batching.config.FailureOptions.FAILURE_STRATEGY;
import static dev.velo.flink.batching.config.FailureOptions.RETRY_EXHAUSTED;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_CONNECTOR;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_PATH;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_TOPIC;
import static dev.velo.flink.sql.factory.VeloConnectorOptions.VELO_CONNECTOR;

import dev.velo.flink.batching.config.BatchOptions;
import dev.velo.flink.batching.config.BatchStrategyType;
import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.config.VeloOptions;
import dev.velo.flink.sql.dlq.DlqOptions;
import dev.velo.flink.sql.factory.VeloConnectorOptions;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.Description;
import org.apache.flink.configuration.description.Formatter;
import org.apache.flink.configuration.description.InlineElement;
import org.apache.flink.configuration.description.TextElement;

/**
 * Writes {@code docs/options.md}, the option reference, from the {@code ConfigOption} declarations
 * so the tables cannot drift from the code.
 */
@Internal
public final class OptionsDocGenerator {

    /** Where the reference lives, relative to the project root. */
    public static final String OUTPUT = "docs/options.md";

    /** What makes each strategy flush, besides checkpoints and end of input. */
    private static final Map<BatchStrategyType, String> TRIGGERS =
            new EnumMap<>(BatchStrategyType.class);

    static {
        TRIGGERS.put(
                BatchStrategyType.FIXED_SIZE,
                "Flushes when the batch holds " + code(SIZE.key()) + " records.");
        TRIGGERS.put(
                BatchStrategyType.TIME_WINDOW,
                "Flushes " + code(WINDOW.key()) + " after the first record of the batch.");
        TRIGGERS.put(
                BatchStrategyType.MEMORY_BASED,
                "Flushes when the estimated size of the buffered records reaches "
                        + code(MEMORY_SIZE.key())
                        + " bytes (binary row size for table rows).");
        TRIGGERS.put(
                BatchStrategyType.ADAPTIVE_SIZE,
                "Flushes when the batch reaches its current target size n, which starts at "
                        + code(MIN_SIZE.key())
                        + " and after every batch moves towards the size that meets "
                        + code(TARGET_LATENCY.key())
                        + ", staying within ["
                        + code(MIN_SIZE.key())
                        + ", "
                        + code(ADAPTIVE_MAX_SIZE.key())
                        + "].");
        TRIGGERS.put(
                BatchStrategyType.LOW_LATENCY,
                "Flushes after "
                        + code(LOW_LATENCY_MAX_SIZE.key())
                        + " records or "
                        + code(LOW_LATENCY_WAIT.key())
                        + "; with "
                        + code(EAGER_PROCESSING.key())
                        + " as soon as the task thread is free.");
        TRIGGERS.put(
                BatchStrategyType.MEGA_BATCH,
                "Flushes when the batch holds " + code(MEGA_BATCH_SIZE.key()) + " records.");
    }

    /** Who must set an option; every option not listed is optional. */
    private static final Map<ConfigOption<?>, String> REQUIRED =
            Map.of(
                    VELO_CONNECTOR, "yes",
                    DLQ_CONNECTOR, "with " + FailureStrategy.SEND_TO_DLQ.displayName(),
                    DLQ_TOPIC, "when " + DLQ_CONNECTOR.key() + " = kafka",
                    DLQ_PATH, "when " + DLQ_CONNECTOR.key() + " = filesystem");

    private static final String HEADER =
            "| Key | Required | Default | Type | Description |\n"
                    + "|-----|----------|---------|------|-------------|\n";

    private OptionsDocGenerator() {}

    /** Writes the reference to {@code args[0]}, or to {@value #OUTPUT} under the project root. */
    public static void main(String[] args) throws IOException {
        Path target = args.length > 0 ? Paths.get(args[0]) : defaultOutput();
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.writeString(target, render(), StandardCharsets.UTF_8);
        System.out.println("Wrote " + target.toAbsolutePath().normalize());
    }

    /**
     * {@value #OUTPUT} under the project root: the nearest directory at or above the working
     * directory that holds the {@code flink-velo-sql} module.
     */
    public static Path defaultOutput() {
        Path dir = Paths.get("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("flink-velo-sql"))
                    && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d.resolve(OUTPUT);
            }
        }
        throw new IllegalStateException(
                "Cannot find the project root (a directory with flink-velo-sql/) above " + dir);
    }

    /** The complete Markdown text of {@value #OUTPUT}. */
    public static String render() {
        StringBuilder out = new StringBuilder();
        out.append("# Configuration options\n\n")
                .append("<!-- Generated by ")
                .append(OptionsDocGenerator.class.getName())
                .append(" from the ConfigOption declarations; do not edit by hand.\n")
                .append("     Regenerate: mvn -o -B test -pl flink-velo-sql -am")
                .append(" -Dtest=OptionsDocTest -Dsurefire.failIfNoSpecifiedTests=false")
                .append(" -Dvelo.docs.regenerate=true -->\n\n")
                .append(
                        "Every option below goes into the `WITH` clause of a table declared with"
                                + " `'connector' = '")
                .append(VeloConnectorOptions.IDENTIFIER)
                .append(
                        "'`. Options that flink-velo does not own (`topic`, `format`,"
                                + " `properties.*`, …) are passed unchanged to the connector named"
                                + " by ")
                .append(code(VELO_CONNECTOR.key()))
                .append(", which validates them itself.\n\n")
                .append(
                        "Durations are written `<n><unit>` with unit `ms`, `s`, `m`, `h` or `d`"
                                + " (also the long forms such as `seconds`); a bare number is"
                                + " milliseconds. Strategy names are case-insensitive and accept"
                                + " both spellings (`fixed_size` or `FixedSize`, `SendToDLQ` or"
                                + " `send_to_dlq`).\n\n");

        renderBatching(out);
        renderFailure(out);
        renderSide(
                out,
                FailureOptions.SOURCE_PREFIX,
                "Source overrides",
                "source decoding",
                " (a record whose bytes the source's format cannot decode)");
        renderSide(
                out,
                FailureOptions.SINK_PREFIX,
                "Sink overrides",
                "sink writing",
                " (the wrapped connector's writer fails on a record or a batch)");
        renderDlq(out);
        renderWrapper(out);
        return out.toString();
    }

    private static void renderBatching(StringBuilder out) {
        out.append("## Batching\n\n")
                .append("Batching happens per parallel subtask. Every strategy also flushes")
                .append(" before each checkpoint barrier and at end of input, and never holds")
                .append(" more than ")
                .append(code(MAX_SIZE.key()))
                .append(" records. Velostream's spelling ")
                .append(code(BatchOptions.SINK_ALIAS_PREFIX + BatchOptions.PREFIX + "<key>"))
                .append(" is accepted as an alias of ")
                .append(code(BatchOptions.PREFIX + "<key>"))
                .append("; hyphenated keys such as ")
                .append(code(BatchOptions.SINK_ALIAS_PREFIX + BatchOptions.PREFIX + "max-size"))
                .append(" are Flink's own spelling and belong to the wrapped connector.")
                .append(" Giving both spellings of one key with different values is an error.\n\n");

        Set<ConfigOption<?>> strategyOwned = new HashSet<>();
        for (BatchStrategyType type : BatchStrategyType.values()) {
            strategyOwned.addAll(ownOptions(type));
        }
        List<ConfigOption<?>> general = new ArrayList<>();
        for (ConfigOption<?> o : BatchOptions.ALL) {
            if (!strategyOwned.contains(o)) {
                general.add(o);
            }
        }
        out.append("### General batching keys\n\n").append(HEADER);
        for (ConfigOption<?> o : general) {
            row(out, o.key(), required(o), defaultOf(o), typeOf(o), describe(o));
        }
        out.append('\n');

        for (BatchStrategyType type : BatchStrategyType.values()) {
            out.append("### Strategy `")
                    .append(type.sqlName())
                    .append("` (")
                    .append(type.camelName())
                    .append(")\n\n")
                    .append(TRIGGERS.get(type));
            if (VeloOptions.usesBatchTimeout(type)) {
                out.append(" An incomplete batch is flushed ")
                        .append(code(TIMEOUT.key()))
                        .append(" after its first record.");
            }
            out.append("\n\n").append(HEADER);
            for (ConfigOption<?> o : ownOptions(type)) {
                row(out, o.key(), required(o), defaultOf(o), typeOf(o), describe(o));
            }
            out.append('\n');
        }
    }

    /** The keys only {@code type} reads; the shared ones are in the general table. */
    private static List<ConfigOption<?>> ownOptions(BatchStrategyType type) {
        return VeloOptions.strategyOptions(type);
    }

    private static void renderFailure(StringBuilder out) {
        out.append("## Failure handling\n\n")
                .append("These keys apply to both sides: to decoding records the source read and")
                .append(" to writing records to the sink. A ")
                .append(code(FailureOptions.SOURCE_PREFIX + "<key>"))
                .append(" or ")
                .append(code(FailureOptions.SINK_PREFIX + "<key>"))
                .append(" key overrides one of them for one side. The default ")
                .append(code(FailureStrategy.FAIL_BATCH.displayName()))
                .append(" fails the job on the first failure, as plain Flink does.\n\n")
                .append(HEADER);
        for (ConfigOption<?> o : FailureOptions.ALL) {
            row(out, o.key(), required(o), defaultOf(o), typeOf(o), describe(o));
        }
        out.append("\nValues of ")
                .append(code(FAILURE_STRATEGY.key()))
                .append(" and ")
                .append(code(RETRY_EXHAUSTED.key()))
                .append(" (")
                .append(code(RETRY_EXHAUSTED.key()))
                .append(" takes all but ")
                .append(code(FailureStrategy.RETRY_WITH_BACKOFF.displayName()))
                .append("):\n\n| Value | What happens to a failed record |\n|-------|------|\n");
        for (FailureStrategy s : FailureStrategy.values()) {
            out.append("| ")
                    .append(code(s.displayName()))
                    .append(" | ")
                    .append(cell(describe(s.getDescription())))
                    .append(" |\n");
        }
        out.append('\n');
    }

    private static void renderSide(
            StringBuilder out, String prefix, String title, String what, String detail) {
        out.append("## ")
                .append(title)
                .append(" (`")
                .append(prefix)
                .append("<key>`)\n\n")
                .append("Each key overrides the unprefixed key of the same name for ")
                .append(what)
                .append(detail)
                .append("; when not set, the unprefixed key's value applies.\n\n")
                .append(HEADER);
        for (ConfigOption<?> o : FailureOptions.ALL) {
            row(
                    out,
                    FailureOptions.sideKey(prefix, o),
                    "no",
                    "value of " + code(o.key()),
                    typeOf(o),
                    "Overrides " + code(o.key()) + " for " + what + ".");
        }
        out.append('\n');
    }

    private static void renderDlq(StringBuilder out) {
        out.append("## Dead letter queue (`")
                .append(DlqOptions.DLQ_PREFIX)
                .append("*`)\n\n")
                .append("Where ")
                .append(code(FailureStrategy.SEND_TO_DLQ.displayName()))
                .append(" (directly, or as ")
                .append(code(RETRY_EXHAUSTED.key()))
                .append(") sends failed records. The dead-letter schema is described in")
                .append(" [semantics.md](semantics.md#dead-letter-schema).\n\n")
                .append(HEADER);
        for (ConfigOption<?> o : VeloConnectorOptions.ALL) {
            if (o.key().startsWith(DlqOptions.DLQ_PREFIX)) {
                row(out, o.key(), required(o), defaultOf(o), typeOf(o), describe(o));
            }
        }
        row(
                out,
                DlqOptions.DLQ_PROPERTIES_PREFIX + "*",
                "when " + DLQ_CONNECTOR.key() + " = kafka",
                "(none)",
                "String",
                "Passed as "
                        + code("properties.*")
                        + ": the Kafka client properties of a kafka DLQ, e.g. "
                        + code(DlqOptions.DLQ_PROPERTIES_PREFIX + "bootstrap.servers")
                        + ". flink-velo's defaults for a kafka DLQ: "
                        + code(DlqOptions.DLQ_PROPERTIES_PREFIX + "batch.size")
                        + " 524288 and "
                        + code(DlqOptions.DLQ_PROPERTIES_PREFIX + "compression.type")
                        + " lz4. Any other "
                        + code(DlqOptions.DLQ_PREFIX + "<key>")
                        + " is passed to the DLQ connector as "
                        + code("<key>")
                        + ".");
        out.append('\n');
    }

    private static void renderWrapper(StringBuilder out) {
        out.append("## The velo wrapper\n\n").append(HEADER);
        for (ConfigOption<?> o : VeloConnectorOptions.ALL) {
            if (!o.key().startsWith(DlqOptions.DLQ_PREFIX)) {
                row(out, o.key(), required(o), defaultOf(o), typeOf(o), describe(o));
            }
        }
        out.append('\n')
                .append("Every option that is not in the tables above is passed to the connector")
                .append(" named by ")
                .append(code(VELO_CONNECTOR.key()))
                .append(" unchanged.\n");
    }

    private static void row(
            StringBuilder out,
            String key,
            String required,
            String defaultValue,
            String type,
            String description) {
        out.append("| ")
                .append(code(key))
                .append(" | ")
                .append(cell(required))
                .append(" | ")
                .append(defaultValue)
                .append(" | ")
                .append(cell(type))
                .append(" | ")
                .append(cell(description))
                .append(" |\n");
    }

    private static String required(ConfigOption<?> option) {
        return REQUIRED.getOrDefault(option, "no");
    }

    /** The default as a user would write it in a WITH clause, in code style; "(none)" if none. */
    static String defaultOf(ConfigOption<?> option) {
        if (!option.hasDefaultValue() || option.defaultValue() == null) {
            return "(none)";
        }
        Object value = option.defaultValue();
        String text = value instanceof Duration d ? formatDuration(d) : String.valueOf(value);
        return code(text);
    }

    /** A duration in the largest unit that expresses it exactly, in the seed's style: "1s". */
    static String formatDuration(Duration duration) {
        long ms = duration.toMillis();
        if (ms == 0) {
            return "0ms";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        return ms + "ms";
    }

    /** The value type, e.g. Integer or Duration; "List&lt;X&gt;" for list options. */
    static String typeOf(ConfigOption<?> option) {
        String name = declaredClass(option).getSimpleName();
        return isList(option) ? "List<" + name + ">" : name;
    }

    // ConfigOption keeps its value class package-private; Flink's own docs generator reads it
    // from inside the package, which a connector cannot do.
    private static Class<?> declaredClass(ConfigOption<?> option) {
        try {
            Method m = ConfigOption.class.getDeclaredMethod("getClazz");
            m.setAccessible(true);
            return (Class<?>) m.invoke(option);
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (option.hasDefaultValue() && option.defaultValue() != null) {
                return option.defaultValue().getClass();
            }
            return String.class;
        }
    }

    private static boolean isList(ConfigOption<?> option) {
        try {
            Method m = ConfigOption.class.getDeclaredMethod("isList");
            m.setAccessible(true);
            return (Boolean) m.invoke(option);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    static String describe(ConfigOption<?> option) {
        return new PlainTextFormatter().format(option.description()).trim();
    }

    private static String describe(InlineElement element) {
        return new PlainTextFormatter()
                .format(Description.builder().text("%s", element).build())
                .trim();
    }

    private static String code(String text) {
        return "`" + text + "`";
    }

    /** Escapes what would break a Markdown table cell. */
    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    /** Renders a Flink {@link Description} as plain text for a Markdown table cell. */
    private static final class PlainTextFormatter extends Formatter {

        @Override
        protected void formatLink(StringBuilder state, String link, String description) {
            state.append('[').append(description).append("](").append(link).append(')');
        }

        @Override
        protected void formatLineBreak(StringBuilder state) {
            state.append("<br>");
        }

        @Override
        protected void formatText(
                StringBuilder state,
                String format,
                String[] elements,
                EnumSet<TextElement.TextStyle> styles) {
            String text =
                    elements.length == 0 ? format : String.format(format, (Object[]) elements);
            state.append(styles.contains(TextElement.TextStyle.CODE) ? code(text) : text);
        }

        @Override
        protected void formatList(StringBuilder state, String[] entries) {
            state.append(String.join("; ", entries));
        }

        @Override
        protected Formatter newInstance() {
            return new PlainTextFormatter();
        }
    }
}
