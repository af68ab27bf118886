package dev.velo.flink.e2e.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.python.util.PythonDependencyUtils;

/**
 * The classpath of the Flink JVMs the e2e tests start as child processes (SQL client, JobManager,
 * TaskManager): the role {@code flink-dist/lib} plays in a real installation, built from the Maven
 * artifacts this module depends on.
 *
 * <p>Source: the file {@code target/e2e-classpath.txt} that {@code
 * maven-dependency-plugin:build-classpath} writes at {@code generate-test-resources} (path passed
 * in the system property {@value #CLASSPATH_FILE_PROPERTY}); when absent (a run outside Maven) the
 * test JVM's own {@code java.class.path}. Test-only jars and this project's own modules are left
 * out, so a connector under test must arrive the way users deliver it ({@code ADD JAR}, job JAR).
 */
public final class FlinkClasspath {

    /** System property naming the file written by {@code dependency:build-classpath}. */
    public static final String CLASSPATH_FILE_PROPERTY = "velo.e2e.classpath.file";

    /** System property naming the shaded SQL connector JAR built by flink-velo-sql. */
    public static final String SQL_CONNECTOR_JAR_PROPERTY = "velo.sql.connector.jar";

    private static final List<String> EXCLUDED_NAME_PARTS =
            List.of(
                    "flink-velo-", // the project's own modules: tests ship them like users do
                    "-tests.jar", // test-jars carry test services and logging configs
                    "flink-test-utils",
                    "junit",
                    "opentest4j",
                    "apiguardian",
                    "assertj",
                    "hamcrest",
                    "testcontainers",
                    "docker-java",
                    "duct-tape",
                    "curator-test",
                    "jmh-");

    private FlinkClasspath() {}

    /** The child-JVM classpath: Maven dependencies minus test tooling and flink-velo modules. */
    public static List<Path> forChildJvm() {
        return mavenClasspath().stream()
                .filter(Predicate.not(FlinkClasspath::excluded))
                .collect(Collectors.toList());
    }

    /**
     * The whole Maven test classpath plus the class directory or JAR holding {@code mainClass}: for
     * helper JVMs that are not Flink JVMs (the test Kafka broker), which may use anything the test
     * JVM uses.
     */
    public static List<Path> forHelperJvm(Class<?> mainClass) {
        List<Path> classpath = new ArrayList<>();
        try {
            classpath.add(
                    Paths.get(
                            mainClass.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("Cannot locate the classes of " + mainClass, e);
        }
        classpath.addAll(mavenClasspath());
        return classpath;
    }

    /** Entries that belong to this project's own modules (jars or {@code target/classes}). */
    public static List<Path> veloModules() {
        return mavenClasspath().stream()
                .filter(p -> p.toString().contains("flink-velo-"))
                .collect(Collectors.toList());
    }

    /**
     * The shaded {@code flink-sql-connector-velo-<version>.jar} (for {@code ADD JAR} or a job JAR's
     * classpath), as built by {@code mvn package -pl flink-velo-sql}.
     *
     * @throws IllegalStateException if it has not been built
     */
    public static Path veloSqlConnectorJar() {
        String jar = System.getProperty(SQL_CONNECTOR_JAR_PROPERTY);
        if (jar == null || !Files.isRegularFile(Paths.get(jar))) {
            throw new IllegalStateException(
                    "The shaded velo SQL connector JAR is missing ("
                            + SQL_CONNECTOR_JAR_PROPERTY
                            + "="
                            + jar
                            + "); run the e2e tests through the reactor, which packages it first:"
                            + " mvn -B verify -pl e2e-tests -am");
        }
        return Paths.get(jar).toAbsolutePath().normalize();
    }

    /**
     * Writes the {@link PythonDependencyUtils} stand-in (see its Javadoc) as a class directory
     * under {@code dir} and returns that directory, ready to add to a classpath.
     */
    public static Path pythonStandIn(Path dir) {
        String resource = PythonDependencyUtils.class.getName().replace('.', '/') + ".class";
        Path target = dir.resolve(resource);
        try (InputStream in = FlinkClasspath.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Cannot find " + resource + " on the classpath");
            }
            Files.createDirectories(target.getParent());
            Files.write(target, in.readAllBytes());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the Python stand-in to " + dir, e);
        }
    }

    private static boolean excluded(Path entry) {
        String name = entry.getFileName() == null ? "" : entry.getFileName().toString();
        String full = entry.toString();
        if (full.contains("flink-velo-")) {
            return true;
        }
        if (Files.isDirectory(entry)) {
            // the e2e module's own classes directories (fallback mode only)
            return full.endsWith("test-classes") || full.endsWith("classes");
        }
        return EXCLUDED_NAME_PARTS.stream().anyMatch(name::contains);
    }

    private static List<Path> mavenClasspath() {
        String file = System.getProperty(CLASSPATH_FILE_PROPERTY);
        String raw;
        if (file != null && Files.isRegularFile(Paths.get(file))) {
            try {
                raw = Files.readString(Paths.get(file), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the classpath file " + file, e);
            }
        } else {
            raw = System.getProperty("java.class.path", "");
        }
        List<Path> entries = new ArrayList<>();
        Arrays.stream(raw.split(java.io.File.pathSeparator))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(Paths::get)
                .forEach(entries::add);
        if (entries.stream().noneMatch(p -> p.toString().contains("flink-runtime"))) {
            throw new IllegalStateException(
                    "No flink-runtime on the e2e classpath (property "
                            + CLASSPATH_FILE_PROPERTY
                            + "="
                            + file
                            + "); run through Maven so dependency:build-classpath writes it");
        }
        return entries;
    }
}
