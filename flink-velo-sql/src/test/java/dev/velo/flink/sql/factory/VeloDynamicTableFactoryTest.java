package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ExplainDetail;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation of velo tables at planning time: every error names the key, value and remedy. */
class VeloDynamicTableFactoryTest {

    private static TableEnvironment env() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.executeSql(
                "CREATE TEMPORARY TABLE src (id BIGINT, name STRING) WITH ("
                        + "'connector'='datagen', 'number-of-rows'='10')");
        return env;
    }

    /** Plans an INSERT into a velo table with the given options; returns the error chain. */
    private static String sinkError(String options) {
        return planningError(options, "INSERT INTO t SELECT * FROM src");
    }

    /** Plans a SELECT from a velo table with the given options; returns the error chain. */
    private static String sourceError(String options) {
        return planningError(options, "SELECT * FROM t");
    }

    private static String planningError(String options, String statement) {
        TableEnvironment env = env();
        env.executeSql(
                "CREATE TEMPORARY TABLE t (id BIGINT, name STRING) WITH ('connector'='velo', "
                        + options
                        + ")");
        Throwable thrown = null;
        try {
            env.explainSql(statement);
        } catch (Throwable e) {
            thrown = e;
        }
        assertThat(thrown).as("planning must fail").isNotNull();
        assertThat(hasValidationException(thrown)).as(VeloSinkITCase.causeChain(thrown)).isTrue();
        return VeloSinkITCase.causeChain(thrown);
    }

    private static boolean hasValidationException(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ValidationException) {
                return true;
            }
            assertThat(c).isNotInstanceOf(NullPointerException.class);
        }
        return false;
    }

    @Test
    void validTableIsAccepted() {
        TableEnvironment env = env();
        env.executeSql(
                "CREATE TEMPORARY TABLE t (id BIGINT, name STRING) WITH ('connector'='velo',"
                        + " 'velo.connector'='blackhole', 'batch.strategy'='AdaptiveSize',"
                        + " 'batch.target_latency'='50 ms', 'failure_strategy'='log_and_continue')");
        assertThat(env.explainSql("INSERT INTO t SELECT * FROM src"))
                .contains("Sink(table=[default_catalog.default_database.t]");
    }

    @Test
    void parallelMegaBatchSinkIsNamedAfterItsTable() {
        // the rebalancing DataStream path builds the sink itself, so the planner cannot name it;
        // unnamed it shows as "Sink: Writer" in the web UI and metrics
        TableEnvironment env = env();
        env.executeSql(
                "CREATE TEMPORARY TABLE t (id BIGINT, name STRING) WITH ('connector'='velo',"
                        + " 'velo.connector'='blackhole', 'batch.strategy'='mega_batch',"
                        + " 'batch.parallel'='true')");
        assertThat(
                        env.explainSql(
                                "INSERT INTO t SELECT * FROM src",
                                ExplainDetail.JSON_EXECUTION_PLAN))
                .contains("velo-sink[t]");
    }

    @Test
    void missingWrappedConnector() {
        assertThat(sinkError("'batch.size'='10'")).contains("velo.connector");
    }

    @Test
    void unknownWrappedConnectorListsTheCandidates() {
        assertThat(sinkError("'velo.connector'='nope'"))
                .contains("'nope'")
                .contains("velo.connector")
                .contains("blackhole");
    }

    @Test
    void veloCannotWrapItself() {
        assertThat(sinkError("'velo.connector'='velo'")).contains("cannot wrap another velo");
    }

    @Test
    void badBatchValueNamesKeyAndValue() {
        assertThat(sinkError("'velo.connector'='blackhole', 'batch.size'='-5'"))
                .contains("batch.size")
                .contains("-5");
        assertThat(sinkError("'velo.connector'='blackhole', 'batch.timeout'='5 fortnights'"))
                .contains("batch.timeout")
                .contains("5 fortnights");
        assertThat(sinkError("'velo.connector'='blackhole', 'batch.strategy'='biggest'"))
                .contains("batch.strategy")
                .contains("biggest")
                .contains("fixed_size");
    }

    @Test
    void unknownBatchKeySuggestsTheNearest() {
        assertThat(sinkError("'velo.connector'='blackhole', 'batch.sise'='10'"))
                .contains("batch.sise")
                .contains("batch.size");
    }

    @Test
    void wrappedConnectorValidatesItsOwnOptions() {
        assertThat(sinkError("'velo.connector'='blackhole', 'no.such.option'='1'"))
                .contains("no.such.option")
                .contains("blackhole");
    }

    @Test
    void sendToDlqNeedsADlq() {
        assertThat(sinkError("'velo.connector'='blackhole', 'failure_strategy'='SendToDLQ'"))
                .contains("dlq.connector");
    }

    @Test
    void unsupportedDlqConnectorAndMissingDlqOptions() {
        assertThat(
                        sinkError(
                                "'velo.connector'='blackhole', 'failure_strategy'='SendToDLQ',"
                                        + " 'dlq.connector'='jdbc'"))
                .contains("dlq.connector")
                .contains("jdbc")
                .contains("kafka");
        assertThat(
                        sinkError(
                                "'velo.connector'='blackhole', 'failure_strategy'='SendToDLQ',"
                                        + " 'dlq.connector'='kafka'"))
                .contains("dlq.topic");
        assertThat(
                        sinkError(
                                "'velo.connector'='blackhole', 'failure_strategy'='SendToDLQ',"
                                        + " 'dlq.connector'='filesystem', 'dlq.path'='/tmp/x',"
                                        + " 'dlq.colour'='red'"))
                .contains("dlq.colour");
    }

    @Test
    void failureStrategyANonWrappableWriterCannotHonourIsRejected(@TempDir Path dir) {
        assertThat(
                        sinkError(
                                "'velo.connector'='filesystem', 'path'='"
                                        + dir.toUri()
                                        + "', 'format'='csv', 'failure_strategy'='LogAndContinue'"))
                .contains("cannot be honoured")
                .contains("filesystem");
        // print's legacy sink function is wrapped record by record, so it takes every strategy
        TableEnvironment env = env();
        env.executeSql(
                "CREATE TEMPORARY TABLE p (id BIGINT, name STRING) WITH ('connector'='velo',"
                        + " 'velo.connector'='print', 'failure_strategy'='SendToDLQ',"
                        + " 'dlq.connector'='blackhole')");
        assertThat(env.explainSql("INSERT INTO p SELECT * FROM src")).contains("p]");
    }

    @Test
    void sourceFailureStrategyNeedsAFormat() {
        assertThat(
                        sourceError(
                                "'velo.connector'='datagen', 'source.failure_strategy'='SendToDLQ',"
                                        + " 'dlq.connector'='print'"))
                .contains("source.failure_strategy")
                .contains("datagen");
    }

    @Test
    void secretsNeverAppearInErrors() {
        String error =
                sinkError(
                        "'velo.connector'='kafka', 'topic'='t', 'format'='json',"
                                + " 'properties.bootstrap.servers'='localhost:1',"
                                + " 'properties.sasl.jaas.config'='hunter2-secret',"
                                + " 'batch.size'='zero'");
        assertThat(error).contains("batch.size").doesNotContain("hunter2-secret");
        String delegateError =
                sinkError(
                        "'velo.connector'='kafka', 'topic'='t', 'format'='json',"
                                + " 'sink.delivery-guarantee'='bogus',"
                                + " 'properties.bootstrap.servers'='localhost:1',"
                                + " 'properties.sasl.jaas.config'='hunter2-secret',"
                                + " 'properties.ssl.key.password'='pw-hunter3'");
        assertThat(delegateError)
                .contains("bogus")
                .doesNotContain("hunter2-secret")
                .doesNotContain("pw-hunter3");
    }
}
