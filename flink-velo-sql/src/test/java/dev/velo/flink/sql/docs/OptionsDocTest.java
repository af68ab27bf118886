package dev.velo.flink.sql.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchOptions;
import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.sql.dlq.DlqOptions;
import dev.velo.flink.sql.factory.VeloConnectorOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keeps {@code docs/options.md} equal to what the declarations generate, and true to the seed. */
class OptionsDocTest {

    private static final String REGENERATE_PROPERTY = "velo.docs.regenerate";

    private static final String HOW_TO_REGENERATE =
            "docs/options.md is out of date with the ConfigOption declarations. Regenerate it with\n"
                    + "  mvn -o -B test -pl flink-velo-sql -am -Dtest=OptionsDocTest"
                    + " -Dsurefire.failIfNoSpecifiedTests=false -D"
                    + REGENERATE_PROPERTY
                    + "=true\n"
                    + "and commit the result.";

    /**
     * Every key of the seed guide with the default the seed states for it (null: the seed states
     * none). Typed here on purpose: this is the seed's text, not ours.
     */
    private static final Map<String, String> SEED_KEYS = new LinkedHashMap<>();

    static {
        SEED_KEYS.put("batch.strategy", null);
        SEED_KEYS.put("batch.enable", null);
        SEED_KEYS.put("batch.size", "100");
        SEED_KEYS.put("batch.timeout", "1000ms");
        SEED_KEYS.put("batch.window", "1s");
        SEED_KEYS.put("batch.memory_size", "1048576");
        SEED_KEYS.put("batch.min_size", "10");
        SEED_KEYS.put("batch.adaptive_max_size", "1000");
        SEED_KEYS.put("batch.target_latency", "100ms");
        SEED_KEYS.put("batch.low_latency_max_size", "1");
        SEED_KEYS.put("batch.low_latency_wait", "1ms");
        SEED_KEYS.put("batch.eager_processing", "true");
        SEED_KEYS.put("batch.mega_batch_size", "50000");
        SEED_KEYS.put("batch.parallel", "true");
        SEED_KEYS.put("batch.reuse_buffer", "true");
        SEED_KEYS.put("failure_strategy", null);
        SEED_KEYS.put("max_retries", "3");
        SEED_KEYS.put("retry_backoff", "1000ms");
        SEED_KEYS.put("source.failure_strategy", null);
        SEED_KEYS.put("source.retry_backoff", null);
        SEED_KEYS.put("source.max_retries", null);
    }

    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| (.*) \\|$");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private static Path docFile;
    private static String rendered;

    @BeforeAll
    static void renderAndMaybeRegenerate() throws IOException {
        docFile = OptionsDocGenerator.defaultOutput();
        rendered = OptionsDocGenerator.render();
        if (Boolean.getBoolean(REGENERATE_PROPERTY)) {
            Files.createDirectories(docFile.getParent());
            Files.writeString(docFile, rendered, StandardCharsets.UTF_8);
        }
    }

    @Test
    void committedFileEqualsRender() throws IOException {
        assertThat(docFile).as(HOW_TO_REGENERATE).exists();
        String committed = Files.readString(docFile, StandardCharsets.UTF_8);
        assertThat(committed).as(HOW_TO_REGENERATE).isEqualTo(rendered);
    }

    @Test
    void everySeedKeyIsDocumentedWithTheSeedDefault() throws IOException {
        assertThat(docFile).as(HOW_TO_REGENERATE).exists();
        Map<String, List<String>> rows = rows(Files.readString(docFile, StandardCharsets.UTF_8));
        for (Map.Entry<String, String> seed : SEED_KEYS.entrySet()) {
            assertThat(rows)
                    .as("options.md documents %s", seed.getKey())
                    .containsKey(seed.getKey());
            if (seed.getValue() != null) {
                String documented = unquote(rows.get(seed.getKey()).get(1));
                assertThat(sameValue(documented, seed.getValue()))
                        .as(
                                "default of %s: options.md says %s, the seed says %s",
                                seed.getKey(), documented, seed.getValue())
                        .isTrue();
            }
        }
    }

