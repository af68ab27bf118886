package dev.velo.flink.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The YAML subset of Velostream config files, flattened to dotted keys. */
class VeloSqlConfigFileTest {

    @Test
    void nestedMapsFlattenToDottedKeys() {
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
                                + "top: 1\n");
        assertThat(flat)
                .containsExactly(
                        Map.entry("datasource.type", "kafka"),
                        Map.entry("datasource.consumer_config.bootstrap.servers", "host:9092"),
                        Map.entry("datasource.consumer_config.auto.offset.reset", "earliest"),
                        Map.entry("topic.name", "orders"),
                        Map.entry("url", "http://x/#anchor"),
                        Map.entry("top", "1"));
    }

    @Test
    void listsBecomeCommaSeparated() {
        assertThat(FlatYaml.parse("tags: [a, 'b', \"c\"]\nitems:\n  - x\n  - y\nafter: z\n"))
                .containsEntry("tags", "a,b,c")
                .containsEntry("items", "x,y")
                .containsEntry("after", "z");
    }

    @Test
    void unsupportedYamlNamesTheLine() {
        assertThatThrownBy(() -> FlatYaml.parse("a: 1\nnot a key value\n"))
                .isInstanceOf(FlatYaml.YamlException.class)
                .satisfies(e -> assertThat(((FlatYaml.YamlException) e).line).isEqualTo(2));
        assertThatThrownBy(() -> FlatYaml.parse("a: {b: 1}\n")).hasMessageContaining("flow maps");
        assertThatThrownBy(() -> FlatYaml.parse("a:\n\tb: 1\n")).hasMessageContaining("tabs");
        assertThatThrownBy(() -> FlatYaml.parse("a: \"open\n"))
                .hasMessageContaining("unterminated");
    }
}
