package dev.velo.flink.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.e2e.infra.FlinkClasspath;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shaded {@code flink-sql-connector-velo-<version>.jar} users put into {@code lib/} or {@code
 * ADD JAR}: the factory service entry, only flink-velo's own classes, and every class links against
 * a Flink installation's classpath with nothing else of ours around.
 */
class PackagingITCase {

    private static final String FACTORY_SERVICE =
            "META-INF/services/org.apache.flink.table.factories.Factory";
    private static final String FACTORY_CLASS =
            "dev.velo.flink.sql.factory.VeloDynamicTableFactory";

    private static Path jar;
    private static List<String> entries;

    @BeforeAll
    static void readJar() throws IOException {
        jar = FlinkClasspath.veloSqlConnectorJar();
        try (JarFile file = new JarFile(jar.toFile())) {
            entries = file.stream().map(JarEntry::getName).collect(Collectors.toList());
        }
    }

    @Test
    void isNamedLikeAFlinkSqlConnectorJar() {
        assertThat(jar.getFileName().toString()).matches("flink-sql-connector-velo-.+\\.jar");
    }

    @Test
    void registersTheVeloFactoryAsATableFactoryService() throws IOException {
        String services;
        try (JarFile file = new JarFile(jar.toFile())) {
            JarEntry entry = file.getJarEntry(FACTORY_SERVICE);
            assertThat(entry).as(FACTORY_SERVICE).isNotNull();
            services =
                    new String(file.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(services.lines().map(String::trim).filter(l -> !l.isEmpty()))
                .containsExactly(FACTORY_CLASS);
    }

    @Test
    void containsOnlyFlinkVeloClassesAndMetadata() {
        assertThat(entries).contains(FACTORY_CLASS.replace('.', '/') + ".class");
        // the runtime module is shaded in: DataStream pieces the factory builds on
        assertThat(entries)
                .contains(
                        "dev/velo/flink/batching/sink/VeloSink.class",
                        "dev/velo/flink/batching/operator/BatchingOperator.class");
        assertThat(entries)
                .allSatisfy(
                        name ->
                                assertThat(
                                                name.startsWith("META-INF/")
                                                        || name.equals("dev/")
                                                        || name.startsWith("dev/velo/"))
                                        .as("unexpected entry %s", name)
                                        .isTrue());
        assertThat(entries)
                .noneMatch(n -> n.startsWith("dev/velo/flink/sql/cli/"))
                .noneMatch(n -> n.startsWith("org/apache/flink/"))
                .noneMatch(n -> n.startsWith("org/apache/kafka/"))
                .noneMatch(n -> n.startsWith("kafka/"))
                .noneMatch(n -> n.startsWith("scala/"))
                .noneMatch(
                        n ->
                                n.endsWith("log4j2.properties")
                                        || n.endsWith("log4j2-test.properties"));
    }

    @Test
    void everyClassLinksAgainstTheFlinkClasspathAndTheFactoryIsDiscovered() throws Exception {
        // the loader sees the jar and a Flink installation only: not this module's classpath,
        // which holds the unshaded flink-velo modules
        List<URL> urls = new ArrayList<>();
        urls.add(jar.toUri().toURL());
        for (Path p : FlinkClasspath.forChildJvm()) {
            urls.add(p.toUri().toURL());
        }
        try (URLClassLoader loader =
                new URLClassLoader(
                        "flink-installation",
                        urls.toArray(new URL[0]),
                        ClassLoader.getPlatformClassLoader())) {
            List<String> classes =
                    entries.stream()
                            .filter(n -> n.endsWith(".class"))
                            .map(n -> n.substring(0, n.length() - 6).replace('/', '.'))
                            .collect(Collectors.toList());
            assertThat(classes).hasSizeGreaterThan(50);
            List<String> broken = new ArrayList<>();
            for (String name : classes) {
                try {
                    Class<?> c = Class.forName(name, false, loader);
                    // resolves supertypes and method signatures against Flink's classes
                    c.getDeclaredMethods();
                } catch (LinkageError | ClassNotFoundException e) {
                    broken.add(name + ": " + e);
                }
            }
            assertThat(broken).as("classes that do not link").isEmpty();

            Class<?> factoryUtil =
                    Class.forName("org.apache.flink.table.factories.FactoryUtil", true, loader);
            Class<?> dynamicTableFactory =
                    Class.forName(
                            "org.apache.flink.table.factories.DynamicTableFactory", true, loader);
            Method discover =
                    factoryUtil.getMethod(
                            "discoverFactory", ClassLoader.class, Class.class, String.class);
            Object factory = discover.invoke(null, loader, dynamicTableFactory, "velo");
            assertThat(factory.getClass().getName()).isEqualTo(FACTORY_CLASS);
            assertThat(factory.getClass().getClassLoader()).isSameAs(loader);
            assertThat(factory.getClass().getProtectionDomain().getCodeSource().getLocation())
                    .isEqualTo(jar.toUri().toURL());
        }
    }
}