    @Test
    void everyDeclaredOptionHasExactlyOneRow() {
        List<ConfigOption<?>> all = new ArrayList<>();
        all.addAll(BatchOptions.ALL);
        all.addAll(FailureOptions.ALL);
        all.addAll(VeloConnectorOptions.ALL);
        List<String> keys = rowKeys(rendered);
        for (ConfigOption<?> o : all) {
            assertThat(keys).as("rows for %s", o.key()).containsOnlyOnce(o.key());
        }
        for (ConfigOption<?> o : FailureOptions.ALL) {
            assertThat(keys)
                    .containsOnlyOnce(FailureOptions.sideKey(FailureOptions.SOURCE_PREFIX, o))
                    .containsOnlyOnce(FailureOptions.sideKey(FailureOptions.SINK_PREFIX, o));
        }
        assertThat(keys).contains(DlqOptions.DLQ_PROPERTIES_PREFIX + "*");
    }

    @Test
    void rowsCarryTypeAndDefaultFromTheDeclaration() {
        Map<String, List<String>> rows = rows(rendered);
        assertThat(rows.get(BatchOptions.TIMEOUT.key()))
                .containsExactly(
                        "no",
                        "`1s`",
                        "Duration",
                        OptionsDocGenerator.describe(BatchOptions.TIMEOUT));
        assertThat(rows.get(BatchOptions.MEMORY_SIZE.key()).subList(1, 3))
                .containsExactly("`1048576`", "Long");
        assertThat(rows.get(FailureOptions.MAX_FAILURE_RATIO.key()).subList(1, 3))
                .containsExactly("(none)", "Double");
        assertThat(rows.get(VeloConnectorOptions.VELO_CONNECTOR.key()).get(0)).isEqualTo("yes");
        assertThat(rows.get("source.max_retries").get(1)).isEqualTo("value of `max_retries`");
    }

    @Test
    void durationsUseTheLargestExactUnit() {
        assertThat(OptionsDocGenerator.formatDuration(Duration.ofMillis(1000))).isEqualTo("1s");
        assertThat(OptionsDocGenerator.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(OptionsDocGenerator.formatDuration(Duration.ofMinutes(1))).isEqualTo("1m");
        assertThat(OptionsDocGenerator.formatDuration(Duration.ofHours(48))).isEqualTo("2d");
        assertThat(OptionsDocGenerator.formatDuration(Duration.ZERO)).isEqualTo("0ms");
    }

    @Test
    void eachStrategyHasItsOwnSection() {
        for (String strategy :
                List.of(
                        "fixed_size",
                        "time_window",
                        "memory_based",
                        "adaptive_size",
                        "low_latency",
                        "mega_batch")) {
            assertThat(rendered).contains("### Strategy `" + strategy + "`");
        }
    }

    /** Key to its other cells (Required, Default, Type, Description), first row wins. */
    private static Map<String, List<String>> rows(String markdown) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : markdown.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.putIfAbsent(m.group(1), List.of(m.group(2).split(" \\| ", 4)));
            }
        }
        return rows;
    }

    private static List<String> rowKeys(String markdown) {
        List<String> keys = new ArrayList<>();
        for (String line : markdown.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                keys.add(m.group(1));
            }
        }
        return keys;
    }

    private static String unquote(String cell) {
        return cell.replace("`", "");
    }

    /** Equal as text, or as durations ("1000ms" is the seed's spelling of "1s"). */
    private static boolean sameValue(String documented, String seed) {
        if (documented.equals(seed)) {
            return true;
        }
        Duration a = durationOrNull(documented);
        Duration b = durationOrNull(seed);
        return a != null && a.equals(b);
    }

    private static Duration durationOrNull(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            default:
                return Duration.ofDays(n);
        }
    }
}
