package dev.velo.flink.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.e2e.infra.FlinkClasspath;
import dev.velo.flink.e2e.infra.FlinkDistribution;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassReader;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassWriter;
import org.apache.flink.shaded.asm9.org.objectweb.asm.commons.ClassRemapper;
import org.apache.flink.shaded.asm9.org.objectweb.asm.commons.Remapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shaded {@code flink-sql-connector-velo-<version>.jar} users put into {@code lib/} or {@code
 * ADD JAR}: only the packages a SQL-client user needs (an allow-list), the table factory service
 * entries, no class referring to anything but the JAR itself and Flink/JDK/SLF4J API, and every
 * class links against a Flink distribution's {@code lib/} with nothing else around.
 */
class PackagingITCase {

    private static final String FACTORY_SERVICE =
            "META-INF/services/org.apache.flink.table.factories.Factory";
    private static final String FACTORY_CLASS =
            "dev.velo.flink.sql.factory.VeloDynamicTableFactory";

    /**
     * The packages the JAR may hold, with what they are for. The Velostream dialect translator, the
     * {@code velo} CLI and its demo, and the docs generator are tools of this project, not part of
     * the connector.
     */
    private static final Map<String, String> ALLOWED_PACKAGES =
            Map.of(
                    "dev/velo/flink/batching/", "flink-velo-batching: batchers, operators, sinks",
                    "dev/velo/flink/sql/factory/", "the 'velo' table factory",
                    "dev/velo/flink/sql/dlq/", "the dead letter queue",
                    "dev/velo/flink/sql/format/", "the guarded source format (decode failures)",
                    "dev/velo/flink/sql/internal/", "the internal operators of velo tables");

    /** Metadata entries the JAR may hold besides directories. */
    private static final List<String> ALLOWED_METADATA =
            List.of("META-INF/MANIFEST.MF", "META-INF/maven/dev.velo/", FACTORY_SERVICE);

    /** Packages outside the JAR its classes may refer to: Flink, the JDK, SLF4J. */
    private static final List<String> ALLOWED_REFERENCES =
            List.of("org/apache/flink/", "java/", "javax/", "org/slf4j/");

    /**
     * Inside {@code org/apache/flink/}: a connector's own classes and its relocated client library.
     * velo talks to connectors through their factories and Flink's interfaces only (DESIGN §6).
     */
    private static final List<String> FORBIDDEN_FLINK_REFERENCES =
            List.of(
                    "org/apache/flink/connector/kafka/",
                    "org/apache/flink/streaming/connectors/",
                    "org/apache/flink/kafka/shaded/");

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
    void registersItsOwnClassesAsTableFactoryServices() throws IOException {
        List<String> services;
        try (JarFile file = new JarFile(jar.toFile())) {
            JarEntry entry = file.getJarEntry(FACTORY_SERVICE);
            assertThat(entry).as(FACTORY_SERVICE).isNotNull();
            services =
                    new String(file.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8)
                            .lines()
                            .map(String::trim)
                            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                            .collect(Collectors.toList());
        }
        assertThat(services).as("service entries %s", services).contains(FACTORY_CLASS);
        assertThat(services)
                .as("service entries %s: each a class of dev.velo.flink.sql.* in the JAR", services)
                .allSatisfy(
                        s -> {
                            assertThat(s).startsWith("dev.velo.flink.sql.");
                            assertThat(entries).contains(s.replace('.', '/') + ".class");
                        });
    }

    @Test
    void holdsOnlyTheAllowedPackages() {
        assertThat(entries)
                .contains(
                        FACTORY_CLASS.replace('.', '/') + ".class",
                        // the runtime module is shaded in: DataStream pieces the factory builds on
                        "dev/velo/flink/batching/sink/VeloSink.class",
                        "dev/velo/flink/batching/internal/operator/BatchingOperator.class");
        List<String> unexpected =
                entries.stream()
                        .filter(e -> !allowedEntry(e))
                        .sorted()
                        .collect(Collectors.toList());
        assertThat(unexpected)
                .as(
                        "entries outside the allowed packages %s and metadata %s",
                        ALLOWED_PACKAGES.keySet(), ALLOWED_METADATA)
                .isEmpty();
    }

