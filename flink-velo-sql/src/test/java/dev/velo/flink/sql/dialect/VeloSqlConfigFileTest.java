package dev.velo.flink.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Velostream config files read by a YAML parser and flattened to dotted keys. */
class VeloSqlConfigFileTest {

    @Test
    void nestedMapsFlattenToDottedKeys() {
        Map<String, Integer> lines = new LinkedHashMap<>();
        Map<String, String> flat =
                FlatYaml.parse(
                        "# comment\n"
                                + "datasource:\n"
                                + "  type: kafka   # trailing comment\n"
                                + "  consumer_config:\n"
                                + "    bootstrap.servers: \"host:9092\"\n"
                                + "    auto.offset.reset: 'earliest'\n"
                                + "topic:\n"
                                + "  name: orders\n"
                                + "url: \"http://x/#anchor\"\n"
                                + "---\n"
                                + "top: 1\n",
                        lines);
        assertThat(flat)
                .containsExactly(
                        Map.entry("datasource.type", "kafka"),
                        Map.entry("datasource.consumer_config.bootstrap.servers", "host:9092"),
                        Map.entry("datasource.consumer_config.auto.offset.reset", "earliest"),
                        Map.entry("topic.name", "orders"),
                        Map.entry("url", "http://x/#anchor"),
                        Map.entry("top", "1"));
        assertThat(lines)
                .containsEntry("datasource.type", 3)
                .containsEntry("topic.name", 8)
                .containsEntry("top", 11);
    }

    @Test
    void scalarsKeepTheirTextAsWritten() {
        assertThat(FlatYaml.parse("a: 010\nb: 1.50\nc: yes\nd: 0x1F\ne: ~\nf:\n"))
                .containsExactly(
                        Map.entry("a", "010"),
                        Map.entry("b", "1.50"),
                        Map.entry("c", "yes"),
                        Map.entry("d", "0x1F"));
    }

    @Test
    void listsBecomeCommaSeparated() {
        assertThat(FlatYaml.parse("tags: [a, 'b', \"c\"]\nitems:\n  - x\n  - y\nafter: z\n"))
                .containsEntry("tags", "a,b,c")
                .containsEntry("items", "x,y")
                .containsEntry("after", "z");
    }

    @Test
    void flowMapsAndBlockScalarsAreYaml() {
        assertThat(FlatYaml.parse("a: {b: 1, c: {d: x}}\ns: |\n  line one\n  line two\n"))
                .containsEntry("a.b", "1")
                .containsEntry("a.c.d", "x")
                .containsEntry("s", "line one\nline two\n");
    }

    @Test
    void invalidYamlNamesTheLine() {
        assertThatThrownBy(() -> FlatYaml.parse("a: 1\nnot a key value\n"))
                .isInstanceOf(FlatYaml.YamlException.class)
                .satisfies(e -> assertThat(((FlatYaml.YamlException) e).line).isEqualTo(2));
        assertThatThrownBy(() -> FlatYaml.parse("a:\n\tb: 1\n"))
                .isInstanceOf(FlatYaml.YamlException.class)
                .hasMessageContaining("TAB")
                .satisfies(e -> assertThat(((FlatYaml.YamlException) e).line).isEqualTo(2));
        assertThatThrownBy(() -> FlatYaml.parse("a: \"open\n"))
                .isInstanceOf(FlatYaml.YamlException.class)
                .hasMessage("found unexpected end of stream (while scanning a quoted scalar)")
                .satisfies(e -> assertThat(((FlatYaml.YamlException) e).line).isEqualTo(1));
        assertThatThrownBy(() -> FlatYaml.parse("- a\n- b\n"))
                .hasMessageContaining("expected 'key: value' lines, found a list");
        assertThatThrownBy(() -> FlatYaml.parse("k:\n  - {a: 1}\n"))
                .hasMessageContaining("key 'k': a list holds only plain values")
                .satisfies(e -> assertThat(((FlatYaml.YamlException) e).line).isEqualTo(2));
    }
}
