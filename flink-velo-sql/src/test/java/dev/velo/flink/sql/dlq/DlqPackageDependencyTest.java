package dev.velo.flink.sql.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dlq package is used by the table factory and must not use it back: the DLQ's options are
 * declared here ({@link DlqOptions}), and what the DLQ needs of the velo table is passed in.
 */
class DlqPackageDependencyTest {

    @Test
    void theDlqPackageDoesNotDependOnTheFactoryPackage() throws IOException {
        Path dir = Paths.get("src/main/java/dev/velo/flink/sql/dlq");
        assertThat(dir).as("run from the flink-velo-sql module").isDirectory();
        List<String> offenders;
        try (Stream<Path> files = Files.list(dir)) {
            offenders =
                    files.filter(p -> p.toString().endsWith(".java"))
                            .filter(DlqPackageDependencyTest::usesTheFactory)
                            .map(p -> p.getFileName().toString())
                            .sorted()
                            .collect(Collectors.toList());
        }
        assertThat(offenders).isEmpty();
    }

    /** An import of the factory package, or a fully qualified use of it in code. */
    private static boolean usesTheFactory(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::trim)
                    .filter(l -> !l.startsWith("*") && !l.startsWith("/"))
                    .anyMatch(l -> l.contains("dev.velo.flink.sql.factory."));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
