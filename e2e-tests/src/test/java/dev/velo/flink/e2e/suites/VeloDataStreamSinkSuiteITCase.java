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
 * Flink's sink test suite (basic write, restart from a savepoint at the same, a higher and a lower
 * parallelism, numRecordsSend) against {@code VeloSink.wrap(KafkaSink)} on the embedded broker, for
 * fixed_size and mega_batch with FailBatch and SendToDLQ, exactly-once and at-least-once.
 *
 * <p>{@code VeloBatching.of(…).sinkTo(sink, dlq)} is this wrapper plus naming and, for mega_batch
 * with {@code parallel}, a rebalance in front; the suite builds the topology itself from the {@link
 * org.apache.flink.api.connector.sink2.Sink} a context returns, so the wrapper is what it can test.
 */
// several minutes together: on in mvn verify (e2e-tests pom), -Dvelo.connector.suites=false skips
@EnabledIfSystemProperty(named = "velo.connector.suites", matches = "true")
// the suites wait for results without a bound of their own, some swallowing interrupts
@Timeout(
        value = 3,
        unit = java.util.concurrent.TimeUnit.MINUTES,
        threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VeloDataStreamSinkSuiteITCase extends SinkTestSuiteBase<String> {

    @TestEnv MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

    @TestExternalSystem SuiteBroker broker = new SuiteBroker();

    @TestSemantics
    CheckpointingMode[] semantics =
            new CheckpointingMode[] {
                CheckpointingMode.EXACTLY_ONCE, CheckpointingMode.AT_LEAST_ONCE
            };

    @TestContext
    ExternalContextFactory<VeloKafkaSinkContext> fixedSizeFailBatch =
            VeloKafkaSinkContext.factory(broker, VeloVariant.FIXED_SIZE_FAIL_BATCH);

    @TestContext
    ExternalContextFactory<VeloKafkaSinkContext> fixedSizeSendToDlq =
            VeloKafkaSinkContext.factory(broker, VeloVariant.FIXED_SIZE_SEND_TO_DLQ);

    @TestContext
    ExternalContextFactory<VeloKafkaSinkContext> megaBatchFailBatch =
            VeloKafkaSinkContext.factory(broker, VeloVariant.MEGA_BATCH_FAIL_BATCH);

    @TestContext
    ExternalContextFactory<VeloKafkaSinkContext> megaBatchSendToDlq =
            VeloKafkaSinkContext.factory(broker, VeloVariant.MEGA_BATCH_SEND_TO_DLQ);
}
