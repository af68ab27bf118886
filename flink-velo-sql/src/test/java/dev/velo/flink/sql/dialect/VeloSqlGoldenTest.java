package dev.velo.flink.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every script under {@code dialect/golden} translates to its {@code .flink.sql} twin; a script
 * without its twin fails. Run with {@code -Dvelo.golden.regenerate=true} to write the expected
 * files (new or after a deliberate change), then review and commit them.
 */
class VeloSqlGoldenTest {

    static final Path GOLDEN = Path.of("src/test/resources/dialect/golden");
    static final String REGENERATE = "velo.golden.regenerate";
    static final Map<String, String> ENV = Map.of("KAFKA_BROKERS", "broker-1:9092");

    static List<Path> scripts() throws IOException {
        try (Stream<Path> files = Files.list(GOLDEN)) {
            return files.filter(p -> p.toString().endsWith(".sql"))
                    .filter(p -> !p.toString().endsWith(".flink.sql"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void everySeedExampleHasAGoldenFile() throws IOException {
        assertThat(scripts().stream().filter(p -> p.getFileName().toString().startsWith("seed_")))
                .hasSize(9);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void translatesAsRecorded(Path script) throws IOException {
        assertTranslatesAsRecorded(script);
    }

    @Test
    void aScriptWithoutItsGoldenFileFails(@TempDir Path dir) throws IOException {
        assumeFalse(Boolean.getBoolean(REGENERATE), "regenerating writes the missing file");
        Path script = Files.writeString(dir.resolve("new_example.sql"), "SELECT 1");
        assertThatThrownBy(() -> assertTranslatesAsRecorded(script))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("golden file of new_example.sql")
                .hasMessageContaining("-Dvelo.golden.regenerate=true");
        assertThat(dir.resolve("new_example.flink.sql")).doesNotExist();
    }

    static void assertTranslatesAsRecorded(Path script) throws IOException {
        VeloTranslation translation =
                VeloSql.builder()
                        .environment(ENV)
                        .baseDirectory(GOLDEN)
                        .build()
                        .translateScript(Files.readString(script));
        String actual = translation.toScript();
        Path expectedFile =
                script.resolveSibling(
                        script.getFileName().toString().replace(".sql", ".flink.sql"));
        if (Boolean.getBoolean(REGENERATE)) {
            Files.writeString(expectedFile, actual);
        }
        assertThat(expectedFile)
                .as(
                        "golden file of %s; write it with -D%s=true and review it",
                        script.getFileName(), REGENERATE)
                .exists();
        assertThat(actual).isEqualTo(Files.readString(expectedFile));
    }
}
