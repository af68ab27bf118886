package dev.velo.flink.sql.dlq;

import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_CONNECTOR;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_INHERIT_PROPERTIES;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_PATH;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_PROPERTIES_PREFIX;
import static dev.velo.flink.sql.dlq.DlqOptions.DLQ_TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.utils.FactoryMocks;
import org.junit.jupiter.api.Test;

/**
 * The option handling of {@link DlqOptionsUtil} and its two parts, {@link DlqKafkaProperties} and
 * {@link DlqRejection}, with contexts from Flink's {@link FactoryMocks} as the Kafka connector's
 * factory tests make them. Building and writing through real DLQ connectors is {@link
 * DlqConnectorTest}'s.
 */
class DlqOptionsUtilTest {

    private static final String TABLE = FactoryMocks.IDENTIFIER.getObjectName();

    private static Optional<DlqWriterFactory> create(
            Map<String, String> options, boolean required) {
        DynamicTableFactory.Context context =
                FactoryMocks.createTableContext(FactoryMocks.SCHEMA, options);
        return DlqOptionsUtil.create(context, TABLE, "datagen", options, required);
    }

    @Test
    void aTableWithoutDlqOptionsHasNoDlqWhenNoneIsNeeded() {
        assertThat(create(Map.of("topic", "in"), false)).isEmpty();
    }

    @Test
    void aStrategyThatDeadLettersWithoutADlqSaysWhatToDeclare() {
        assertThatThrownBy(() -> create(Map.of(), true))
                .isInstanceOf(ValidationException.class)
                .hasMessage(
                        "Table '%s': a failure strategy is SendToDLQ but no dead letter queue is"
                                + " declared. Set '%s' to a Flink table connector (e.g. kafka,"
                                + " filesystem, print, blackhole) and its options as"
                                + " 'dlq.<option>' (e.g. '%s' and '%sbootstrap.servers' for"
                                + " kafka, '%s' for filesystem).",
                        TABLE,
                        DLQ_CONNECTOR.key(),
                        DLQ_TOPIC.key(),
                        DLQ_PROPERTIES_PREFIX,
                        DLQ_PATH.key());
    }

    @Test
    void dlqOptionsWithoutAConnectorAreListedInKeyOrder() {
        Map<String, String> options = new HashMap<>();
        options.put(DLQ_TOPIC.key(), "dead");
        options.put(DLQ_PATH.key(), "/tmp/dead");
        options.put("topic", "in");
        assertThatThrownBy(() -> create(options, false))
                .isInstanceOf(ValidationException.class)
                .hasMessage(
                        "Table '%s': options [%s, %s] need '%s' (the Flink table connector dead"
                                + " letters are written with).",
                        TABLE, DLQ_PATH.key(), DLQ_TOPIC.key(), DLQ_CONNECTOR.key());
    }

    @Test
    void valuesAreConvertedByFlinksConfigurationAfterTrimming() {
        assertThat(DlqOptionsUtil.typed("t", DLQ_INHERIT_PROPERTIES, " FALSE ", ".")).isFalse();
        assertThat(DlqOptionsUtil.typed("t", DLQ_INHERIT_PROPERTIES, "True", ".")).isTrue();
        assertThat(DlqOptionsUtil.typed("t", ReplayAttempts.REPLAY_ATTEMPTS, " 12 ", "."))
                .isEqualTo(12);
    }

    @Test
    void aValueFlinkCannotConvertNamesTableKeyValueAndWhatIsAccepted() {
        assertThatThrownBy(
                        () ->
                                DlqOptionsUtil.typed(
                                        "orders",
                                        DLQ_INHERIT_PROPERTIES,
                                        "yes please",
                                        " (accepted: true, false)."))
                .isInstanceOf(ValidationException.class)
                .hasMessage(
                        "Table 'orders': invalid value 'yes please' for option '%s' (accepted:"
                                + " true, false).",
                        DLQ_INHERIT_PROPERTIES.key());
        assertThatThrownBy(
                        () ->
                                ReplayAttempts.previousAttempts(
                                        "orders",
                                        Map.of(ReplayAttempts.REPLAY_ATTEMPTS.key(), "1.5")))
                .isInstanceOf(ValidationException.class)
                .hasMessage(
                        "Table 'orders': invalid value '1.5' for option '%s': expected a whole"
                                + " number >= 0 (the attempts the replayed records already had).",
                        ReplayAttempts.REPLAY_ATTEMPTS.key());
        assertThat(
                        ReplayAttempts.previousAttempts(
                                "orders", Map.of(ReplayAttempts.REPLAY_ATTEMPTS.key(), " 2 ")))
                .isEqualTo(2);
    }

    @Test
    void aKafkaDlqGetsVelosProducerDefaultsAndKeyUnlessItSetsThem() {
        Map<String, String> plain = new HashMap<>();
        DlqKafkaProperties.putDefaults(plain);
        assertThat(plain)
                .containsAllEntriesOf(DlqKafkaProperties.KAFKA_DEFAULTS)
                .containsAllEntriesOf(DlqKafkaProperties.KAFKA_KEY_DEFAULTS);

        Map<String, String> own = new HashMap<>();
        own.put("properties.compression.type", "zstd");
        own.put("key.format", "json");
        DlqKafkaProperties.putDefaults(own);
        assertThat(own)
                .containsEntry("properties.compression.type", "zstd")
                .containsEntry("properties.batch.size", String.valueOf(512 * 1024))
                .containsEntry("key.format", "json")
                .doesNotContainKey("key.fields");
    }

    @Test
    void aRejectionNamesTheKeysAsTheUserWroteThemAndHidesSecrets() {
        Map<String, String> dlqOptions = new HashMap<>();
        dlqOptions.put("connector", "kafka");
        dlqOptions.put("topic", "dead");
        dlqOptions.put("properties.sasl.jaas.config", "password=hunter2");
        ValidationException factoryError =
                new ValidationException(
                        "Unable to create a sink",
                        new ValidationException(
                                "Option 'topic' is wrong, see\n  properties.sasl.jaas.config\n"
                                        + "(it was password=hunter2)"));
        ValidationException e =
                DlqRejection.of(
                        "orders", "kafka", Set.of("topic", "format"), dlqOptions, factoryError);
        assertThat(e.getMessage())
                .startsWith(
                        "Table 'orders': the DLQ connector 'kafka' (from '"
                                + DLQ_CONNECTOR.key()
                                + "') rejected the dead-letter table: ")
                .contains("Option '" + DLQ_TOPIC.key() + "' is wrong")
                .contains("\n  " + DLQ_PROPERTIES_PREFIX + "sasl.jaas.config\n")
                .doesNotContain("hunter2")
                .doesNotContain("Unable to create a sink");
    }

    @Test
    void withDlqKeysLeavesWordsThatAreNotQuotedKeysAlone() {
        assertThat(DlqRejection.withDlqKeys("the topic 'topic' of topics", Set.of("topic")))
                .isEqualTo("the topic 'dlq.topic' of topics");
    }
}
