package dev.velo.flink.sql.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The MiniCluster of the ITCases: one TaskManager, velo metrics retained by the reporter. */
public final class VeloTestClusters {

    private VeloTestClusters() {}

    /** Two slots. */
    public static MiniClusterExtension withReporter(InMemoryReporter reporter) {
        return withReporter(reporter, 2);
    }

    public static MiniClusterExtension withReporter(InMemoryReporter reporter, int slots) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(slots)
                        .setConfiguration(reporter.addToConfiguration(new Configuration()))
                        .build());
    }
}
