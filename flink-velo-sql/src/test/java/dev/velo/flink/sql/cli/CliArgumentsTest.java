package dev.velo.flink.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.junit.jupiter.api.Test;

/** The velo CLI's wording of argument errors over Commons CLI, and its JSON output. */
class CliArgumentsTest {

    private static final long NOW = 1_000_000L;

    @Test
    void optionErrorsAreWordedAsTheCliWordsThem() {
        assertThatThrownBy(
                        () ->
                                ReplayRequest.parse(
                                        List.of("a.sql", "--table", "t", "--to", "5", "--to", "6"),
                                        NOW))
                .hasMessage("--to is given twice");
        assertThatThrownBy(() -> ReplayRequest.parse(List.of("a.sql", "--table", "--from"), NOW))
                .hasMessage("--table needs a value");
        assertThatThrownBy(() -> ReplayRequest.parse(List.of("a.sql", "--table", "--x"), NOW))
                .hasMessage("--table needs a value");
        assertThatThrownBy(() -> ReplayRequest.parse(List.of("a.sql", "--table"), NOW))
                .hasMessage("--table needs a value");
        // long options are written in full: no prefix of --table stands for it
        assertThatThrownBy(() -> ReplayRequest.parse(List.of("a.sql", "--tab", "t"), NOW))
                .hasMessage("unknown option --tab");
        assertThatThrownBy(
                        () ->
                                CliArguments.parse(
                                        new Options().addOption(Script.INLINE), List.of("-e")))
                .isInstanceOf(UsageException.class)
                .hasMessage("-e needs the SQL text");
    }

    @Test
    void webUiTakesOnlyAPortAsItsValue() {
        Options options = new Options().addOption(CliArguments.WEB_UI);
        CommandLine port = CliArguments.parse(options, List.of("--web-ui", "8082", "a.sql"));
        assertThat(CliArguments.webUiPort(port)).isEqualTo(8082);
        assertThat(port.getArgList()).containsExactly("a.sql");

        CommandLine file = CliArguments.parse(options, List.of("--web-ui", "a.sql"));
        assertThat(CliArguments.webUiPort(file)).isEqualTo(VeloCli.DEFAULT_WEB_UI_PORT);
        assertThat(file.getArgList()).containsExactly("a.sql");

        CommandLine last = CliArguments.parse(options, List.of("a.sql", "--web-ui"));
        assertThat(CliArguments.webUiPort(last)).isEqualTo(VeloCli.DEFAULT_WEB_UI_PORT);
        assertThat(CliArguments.webUiPort(CliArguments.parse(options, List.of("a.sql")))).isNull();

        for (String bad : List.of("0", "65536", "99999999999")) {
            assertThatThrownBy(
                            () ->
                                    CliArguments.webUiPort(
                                            CliArguments.parse(options, List.of("--web-ui", bad))))
                    .isInstanceOf(UsageException.class)
                    .hasMessage("--web-ui expects a port 1-65535, got " + bad);
        }
    }

    @Test
    void validateJsonIsWrittenByJacksonWithEscapes() {
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        tables.put("k", Map.of("batch.size", "10"));
        tables.put("q\"uote", Map.of());
        assertThat(
                        ValidateCommand.json(
                                tables, List.of("a.sql:1:2: bad \"x\"\nnext"), List.of("w\t1")))
                .isEqualTo(
                        "{\"tables\":[{\"name\":\"k\",\"options\":{\"batch.size\":\"10\"}},"
                                + "{\"name\":\"q\\\"uote\",\"options\":{}}],"
                                + "\"errors\":[\"a.sql:1:2: bad \\\"x\\\"\\nnext\"],"
                                + "\"warnings\":[\"w\\t1\"]}");
    }
}
