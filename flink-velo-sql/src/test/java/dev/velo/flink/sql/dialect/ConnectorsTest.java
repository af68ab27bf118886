package dev.velo.flink.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connector mapping, config files with extends chains and schema inference of sources. */
class ConnectorsTest {

    @TempDir Path dir;

    private final List<String> notes = new ArrayList<>();
    private final SqlLexer lexer = new SqlLexer("CREATE STREAM s AS SELECT * FROM src");
    private final Token at = new Token(Token.Kind.WORD, "src", 33, 36, 1, 34);

    private Connectors connectors(Map<String, String> env, TopicSampler sampler) {
        return new Connectors(dir, new Variables(env), lexer, notes, sampler);
    }

    private Connectors.Mapped source(Map<String, String> keys) {
        return connectors(Map.of(), null).map("src", true, keys, at);
    }

    // ------------------------------------------------------------------ CSV

    @Test
    void csvHeaderAndRowsWithQuotedCommasKeepTheirColumns() throws IOException {
        Files.writeString(
                dir.resolve("in.csv"),
                "id,\"name, full\",amount\n"
                        + "1,\"Smith, J\",5.5\n"
                        + "2,\"O\"\"Brien\",7\n"
                        + "3,\"two\nlines\",8\n");
        Connectors.Mapped m = source(Map.of("type", "file_source", "path", "in.csv"));
        assertThat(m.columns).isEqualTo("`id` BIGINT, `name, full` STRING, `amount` DOUBLE");
        assertThat(m.rawColumns).isEqualTo("`id` STRING, `name, full` STRING, `amount` STRING");
        assertThat(m.headerView)
                .contains("CAST(`id` AS BIGINT) AS `id`", "`name, full` <> 'name, full'");
        assertThat(m.options)
                .containsEntry("connector", "filesystem")
                .containsEntry("format", "csv")
                .containsEntry("path", dir.resolve("in.csv").toString());
        assertThat(notes).anyMatch(n -> n.contains("columns inferred from the CSV header"));
    }

    @Test
    void declaredSchemaWithAQuotedHeaderGetsTheHeaderFilteredOut() throws IOException {
        Files.writeString(dir.resolve("in.csv"), "\"id\",\"note\"\n1,\"a, b\"\n");
        Connectors.Mapped m =
                source(
                        Map.of(
                                "type", "file_source",
                                "path", "in.csv",
                                "schema", "id BIGINT, note STRING"));
        assertThat(m.columns).isEqualTo("id BIGINT, note STRING");
        assertThat(m.headerView).contains("`id` <> 'id'", "`note` <> 'note'");
    }

    @Test
    void csvRecordsFollowRfc4180() throws IOException {
        assertThat(csv("a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n\r\n\"multi\nline\",\n"))
                .containsExactly(
                        List.of("a", "b"),
                        List.of("x,y", "say \"hi\""),
                        List.of("multi\nline", ""));
        assertThat(csv("only")).containsExactly(List.of("only"));
        assertThat(csv("")).isEmpty();
        assertThatThrownBy(() -> csv("a\n\"open,b\nc\n"))
                .isInstanceOf(CsvRecords.CsvException.class)
                .hasMessageContaining("Missing closing quote")
                .satisfies(e -> assertThat(((CsvRecords.CsvException) e).line).isPositive());
    }

    @Test
    void csvRecordsStopAtTheLimit() throws IOException {
        assertThat(CsvRecords.read(new BufferedReader(new StringReader("1\n2\n3\n")), 2))
                .containsExactly(List.of("1"), List.of("2"));
    }

    private static List<List<String>> csv(String text) throws IOException {
        return CsvRecords.read(new BufferedReader(new StringReader(text)), 100);
    }

    @Test
    void emptyCsvNamesTheTableAndTheWayOut() throws IOException {
        Files.writeString(dir.resolve("empty.csv"), "\n\n");
        assertThatThrownBy(() -> source(Map.of("type", "file_source", "path", "empty.csv")))
                .isInstanceOf(VeloSqlException.class)
                .hasMessageContaining("cannot infer the columns of 'src'")
                .hasMessageContaining("add 'src.schema'");
    }

    // ------------------------------------------------------------------ mapping

    @Test
    void kafkaKeysMapOntoTheKafkaConnector() {
        Connectors.Mapped m =
                source(
                        Map.of(
                                "topic.name", "orders",
                                "consumer_config.bootstrap.servers", "k:9092",
                                "auto.offset.reset", "latest",
                                "schema", "id BIGINT, value STRING",
                                "properties.security.protocol", "SSL",
                                "batch.size", "10"));
        assertThat(m.options)
                .containsEntry("connector", "kafka")
                .containsEntry("topic", "orders")
                .containsEntry("properties.bootstrap.servers", "k:9092")
                .containsEntry("properties.group.id", "velo-src")
                .containsEntry("scan.startup.mode", "latest-offset")
                .containsEntry("format", "json")
                .containsEntry("properties.security.protocol", "SSL");
        assertThat(m.veloOptions).containsEntry("batch.size", "10");
        assertThat(m.columns).isEqualTo("id BIGINT, `value` STRING");
        assertThat(notes).anyMatch(n -> n.contains("write 'src.type'"));
    }

