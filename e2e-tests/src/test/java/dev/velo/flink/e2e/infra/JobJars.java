package dev.velo.flink.e2e.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Packs compiled test classes into a job JAR, so a test can submit a job the way users do. */
public final class JobJars {

    private JobJars() {}

    /**
     * Writes a JAR holding {@code mainClass} and its nested classes, with {@code Main-Class} set.
     * The classes must not depend on other test classes: the cluster only sees this JAR.
     */
    public static Path jarOf(Path jar, Class<?> mainClass) {
        String pkgPath = mainClass.getPackageName().replace('.', '/');
        Path classDir;
        try {
            classDir =
                    Paths.get(mainClass.getProtectionDomain().getCodeSource().getLocation().toURI())
                            .resolve(pkgPath);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("Cannot locate the classes of " + mainClass, e);
        }
        String simple = mainClass.getSimpleName();
        List<Path> classFiles;
        try (Stream<Path> files = Files.list(classDir)) {
            classFiles =
                    files.filter(
                                    p -> {
                                        String n = p.getFileName().toString();
                                        return n.equals(simple + ".class")
                                                || n.startsWith(simple + "$");
                                    })
                            .sorted()
                            .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + classDir, e);
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass.getName());
        try {
            Files.createDirectories(jar.toAbsolutePath().getParent());
            try (OutputStream os = Files.newOutputStream(jar);
                    JarOutputStream out = new JarOutputStream(os, manifest)) {
                for (Path f : classFiles) {
                    out.putNextEntry(new JarEntry(pkgPath + "/" + f.getFileName()));
                    try (InputStream in = Files.newInputStream(f)) {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + jar, e);
        }
        return jar;
    }
}
