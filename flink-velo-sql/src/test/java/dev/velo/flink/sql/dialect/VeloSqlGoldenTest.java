package dev.velo.flink.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every script under {@code dialect/golden} translates to its {@code .flink.sql} twin. Run with
 * {@code -Dvelo.golden.update=true} to rewrite the expected files after a deliberate change.
 */
class VeloSqlGoldenTest {

    static final Path GOLDEN = Path.of("src/test/resources/dialect/golden");
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
        if (Boolean.getBoolean("velo.golden.update") || !Files.exists(expectedFile)) {
            Files.writeString(expectedFile, actual);
        }
        assertThat(actual).isEqualTo(Files.readString(expectedFile));
    }
}
