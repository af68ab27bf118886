package dev.velo.flink.e2e.suites;

import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestExternalSystem;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SinkTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Flink's sink test suite against the sink of a {@code 'connector' = 'velo', 'velo.connector' =
 * 'kafka'} table, built from table options by the table factories. Flink 2.3's test utilities have
 * a {@code TableSinkExternalContext} but no suite that drives one, so the table's Sink V2 is run
 * through the DataStream suite (strings become rows in front of its writer).
 *
 * <p>Two configurations: fixed_size with FailBatch (the table sink is a Sink V2 provider) and
 * mega_batch (parallel) with SendToDLQ to a Kafka topic (a DataStream provider with a rebalance in
 * front, whose sink is taken).
 */
// several minutes together: on in mvn verify (e2e-tests pom), -Dvelo.connector.suites=false skips
@EnabledIfSystemProperty(named = "velo.connector.suites", matches = "true")
// the suites wait for results without a bound of their own, some swallowing interrupts
@Timeout(
        value = 3,
        unit = java.util.concurrent.TimeUnit.MINUTES,
        threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VeloTableSinkSuiteITCase extends SinkTestSuiteBase<String> {

    @TestEnv MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

    @TestExternalSystem SuiteBroker broker = new SuiteBroker();

    @TestSemantics
    CheckpointingMode[] semantics =
            new CheckpointingMode[] {
                CheckpointingMode.EXACTLY_ONCE, CheckpointingMode.AT_LEAST_ONCE
            };

    @TestContext
    ExternalContextFactory<VeloKafkaTableSinkContext> fixedSizeFailBatch =
            VeloKafkaTableSinkContext.factory(broker, VeloVariant.FIXED_SIZE_FAIL_BATCH);

    @TestContext
    ExternalContextFactory<VeloKafkaTableSinkContext> megaBatchSendToDlq =
            VeloKafkaTableSinkContext.factory(broker, VeloVariant.MEGA_BATCH_SEND_TO_DLQ);
}
