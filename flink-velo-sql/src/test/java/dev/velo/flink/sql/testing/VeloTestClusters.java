package dev.velo.flink.sql.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The MiniCluster the SQL ITCases share: one TaskManager, two slots, velo metrics retained. */
public final class VeloTestClusters {

    private VeloTestClusters() {}

    public static MiniClusterExtension withReporter(InMemoryReporter reporter) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(2)
                        .setConfiguration(reporter.addToConfiguration(new Configuration()))
                        .build());
    }
}
