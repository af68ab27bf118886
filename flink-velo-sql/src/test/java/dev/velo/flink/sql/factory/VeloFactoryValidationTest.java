package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.batching.config.BatchOptions;
import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.sql.dlq.DlqOptions;
import dev.velo.flink.sql.dlq.ReplayAttempts;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.utils.FactoryMocks;
import org.junit.jupiter.api.Test;

/**
 * The velo factory's validation without a planner: tables are made through Flink's {@link
 * FactoryMocks}, as the Kafka connector's factory tests make theirs. Velo validates its own keys in
 * the dialect's forms, Flink's table factory helper the rest of the velo keys, and the wrapped
 * connector its own keys.
 */
class VeloFactoryValidationTest {

    private static Map<String, String> blackhole(String... kv) {
        Map<String, String> options = new HashMap<>();
        options.put(FactoryUtil.CONNECTOR.key(), VeloConnectorOptions.IDENTIFIER);
        options.put(VeloConnectorOptions.VELO_CONNECTOR.key(), "blackhole");
        for (int i = 0; i < kv.length; i += 2) {
            options.put(kv[i], kv[i + 1]);
        }
        return options;
    }

    private static String sinkError(Map<String, String> options) {
        Throwable thrown =
                assertThatThrownBy(() -> FactoryMocks.createTableSink(FactoryMocks.SCHEMA, options))
                        .isInstanceOf(ValidationException.class)
                        .actual();
        StringBuilder chain = new StringBuilder();
        for (Throwable c = thrown; c != null; c = c.getCause()) {
            chain.append(c.getMessage()).append('\n');
        }
        return chain.toString();
    }

    @Test
    void aSinkAndASourceAreMadeAroundTheWrappedConnector() {
        DynamicTableSink sink = FactoryMocks.createTableSink(FactoryMocks.SCHEMA, blackhole());
        assertThat(sink.asSummaryString()).isEqualTo("velo(BlackHole)");

        Map<String, String> datagen = blackhole("number-of-rows", "5");
        datagen.put(VeloConnectorOptions.VELO_CONNECTOR.key(), "datagen");
        DynamicTableSource source = FactoryMocks.createTableSource(FactoryMocks.SCHEMA, datagen);
        assertThat(source.asSummaryString()).isEqualTo("velo(DataGenTableSource)");
    }

    @Test
    void theDialectsWiderFormsAreNotJudgedByFlinksParsers() {
        // Flink's boolean parser knows only true/false and its number parser no blanks
        Map<String, String> options =
                blackhole(
                        BatchOptions.ENABLE.key(),
                        "yes",
                        BatchOptions.STRATEGY.key(),
                        "MegaBatch",
                        BatchOptions.PARALLEL.key(),
                        "0",
                        BatchOptions.MEGA_BATCH_SIZE.key(),
                        " 20000 ",
                        BatchOptions.TIMEOUT.key(),
                        "2s",
                        FailureOptions.SINK_PREFIX + FailureOptions.MAX_RETRIES.key(),
                        " 4 ",
                        ReplayAttempts.REPLAY_ATTEMPTS.key(),
                        " 2 ");
        options.put(FailureOptions.FAILURE_STRATEGY.key(), "send_to_dlq");
        options.put(DlqOptions.DLQ_CONNECTOR.key(), "blackhole");
        assertThat(FactoryMocks.createTableSink(FactoryMocks.SCHEMA, options).asSummaryString())
                .isEqualTo("velo(BlackHole)");
    }

    @Test
    void anUndeclaredVeloKeyIsRejectedByFlinksHelperWithTheSupportedKeys() {
        String error = sinkError(blackhole("velo.replay.atempts", "1"));
        assertThat(error)
                .contains("Unsupported options found for '" + VeloConnectorOptions.IDENTIFIER + "'")
                .contains("velo.replay.atempts")
                .contains(ReplayAttempts.REPLAY_ATTEMPTS.key());
    }

    @Test
    void aMissingWrappedConnectorIsVelosOwnMessage() {
        Map<String, String> options = blackhole();
        options.remove(VeloConnectorOptions.VELO_CONNECTOR.key());
        assertThat(sinkError(options))
                .contains(
                        "Table '"
                                + FactoryMocks.IDENTIFIER.getObjectName()
                                + "': option '"
                                + VeloConnectorOptions.VELO_CONNECTOR.key()
                                + "' is required");
    }

    @Test
    void velosOwnChecksComeBeforeFlinksAndNameKeyValueAndWhatIsAccepted() {
        assertThat(sinkError(blackhole(BatchOptions.ENABLE.key(), "maybe", "velo.nope", "x")))
                .contains("invalid value 'maybe' for option '" + BatchOptions.ENABLE.key() + "'")
                .contains("expected true, false, yes, no, 1 or 0")
                .doesNotContain("Unsupported options");
    }

    @Test
    void theWrappedConnectorValidatesTheKeysHandedToIt() {
        assertThat(sinkError(blackhole("no-such-blackhole-option", "1")))
                .contains("the wrapped connector 'blackhole'")
                .contains("no-such-blackhole-option");
    }
}
