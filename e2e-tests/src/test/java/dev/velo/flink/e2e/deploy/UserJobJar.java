package dev.velo.flink.e2e.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Builds a job JAR the way users build theirs with the shade plugin: the job's main class with its
 * nested classes, plus every class of the libraries it bundles (here flink-velo-batching), taken
 * from wherever the test JVM loaded them (a jar in the local repository or a classes directory).
 */
final class UserJobJar {

    private UserJobJar() {}

    /**
     * Writes {@code jar} with {@code Main-Class: mainClass}, the classes of {@code mainClass} and
     * the classes of the artifacts that hold each of {@code bundled}.
     */
    static Path build(Path jar, Class<?> mainClass, Class<?>... bundled) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass.getName());
        Set<String> written = new HashSet<>();
        try {
            Files.createDirectories(jar.toAbsolutePath().getParent());
            try (OutputStream os = Files.newOutputStream(jar);
                    JarOutputStream out = new JarOutputStream(os, manifest)) {
                Path mainRoot = location(mainClass);
                String pkg = mainClass.getPackageName().replace('.', '/');
                String simple = mainClass.getSimpleName();
                try (Stream<Path> files = Files.list(mainRoot.resolve(pkg))) {
                    for (Path f :
                            files.filter(
                                            p -> {
                                                String n = p.getFileName().toString();
                                                return n.equals(simple + ".class")
                                                        || n.startsWith(simple + "$");
                                            })
                                    .sorted()
                                    .collect(Collectors.toList())) {
                        put(out, written, pkg + "/" + f.getFileName(), f);
                    }
                }
                for (Class<?> library : bundled) {
                    Path root = location(library);
                    if (Files.isDirectory(root)) {
                        addDirectory(out, written, root);
                    } else {
                        addJar(out, written, root);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + jar, e);
        }
        return jar;
    }

    /** The names of the entries of {@code jar}. */
    static List<String> entries(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            List<String> names = new ArrayList<>();
            Enumeration<JarEntry> e = file.entries();
            while (e.hasMoreElements()) {
                names.add(e.nextElement().getName());
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + jar, e);
        }
    }

    private static Path location(Class<?> c) {
        try {
            return Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("Cannot locate the classes of " + c, e);
        }
    }

    private static void addDirectory(JarOutputStream out, Set<String> written, Path root)
            throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f :
                    files.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
                String name = root.relativize(f).toString().replace('\\', '/');
                if (!name.startsWith("META-INF/")) {
                    put(out, written, name, f);
                }
            }
        }
    }

    private static void addJar(JarOutputStream out, Set<String> written, Path jar)
            throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> e = file.entries();
            while (e.hasMoreElements()) {
                JarEntry entry = e.nextElement();
                // the job's manifest wins; library services and classes are kept
                if (entry.isDirectory()
                        || entry.getName().equals(JarFile.MANIFEST_NAME)
                        || !written.add(entry.getName())) {
                    continue;
                }
                out.putNextEntry(new JarEntry(entry.getName()));
                try (InputStream in = file.getInputStream(entry)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }

    private static void put(JarOutputStream out, Set<String> written, String name, Path file)
            throws IOException {
        if (!written.add(name)) {
            return;
        }
        out.putNextEntry(new JarEntry(name));
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(out);
        }
        out.closeEntry();
    }
}
