package dev.velo.flink.e2e.deploy;

import dev.velo.flink.e2e.infra.StandaloneFlinkCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One standalone Flink cluster shared by the test classes of this package that register this
 * extension: started by the first of them, stopped when the whole test run ends. Start-up (two
 * JVMs, 10-40 s on two busy cores) dominates these tests, and none of them changes the cluster.
 *
 * <p>Its work directory, with the JobManager and TaskManager logs, stays under {@code target/}.
 */
final class SharedCluster implements BeforeAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SharedCluster.class);

    private StandaloneFlinkCluster cluster;

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster =
                context.getRoot()
                        .getStore(NAMESPACE)
                        .getOrComputeIfAbsent(
                                StandaloneFlinkCluster.class,
                                k -> StandaloneFlinkCluster.start(workDir()),
                                StandaloneFlinkCluster.class);
    }

    /** The running cluster (after the extension's {@code beforeAll}). */
    StandaloneFlinkCluster get() {
        if (cluster == null) {
            throw new IllegalStateException("The shared cluster is not started yet");
        }
        return cluster;
    }

    private static Path workDir() {
        try {
            Path target = Paths.get("target");
            Path parent =
                    Files.isDirectory(target)
                            ? target
                            : Paths.get(System.getProperty("java.io.tmpdir"));
            return Files.createTempDirectory(parent.toAbsolutePath(), "deploy-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the shared cluster's work directory", e);
        }
    }
}