    @Test
    void noClassRefersToAnythingButTheJarFlinkTheJdkAndSlf4j() throws IOException {
        Map<String, Set<String>> offending = new TreeMap<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : file.stream().collect(Collectors.toList())) {
                if (!entry.getName().endsWith(".class")) {
                    continue;
                }
                byte[] bytes;
                try (InputStream in = file.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                Set<String> bad =
                        referencedClasses(bytes).stream()
                                .filter(ref -> !allowedReference(ref))
                                .collect(Collectors.toCollection(TreeSet::new));
                if (!bad.isEmpty()) {
                    offending.put(entry.getName(), bad);
                }
            }
        }
        assertThat(offending)
                .as(
                        "classes referring to classes neither in the JAR nor in %s (or in %s)",
                        ALLOWED_REFERENCES, FORBIDDEN_FLINK_REFERENCES)
                .isEmpty();
    }

    @Test
    void everyClassLinksAgainstAFlinkDistributionAndTheFactoryIsDiscovered() throws Exception {
        // the loader sees the JAR and a distribution's lib/ only: no connector, no Kafka client,
        // nothing of this module's classpath (which holds the unshaded flink-velo modules)
        List<URL> urls = new ArrayList<>();
        urls.add(jar.toUri().toURL());
        for (Path p : FlinkDistribution.libJars()) {
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
                    // resolves supertypes and member signatures against Flink's classes
                    c.getDeclaredMethods();
                    c.getDeclaredFields();
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

    private static boolean allowedEntry(String entry) {
        if (entry.endsWith("/")) {
            // a directory: on the way to, or inside, an allowed package or metadata entry
            return ALLOWED_PACKAGES.keySet().stream()
                            .anyMatch(p -> p.startsWith(entry) || entry.startsWith(p))
                    || ALLOWED_METADATA.stream()
                            .anyMatch(m -> m.startsWith(entry) || entry.startsWith(m));
        }
        if (entry.startsWith("META-INF/")) {
            return ALLOWED_METADATA.stream()
                    .anyMatch(m -> m.endsWith("/") ? entry.startsWith(m) : entry.equals(m));
        }
        return entry.endsWith(".class")
                && ALLOWED_PACKAGES.keySet().stream().anyMatch(entry::startsWith);
    }

    private static boolean allowedReference(String internalName) {
        if (entries.contains(internalName + ".class")) {
            return true;
        }
        return ALLOWED_REFERENCES.stream().anyMatch(internalName::startsWith)
                && FORBIDDEN_FLINK_REFERENCES.stream().noneMatch(internalName::startsWith);
    }

    /**
     * Every class a class file refers to — constant pool, member descriptors, generic signatures,
     * annotations, method bodies — as internal names, read by rewriting the class through ASM's
     * {@link ClassRemapper} with a remapper that records each name it is asked to map.
     */
    private static Set<String> referencedClasses(byte[] classFile) {
        Set<String> names = new TreeSet<>();
        Remapper recorder =
                new Remapper() {
                    @Override
                    public String map(String internalName) {
                        String element = elementClass(internalName);
                        if (element != null) {
                            names.add(element);
                        }
                        return internalName;
                    }
                };
        new ClassReader(classFile).accept(new ClassRemapper(new ClassWriter(0), recorder), 0);
        return names;
    }

    /** {@code [[Lfoo/Bar;} and {@code foo/Bar} to {@code foo/Bar}; primitive arrays to null. */
    private static String elementClass(String name) {
        String n = name;
        while (n.startsWith("[")) {
            n = n.substring(1);
        }
        if (n.startsWith("L") && n.endsWith(";")) {
            return n.substring(1, n.length() - 1);
        }
        return n.length() == 1 ? null : n;
    }
}
