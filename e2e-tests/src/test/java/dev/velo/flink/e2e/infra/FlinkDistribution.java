package dev.velo.flink.e2e.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Flink 2.3 installation as users have it, assembled from Maven artifacts by the e2e module's
 * build ({@code maven-dependency-plugin} executions {@code flink-dist-lib} and {@code
 * flink-dist-jars}) under {@code target/flink-<version>/}:
 *
 * <ul>
 *   <li>{@code lib/}: what a distribution's {@code lib/} holds — {@code flink-table-api-java-uber},
 *       {@code flink-table-planner-loader}, {@code flink-table-runtime}, {@code flink-cep}, {@code
 *       flink-json}, {@code flink-csv}, {@code flink-connector-files}, log4j, and in place of
 *       {@code flink-dist} (not on Maven Central) the core, runtime, streaming, clients and datagen
 *       jars with their dependencies. No Kafka client, no unshaded Jackson, nothing of flink-velo.
 *   <li>{@code opt/}: {@code flink-sql-client}, {@code flink-sql-gateway} and its API, which {@code
 *       bin/sql-client.sh} adds to the client's classpath.
 *   <li>{@code connectors/}: the official {@code flink-sql-connector-kafka} JAR, downloaded as a
 *       user downloads it; it relocates the Kafka client to {@value #RELOCATED_KAFKA_PREFIX}.
 * </ul>
 *
 * <p>{@link #installation} lays out a {@code lib/} of its own for one test, with extra JARs dropped
 * in as a user drops connector JARs into {@code lib/}.
 */
public final class FlinkDistribution {

    /** System property naming the distribution directory, set by surefire. */
    public static final String DIST_DIR_PROPERTY = "velo.flink.dist.dir";

    /** An unrelocated Kafka client class: no Flink JVM of a real installation may see it. */
    public static final String UNSHADED_KAFKA_PRODUCER =
            "org/apache/kafka/clients/producer/KafkaProducer.class";

    /** Where the official Kafka SQL connector JAR relocates the Kafka client. */
    public static final String RELOCATED_KAFKA_PREFIX = "org/apache/flink/kafka/shaded/";

    private FlinkDistribution() {}

    /** The distribution directory ({@code target/flink-<version>}). */
    public static Path home() {
        String dir = System.getProperty(DIST_DIR_PROPERTY);
        if (dir == null || !Files.isDirectory(Paths.get(dir, "lib"))) {
            throw new IllegalStateException(
                    "The Flink distribution directory is missing ("
                            + DIST_DIR_PROPERTY
                            + "="
                            + dir
                            + "); the e2e-tests build copies it at generate-test-resources:"
                            + " run through Maven (mvn -pl e2e-tests -am verify)");
        }
        return Paths.get(dir).toAbsolutePath().normalize();
    }

    /** The JARs of the distribution's {@code lib/}, in file name order as the scripts list them. */
    public static List<Path> libJars() {
        return jarsIn(home().resolve("lib"));
    }

    /** The SQL client, SQL gateway and gateway API JARs from {@code opt/}. */
    public static List<Path> sqlClientJars() {
        return jarsIn(home().resolve("opt"));
    }

    /** The official {@code flink-sql-connector-kafka-<version>.jar}. */
    public static Path kafkaSqlConnectorJar() {
        List<Path> jars = jarsIn(home().resolve("connectors"));
        return jars.stream()
                .filter(p -> p.getFileName().toString().startsWith("flink-sql-connector-kafka-"))
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalStateException(
                                        "No flink-sql-connector-kafka JAR in "
                                                + home().resolve("connectors")));
    }

    /**
     * Lays out the installation {@code name} under {@code target/flink-installations/}: its {@code
     * lib/} holds the distribution's {@code lib/} plus {@code extraLibJars}, as symbolic links
     * (copies where links are not possible). A previous layout of the same name is replaced. It
     * lives outside the tests' temporary directories, whose clean-up warns about every link.
     *
     * @return the new {@code lib/} directory
     */
    public static Path installation(String name, List<Path> extraLibJars) {
        Path lib = home().resolveSibling("flink-installations").resolve(name).resolve("lib");
        List<Path> jars = new ArrayList<>(libJars());
        jars.addAll(extraLibJars);
        try {
            if (Files.isDirectory(lib)) {
                for (Path old : jarsIn(lib)) {
                    Files.delete(old);
                }
            }
            Files.createDirectories(lib);
            for (Path jar : jars) {
                Path link = lib.resolve(jar.getFileName());
                try {
                    Files.createSymbolicLink(link, jar.toAbsolutePath());
                } catch (UnsupportedOperationException | IOException noLinks) {
                    Files.copy(jar, link);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot lay out " + lib, e);
        }
        return lib;
    }

    /** The {@code *.jar} files of a directory, by file name. */
    public static List<Path> jarsIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar"))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir, e);
        }
    }

    /**
     * The classpath entries (JARs or class directories) that hold {@value
     * #UNSHADED_KAFKA_PRODUCER}, i.e. the Kafka client outside the official SQL JAR's relocated
     * package.
     */
    public static List<Path> withUnshadedKafka(List<Path> classpath) {
        List<Path> found = new ArrayList<>();
        for (Path entry : classpath) {
            if (Files.isDirectory(entry)) {
                if (Files.exists(entry.resolve(UNSHADED_KAFKA_PRODUCER))) {
                    found.add(entry);
                }
                continue;
            }
            try (JarFile jar = new JarFile(entry.toFile())) {
                if (jar.getJarEntry(UNSHADED_KAFKA_PRODUCER) != null) {
                    found.add(entry);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + entry, e);
            }
        }
        return found;
    }
}