    @Test
    void unknownTypeListsTheAcceptedOnes() {
        assertThatThrownBy(() -> source(Map.of("type", "mqtt")))
                .isInstanceOf(VeloSqlException.class)
                .hasMessageContaining("'src.type' = 'mqtt' is not supported")
                .hasMessageContaining("kafka_source, kafka_sink, file_source, file_sink, stdout");
        assertThatThrownBy(
                        () ->
                                connectors(Map.of(), null)
                                        .map("out", false, Map.of("type", "kafka_source"), at))
                .hasMessageContaining("'out' is used as a sink");
    }

    // ------------------------------------------------------------------ config files

    @Test
    void configFileExtendsChainsOverrideInOrder() throws IOException {
        Files.writeString(
                dir.resolve("base.yaml"),
                "datasource:\n  consumer_config:\n    bootstrap.servers: \"${BROKERS:-x:1}\"\n"
                        + "topic: {name: base_topic}\nformat: json\n");
        Files.createDirectories(dir.resolve("mid"));
        Files.writeString(
                dir.resolve("mid/middle.yaml"), "extends: ../base.yaml\ntopic:\n  name: mid\n");
        Files.writeString(
                dir.resolve("mid/src.yaml"),
                "extends: middle.yaml\nschema: |\n  id BIGINT, note STRING\n");
        Connectors.Mapped m =
                connectors(Map.of("BROKERS", "kafka:9092"), null)
                        .map(
                                "src",
                                true,
                                Map.of("type", "kafka_source", "config_file", "mid/src.yaml"),
                                at);
        assertThat(m.options)
                .containsEntry("topic", "mid")
                .containsEntry("properties.bootstrap.servers", "kafka:9092");
        assertThat(m.columns).isEqualTo("id BIGINT, note STRING");
    }

    @Test
    void configFileErrorsNameTheFileAndTheLine() throws IOException {
        Files.writeString(dir.resolve("bad.yaml"), "topic: a\nschema: \"open\n");
        assertThatThrownBy(() -> source(Map.of("type", "kafka_source", "config_file", "bad.yaml")))
                .isInstanceOf(VeloSqlException.class)
                .hasMessageContaining("config_file " + dir.resolve("bad.yaml") + " line ");

        Files.writeString(dir.resolve("a.yaml"), "topic: t\nextends: b.yaml\n");
        Files.writeString(dir.resolve("b.yaml"), "extends: a.yaml\n");
        assertThatThrownBy(() -> source(Map.of("type", "kafka_source", "config_file", "a.yaml")))
                .hasMessageContaining("config_file " + dir.resolve("a.yaml") + " extends itself")
                .hasMessageContaining("named by 'extends' in " + dir.resolve("b.yaml") + " line 1");

        Files.writeString(dir.resolve("c.yaml"), "topic: t\n\nextends: missing.yaml\n");
        assertThatThrownBy(() -> source(Map.of("type", "kafka_source", "config_file", "c.yaml")))
                .hasMessageContaining("cannot read config_file " + dir.resolve("missing.yaml"))
                .hasMessageContaining("named by 'extends' in " + dir.resolve("c.yaml") + " line 3");

        Files.writeString(dir.resolve("v.yaml"), "topic: t\ndatasource:\n  group.id: ${NOPE}\n");
        assertThatThrownBy(() -> source(Map.of("type", "kafka_source", "config_file", "v.yaml")))
                .hasMessageContaining(
                        "config_file "
                                + dir.resolve("v.yaml")
                                + " line 3 key 'datasource.group.id'")
                .hasMessageContaining("variable 'NOPE' is not set");
    }

    // ------------------------------------------------------------------ topics

    @Test
    void topicRecordsThatDisagreeOnAFieldNameIt() {
        TopicSampler sampler =
                (options, max, wait) ->
                        List.of(
                                bytes("{\"id\": 1, \"tag\": \"a\"}"),
                                bytes("not json"),
                                bytes("{\"id\": 2.5, \"tag\": {\"x\": 1}}"));
        assertThatThrownBy(
                        () ->
                                connectors(Map.of(), sampler)
                                        .map(
                                                "src",
                                                true,
                                                Map.of("type", "kafka_source", "topic", "t"),
                                                at))
                .isInstanceOf(VeloSqlException.class)
                .hasMessageContaining("field 'tag' is a string in one record (\"a\")")
                .hasMessageContaining("an object in another")
                .hasMessageContaining("pin it with 'src.schema'");
    }

    @Test
    void topicRecordsGiveColumnsAndTheSamplerSeesTheTableOptions() {
        Map<String, String> seen = new LinkedHashMap<>();
        TopicSampler sampler =
                (options, max, wait) -> {
                    seen.putAll(options);
                    return List.of(
                            bytes("{\"id\": 1, \"amount\": 2, \"tag\": null}"),
                            bytes("{\"id\": 2, \"amount\": 2.5, \"ok\": true}"));
                };
        Connectors.Mapped m =
                connectors(Map.of(), sampler)
                        .map("src", true, Map.of("type", "kafka_source", "topic", "t"), at);
        assertThat(m.columns).isEqualTo("`id` BIGINT, `amount` DOUBLE, `tag` STRING, `ok` BOOLEAN");
        assertThat(seen).containsEntry("topic", "t").containsEntry("format", "json");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
