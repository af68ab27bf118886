package dev.velo.flink.e2e.suites;

import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.external.ExternalSystemSplitDataWriter;
import org.apache.flink.connector.testframe.external.source.DataStreamSourceExternalContext;
import org.apache.flink.connector.testframe.external.source.TestingSourceSettings;
import org.apache.flink.table.data.RowData;

/**
 * The source of a {@code 'connector' = 'velo', 'velo.connector' = 'kafka'} table in JSON with
 * {@code source.failure_strategy = SendToDLQ} (dead letters to a Kafka topic): the Kafka source
 * decoding through velo's guarded format. Each split is a one-partition topic of the suite broker,
 * matched by the table's {@code topic-pattern}; a bounded case stops at the latest offsets.
 */
final class VeloKafkaTableSourceContext implements DataStreamSourceExternalContext<RowData> {

    private final SuiteBroker broker;
    private final String prefix;
    private final String dlqTopic;
    private final List<String> splits = new ArrayList<>();

    private VeloKafkaTableSourceContext(SuiteBroker broker) {
        this.broker = broker;
        this.prefix = SuiteBroker.uniqueName("velo-source");
        this.dlqTopic = prefix + "-dlq";
        broker.kafka().createTopic(dlqTopic, 1);
    }

    static ExternalContextFactory<VeloKafkaTableSourceContext> factory(SuiteBroker broker) {
        return testName -> new VeloKafkaTableSourceContext(broker);
    }

    Map<String, String> options(TestingSourceSettings settings) {
        Map<String, String> o = new HashMap<>();
        o.put("connector", "velo");
        o.put("velo.connector", "kafka");
        o.put("topic-pattern", prefix + "-split-[0-9]+");
        o.put("properties.bootstrap.servers", broker.bootstrapServers());
        o.put("properties.group.id", prefix);
        o.put("scan.startup.mode", "earliest-offset");
        if (settings.getBoundedness() == Boundedness.BOUNDED) {
            o.put("scan.bounded.mode", "latest-offset");
        }
        o.put("format", "json");
        o.put("source.failure_strategy", "SendToDLQ");
        o.put("dlq.connector", "kafka");
        o.put("dlq.topic", dlqTopic);
        o.put("dlq.properties.bootstrap.servers", broker.bootstrapServers());
        return o;
    }

    @Override
    public Source<RowData, ?, ?> createSource(TestingSourceSettings settings) {
        return VeloTables.scanSource(prefix, options(settings));
    }

    @Override
    public ExternalSystemSplitDataWriter<RowData> createSourceSplitDataWriter(
            TestingSourceSettings settings) {
        String topic = prefix + "-split-" + splits.size();
        broker.kafka().createTopic(topic, 1);
        splits.add(topic);
        return new ExternalSystemSplitDataWriter<>() {
            @Override
            public void writeRecords(List<RowData> records) {
                List<String> values = new ArrayList<>(records.size());
                for (RowData r : records) {
                    values.add(VeloTables.json(r));
                }
                broker.kafka().produceStrings(topic, values);
            }

            @Override
            public void close() {}
        };
    }

    /** 100 to 400 rows of random text and a running number. */
    @Override
    public List<RowData> generateTestData(
            TestingSourceSettings settings, int splitIndex, long seed) {
        Random random = new Random(seed);
        int n = 100 + random.nextInt(301);
        List<RowData> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(
                    VeloTables.binaryRow(
                            VeloKafkaSinkContext.randomText(random), splitIndex * 1_000_000L + i));
        }
        return rows;
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return VeloTables.rowType();
    }

    @Override
    public List<URL> getConnectorJarPaths() {
        return Collections.emptyList();
    }

    /** Valid JSON only was written: a dead letter would be a decoding bug. */
    @Override
    public void close() throws Exception {
        long dead = broker.endOffsetSum(dlqTopic, 1);
        if (dead != 0) {
            throw new AssertionError(dead + " valid record(s) were dead-lettered to " + dlqTopic);
        }
    }

    @Override
    public String toString() {
        return "velo table source (kafka, json, SendToDLQ)";
    }
}
