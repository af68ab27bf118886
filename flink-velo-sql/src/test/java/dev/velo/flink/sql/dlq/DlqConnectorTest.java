package dev.velo.flink.sql.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import dev.velo.flink.batching.internal.metrics.VeloMetrics;
import dev.velo.flink.sql.testing.CollectingDlqSinkFactory;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.OperatorIOMetricGroup;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/** The DLQ built through the {@code dlq.connector}'s own factory, without a cluster. */
class DlqConnectorTest {

    private static final DataType ROW =
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.STRING()),
                    DataTypes.FIELD("amount", DataTypes.DECIMAL(10, 2)),
                    DataTypes.FIELD("ts", DataTypes.TIMESTAMP(3)));

    @Test
    void aConnectorVeloNeverHeardOfGetsItsOwnOptionsAndTheDeadLetters() throws Exception {
        String mine = UUID.randomUUID().toString();
        DlqWriterFactory factory =
                dlq(Map.of("dlq.connector", "collecting", "dlq.my-option", mine));
        DlqWriterFactory copy = org.apache.flink.util.InstantiationUtil.clone(factory);
        try (DeadLetterWriter writer = copy.open(2, 1)) {
            writer.write(letter("p1"));
            writer.write(letter("p2"));
            assertThat(CollectingDlqSinkFactory.flushed(mine)).isEmpty();
            writer.flush();
        }
        List<Row> rows = CollectingDlqSinkFactory.flushed(mine);
        assertThat(rows).hasSize(2);
        Row first = rows.get(0);
        assertThat(new String((byte[]) first.getField("payload"), StandardCharsets.UTF_8))
                .isEqualTo("p1");
        assertThat(first.getField("error_class")).isEqualTo(IOException.class.getName());
        assertThat(first.getField("table_name")).isEqualTo("orders");
        assertThat(first.getField("side")).isEqualTo(DeadLetter.SIDE_SINK);
        assertThat(first.getField("attempts")).isEqualTo(3);
        assertThat(first.getField("kafka_topic")).isEqualTo("in");
        assertThat(first.getField("kafka_partition")).isEqualTo(4);
        assertThat(first.getField("kafka_offset")).isEqualTo(42L);
    }

    @Test
    void theConnectorValidatesItsOwnOptionsUnderTheirDlqKeys() {
        assertThat(error(Map.of("dlq.connector", "collecting")))
                .contains("orders")
                .contains("dlq.my-option");
        assertThat(error(Map.of("dlq.connector", "collecting", "dlq.my-option", " ")))
                .contains("'dlq.my-option' must not be blank");
        assertThat(
                        error(
                                Map.of(
                                        "dlq.connector", "collecting",
                                        "dlq.my-option", "x",
                                        "dlq.colour", "red")))
                .contains("dlq.colour");
        assertThat(error(Map.of("dlq.connector", "kafka"))).contains("dlq.topic");
    }

    @Test
    void anUnknownConnectorNamesTheKeyTheValueAndWhatIsOnTheClasspath() {
        assertThat(error(Map.of("dlq.connector", "jdbc")))
                .contains("orders")
                .contains("'dlq.connector'")
                .contains("'jdbc'")
                .contains("kafka")
                .contains("collecting")
                .contains("blackhole");
    }

    @Test
    void upsertKafkaCannotBeADlqAndSaysItNeedsAPrimaryKey() {
        assertThat(
                        error(
                                Map.of(
                                        "dlq.connector", "upsert-kafka",
                                        "dlq.topic", "t",
                                        "dlq.properties.bootstrap.servers", "localhost:1",
                                        "dlq.key.format", "json",
                                        "dlq.value.format", "json")))
                .contains("orders")
                .contains("upsert-kafka")
                .contains("PRIMARY KEY");
    }

    private static Map<String, String> exactlyOnceKafka(String... more) {
        Map<String, String> options = new HashMap<>();
        options.put("dlq.connector", "kafka");
        options.put("dlq.topic", "t");
        options.put("dlq.properties.bootstrap.servers", "localhost:1");
        options.put("dlq.sink.delivery-guarantee", "exactly-once");
        for (int i = 0; i < more.length; i += 2) {
            options.put(more[i], more[i + 1]);
        }
        return options;
    }

    @Test
    void anExactlyOnceKafkaDlqCommitsWithTheSinkUnderAPrefixOfItsOwn() {
        DlqWriterFactory factory = dlq(exactlyOnceKafka());
        assertThat(factory).isInstanceOf(DeadLetterWriterFactory.Committing.class);
        assertThat(((DeadLetterWriterFactory.Committing<?, ?>) factory).colocationKey())
                .isEqualTo("velo-dlq-cat.db.orders");

        DlqWriterFactory mine =
                dlq(exactlyOnceKafka("dlq.sink.transactional-id-prefix", "orders-dead"));
        assertThat(((DeadLetterWriterFactory.Committing<?, ?>) mine).colocationKey())
                .isEqualTo("orders-dead");

        // at-least-once stays a plain DLQ flushed before the barrier
        assertThat(dlq(exactlyOnceKafka("dlq.sink.delivery-guarantee", "at-least-once")))
                .isNotInstanceOf(DeadLetterWriterFactory.Committing.class);
    }

    @Test
    void anExactlyOnceDlqOutsideAVeloSinkWriterFailsSayingWhatToUse() {
        // a source's decoder and a legacy sink function open the DLQ without a sink subtask
        DlqWriterFactory factory = dlq(exactlyOnceKafka());
        assertThatThrownBy(() -> factory.open(0, 0))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Table 'orders'")
                .hasMessageContaining("'dlq.sink.delivery-guarantee' = 'exactly-once'")
                .hasMessageContaining("velo source")
                .hasMessageContaining("'at-least-once'");
    }

    @Test
    void theDlqPrefixMustDifferFromTheTablesOwn() {
        assertThat(
                        error(
                                exactlyOnceKafka(
                                        "dlq.sink.transactional-id-prefix", "p1",
                                        "sink.transactional-id-prefix", "p1")))
                .contains("'p1'")
                .contains("'dlq.sink.transactional-id-prefix'")
                .contains("own 'sink.transactional-id-prefix'");
    }

    @Test
    void exactlyOnceOnAFilesystemOrPrintDlqIsRejectedSayingWhatIsSupported() {
        assertThat(
                        error(
                                Map.of(
                                        "dlq.connector", "filesystem",
                                        "dlq.path", "/tmp/x",
                                        "dlq.sink.delivery-guarantee", "exactly-once")))
                .contains("'exactly-once'")
                .contains("'dlq.sink.delivery-guarantee'")
                .contains("at-least-once, none")
                .contains("kafka");
        assertThat(
                        error(
                                Map.of(
                                        "dlq.connector", "print",
                                        "dlq.sink.delivery-guarantee", "EXACTLY_ONCE")))
                .contains("'EXACTLY_ONCE'")
                .contains("print DLQ");
    }

    @Test
    void secretsNeverAppearInErrorsOrDescriptions() {
        Map<String, String> options = new HashMap<>();
        options.put("dlq.connector", "kafka");
        options.put("dlq.topic", "t");
        options.put("dlq.properties.bootstrap.servers", "localhost:1");
        options.put("dlq.properties.sasl.jaas.config", "hunter2-secret");
        options.put("dlq.properties.ssl.key.password", "pw-hunter3");
        assertThat(dlq(options).describe()).doesNotContain("hunter");
        options.put("dlq.sink.delivery-guarantee", "bogus");
        assertThat(error(options))
                .contains("bogus")
                .doesNotContain("hunter2-secret")
                .doesNotContain("pw-hunter3");
    }

    @Test
    void blackholeIsAnyOtherSinkV2Connector() throws Exception {
        // the default format is accepted for connectors that take none, as it always was
        DlqWriterFactory factory = dlq(Map.of("dlq.connector", "blackhole", "dlq.format", "json"));
        assertThat(factory).isInstanceOf(SinkDlqWriterFactory.class);
        try (DeadLetterWriter writer = factory.open(0, 0)) {
            writer.write(letter("x"));
            writer.flush();
        }
    }

    @Test
    void printWritesEachDeadLetterAsJsonUnderItsIdentifier() throws Exception {
        DlqWriterFactory factory =
                dlq(Map.of("dlq.connector", "print", "dlq.print-identifier", "MYDLQ"));
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream previous = System.out;
        System.setOut(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try (DeadLetterWriter writer = factory.open(1, 0)) {
            writer.write(letter("p"));
            writer.flush();
        } finally {
            System.setOut(previous);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .startsWith(
                        "MYDLQ:1> {\"payload\":\"cA==\",\"error_class\":\"java.io.IOException\"")
                .contains("\"failed_at\":\"2023-11-14 22:13:20Z\"")
                .endsWith("}\n");
    }

    @Test
    void aFilesystemDlqNeedsARowFormat() {
        assertThat(
                        error(
                                Map.of(
                                        "dlq.connector", "filesystem",
                                        "dlq.path", "/tmp/x",
                                        "dlq.format", "raw")))
                .contains("filesystem")
                .contains("raw");
        assertThat(error(Map.of("dlq.connector", "filesystem"))).contains("dlq.path");
    }

    @Test
    void anErrorTheWriterReportsThroughItsMailboxFailsTheNextFlush() throws Exception {
        AtomicBoolean fail = new AtomicBoolean();
        SinkDlqWriterFactory factory =
                new SinkDlqWriterFactory(new MailingSink(fail), "mailing sink");
        try (DeadLetterWriter writer = factory.open(0, 0)) {
            writer.write(letter("ok"));
            writer.flush();
            fail.set(true);
            writer.write(letter("bad"));
            assertThatThrownBy(writer::flush)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("mailing sink")
                    .hasRootCauseMessage("send failed");
        }
    }

    @Test
    void aWriterOpenedOnOneThreadWritesAndFlushesOnAnother() throws Exception {
        String mine = UUID.randomUUID().toString();
        DeadLetterWriter writer =
                dlq(Map.of("dlq.connector", "collecting", "dlq.my-option", mine)).open(0, 0);
        CompletableFuture.runAsync(
                        () -> {
                            try {
                                writer.write(letter("from a fetcher thread"));
                                writer.flush();
                            } catch (IOException e) {
                                throw new RuntimeException(e);
                            }
                        })
                .get();
        writer.close();
        assertThat(CollectingDlqSinkFactory.flushed(mine)).hasSize(1);
    }

    @Test
    void failedRecordsAlsoCountInFlinksStandardErrorCounters() {
        DlqWriterMetricGroup sinkGroup = new DlqWriterMetricGroup(new UnregisteredMetricsGroup());
        VeloMetrics sink = VeloMetrics.register(sinkGroup);
        sink.numRecordsDeadLettered().inc();
        sink.numRecordsDropped().inc(2);
        assertThat(sinkGroup.getNumRecordsOutErrorsCounter().getCount()).isEqualTo(3);
        assertThat(sink.numRecordsDeadLettered().getCount()).isEqualTo(1);
        assertThat(sink.numRecordsDropped().getCount()).isEqualTo(2);

        FakeSourceReaderGroup sourceGroup = new FakeSourceReaderGroup();
        VeloMetrics source = VeloMetrics.register(sourceGroup);
        source.numRecordsDropped().inc();
        assertThat(sourceGroup.numRecordsInErrors.getCount()).isEqualTo(1);

        // any other group: velo's own counters only
        VeloMetrics plain = VeloMetrics.register(new UnregisteredMetricsGroup());
        plain.numRecordsDeadLettered().inc();
        assertThat(plain.numRecordsDeadLettered().getCount()).isEqualTo(1);
    }

    @Test
    void sinkPayloadsAreEncodedWithTheSinkTablesFormat() {
        RowData row =
                GenericRowData.of(
                        StringData.fromString("a,b"),
                        DecimalData.fromBigDecimal(new BigDecimal("12.30"), 10, 2),
                        TimestampData.fromLocalDateTime(LocalDateTime.of(2024, 2, 29, 12, 1, 2)));
        assertThat(payload(Map.of("format", "csv"), row))
                .isEqualTo("\"a,b\",12.30,\"2024-02-29 12:01:02\"");
        assertThat(
                        payload(
                                Map.of(
                                        "value.format", "json",
                                        "value.json.timestamp-format.standard", "ISO-8601"),
                                row))
                .isEqualTo("{\"id\":\"a,b\",\"amount\":12.3,\"ts\":\"2024-02-29T12:01:02\"}");
        String json = "{\"id\":\"a,b\",\"amount\":12.3,\"ts\":\"2024-02-29 12:01:02\"}";
        // no format, or a format without a row encoder: flink-json
        assertThat(payload(Map.of(), row)).isEqualTo(json);
        assertThat(payload(Map.of("format", "no-such-format"), row)).isEqualTo(json);
    }

    private static String payload(Map<String, String> options, RowData row) {
        DeadLetterEncoder<RowData> encoder =
                SinkPayloadEncoders.forTable(context(ROW, options), ROW);
        return new String(encoder.payload(row), StandardCharsets.UTF_8).trim();
    }

    private static DeadLetter letter(String payload) {
        DeadLetter dl =
                DeadLetter.of(
                        payload.getBytes(StandardCharsets.UTF_8),
                        new IOException("boom"),
                        3,
                        1_700_000_000_000L,
                        "orders",
                        DeadLetter.SIDE_SINK,
                        "SendToDLQ",
                        7);
        dl.setKafkaTopic("in");
        dl.setKafkaPartition(4);
        dl.setKafkaOffset(42L);
        return dl;
    }

    private static DlqWriterFactory dlq(Map<String, String> options) {
        return DlqOptionsUtil.create(context(ROW, options), "orders", "datagen", options, true)
                .orElseThrow();
    }

    private static String error(Map<String, String> options) {
        return assertThatThrownBy(() -> dlq(options))
                .isInstanceOf(ValidationException.class)
                .actual()
                .getMessage();
    }

    private static DynamicTableFactory.Context context(DataType row, Map<String, String> options) {
        ResolvedSchema schema =
                ResolvedSchema.physical(
                        DataType.getFieldNames(row), DataType.getFieldDataTypes(row));
        ResolvedCatalogTable table =
                new ResolvedCatalogTable(
                        CatalogTable.newBuilder()
                                .schema(Schema.newBuilder().fromResolvedSchema(schema).build())
                                .options(options)
                                .build(),
                        schema);
        return new FactoryUtil.DefaultDynamicTableContext(
                ObjectIdentifier.of("cat", "db", "orders"),
                table,
                Map.of(),
                new Configuration(),
                DlqConnectorTest.class.getClassLoader(),
                true);
    }

    /** A sink whose writer reports a failed send from another thread through its mailbox. */
    private static final class MailingSink implements Sink<RowData> {
        private final AtomicBoolean fail;

        MailingSink(AtomicBoolean fail) {
            this.fail = fail;
        }

        @Override
        public SinkWriter<RowData> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(RowData element, Context ctx) throws InterruptedException {
                    if (fail.get()) {
                        Thread sender =
                                new Thread(
                                        () ->
                                                context.getMailboxExecutor()
                                                        .execute(
                                                                () -> {
                                                                    throw new IOException(
                                                                            "send failed");
                                                                },
                                                                "report"));
                        sender.start();
                        sender.join();
                    }
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /** A source reader group with a readable numRecordsInErrors. */
    private static final class FakeSourceReaderGroup extends ForwardingMetricGroup
            implements SourceReaderMetricGroup {
        final Counter numRecordsInErrors = new SimpleCounter();

        FakeSourceReaderGroup() {
            super(new UnregisteredMetricsGroup());
        }

        @Override
        public Counter getNumRecordsInErrorsCounter() {
            return numRecordsInErrors;
        }

        @Override
        public void setPendingBytesGauge(Gauge<Long> pendingBytesGauge) {}

        @Override
        public void setPendingRecordsGauge(Gauge<Long> pendingRecordsGauge) {}

        @Override
        public OperatorIOMetricGroup getIOMetricGroup() {
            return UnregisteredMetricsGroup.createOperatorIOMetricGroup();
        }
    }
}
