package dev.velo.flink.e2e.suites;

import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestExternalSystem;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SourceTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Flink's source test suite (single split, multiple splits, idle reader, restart from a savepoint
 * at the same, a higher and a lower parallelism, numRecordsIn, TaskManager failover) against the
 * source of a velo table over Kafka, decoding through the velo-guarded format, exactly-once and
 * at-least-once.
 *
 * <p>There is no DataStream variant: flink-velo has no DataStream source wrapper (its source side
 * is the guarded format of SQL tables).
 */
// several minutes together: on in mvn verify (e2e-tests pom), -Dvelo.connector.suites=false skips
@EnabledIfSystemProperty(named = "velo.connector.suites", matches = "true")
// the suites wait for results without a bound of their own, some swallowing interrupts
@Timeout(
        value = 3,
        unit = java.util.concurrent.TimeUnit.MINUTES,
        threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VeloTableSourceSuiteITCase extends SourceTestSuiteBase<RowData> {

    @TestEnv MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

    @TestExternalSystem SuiteBroker broker = new SuiteBroker();

    @TestSemantics
    CheckpointingMode[] semantics =
            new CheckpointingMode[] {
                CheckpointingMode.EXACTLY_ONCE, CheckpointingMode.AT_LEAST_ONCE
            };

    @TestContext
    ExternalContextFactory<VeloKafkaTableSourceContext> sendToDlq =
            VeloKafkaTableSourceContext.factory(broker);
}
