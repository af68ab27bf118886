package dev.velo.flink.sql.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.api.VeloBatching;
import dev.velo.flink.batching.api.VeloStream;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.sink.VeloSink;
import dev.velo.flink.batching.sink.VeloSinkSettings;
import dev.velo.flink.sql.dialect.VeloSql;
import dev.velo.flink.sql.dialect.VeloTranslation;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * The Java examples of docs/datastream-api.md and docs/dialect.md, each in a method with the doc's
 * code verbatim; {@link DocsExamplesITCase} checks that every doc block appears here (or in {@link
 * ParseNumbersJob}, {@link MyDeadLetterWriter}) and runs the methods on its MiniCluster.
 */
final class DataStreamApiDocExamples {

    private DataStreamApiDocExamples() {}

    /** "Batch configuration": one config per strategy. */
    static List<BatchConfig> batchConfigs() {
        // batch.strategy = fixed_size, batch.size = 1000, batch.timeout = 500ms
        BatchConfig fixed =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.FixedSize(1000))
                        .batchTimeout(Duration.ofMillis(500))
                        .build();

        BatchConfig window =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.TimeWindow(Duration.ofSeconds(5)))
                        .build();

        BatchConfig memory =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.MemoryBased(2 * 1024 * 1024))
                        .build();

        // min size, max size, target latency
        BatchConfig adaptive =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.AdaptiveSize(10, 2000, Duration.ofMillis(100)))
                        .maxBatchSize(2000)
                        .build();

        // max size, wait, eager processing
        BatchConfig low =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.LowLatency(5, Duration.ofMillis(10), true))
                        .build();

        // size, parallel, reuse buffer
        BatchConfig mega =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.MegaBatch(75_000, true, true))
                        .maxBatchSize(100_000)
                        .batchTimeout(Duration.ofMillis(100))
                        .enabled(true)
                        .build();
        return List.of(fixed, window, memory, adaptive, low, mega);
    }

    /** "Failure configuration". */
    static List<FailureConfig> failureConfigs() {
        FailureConfig failBatch = FailureConfig.defaults(); // FailBatch, like plain Flink
        FailureConfig toDlq = FailureConfig.of(FailureStrategy.SEND_TO_DLQ);
        FailureConfig retry =
                FailureConfig.builder()
                        .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                        .maxRetries(5)
                        .retryBackoff(Duration.ofMillis(200))
                        .retryBackoffMultiplier(2.0)
                        .retryBackoffMax(Duration.ofSeconds(10))
                        .retryJitter(0.1)
                        .retryExhaustedStrategy(FailureStrategy.SEND_TO_DLQ)
                        .maxFailureRatio(0.05) // error-rate guard, off when not set
                        .failureRatioWindow(Duration.ofMinutes(1))
                        .build();
        return List.of(failBatch, toDlq, retry);
    }

    /** An order, as the bulk-processing example reads it. */
    public static class Order {
        public long id;

        public Order() {}

        Order(long id) {
            this.id = id;
        }
    }

    /** An order with what the remote service added. */
    public static class Enriched {
        public long id;
        public String region;
    }

    /** A stand-in for a remote service with a bulk call. */
    static final class Client implements Serializable {
        List<Enriched> lookupAll(List<Order> orders) {
            List<Enriched> result = new ArrayList<>();
            for (Order o : orders) {
                Enriched e = new Enriched();
                e.id = o.id;
                e.region = o.id % 2 == 0 ? "north" : "south";
                result.add(e);
            }
            return result;
        }
    }

    /** "Bulk processing with a BatchFunction". */
    static VeloStream<Enriched> enrich(
            DataStream<Order> orders, Client client, FailureConfig retry) {
        BatchConfig adaptive =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.AdaptiveSize(10, 500, Duration.ofMillis(50)))
                        .build();

        VeloStream<Enriched> enriched =
                VeloBatching.of(orders, adaptive)
                        .withFailureConfig(retry)
                        .named("enrich")
                        .process(
                                (batch, out) -> {
                                    // one remote call per batch
                                    for (Enriched e : client.lookupAll(batch)) {
                                        out.collect(e);
                                    }
                                },
                                TypeInformation.of(Enriched.class));
        return enriched;
    }

    /** "Wrapping a sink". */
    static void wrapSink(DataStream<String> stream, Sink<String> kafkaSink) {
        VeloSinkSettings<String> settings =
                VeloSinkSettings.<String>builder()
                        .tableName("orders-out") // table_name in dead letters
                        .batchConfig(BatchConfig.highThroughput())
                        .failureConfig(
                                FailureConfig.builder()
                                        .strategy(FailureStrategy.RETRY_WITH_BACKOFF)
                                        .retryExhaustedStrategy(FailureStrategy.SEND_TO_DLQ)
                                        .build())
                        // required when the failure config may dead-letter
                        .deadLetterWriterFactory(context -> new MyDeadLetterWriter())
                        .build();

        stream.sinkTo(VeloSink.wrap(kafkaSink, settings));
    }

    /** docs/dialect.md: the Java entry points of the translator. */
    static VeloTranslation dialectApi(TableEnvironment tableEnvironment, String script)
            throws Exception {
        List<String> flinkSql = VeloSql.translate(script); // the statements
        TableResult job = VeloSql.execute(tableEnvironment, script); // translate and run
        VeloTranslation t =
                VeloSql.builder() // with options
                        .environment(Map.of("KAFKA_BROKERS", "broker:9092")) // ${VAR} values
                        .baseDirectory(Path.of("apps")) // relative paths
                        .build()
                        .translateScript(script);
        assertThat(flinkSql).isNotEmpty();
        job.await();
        return t;
    }

    /** Runs the bulk-processing and sink-wrapping examples as one bounded job. */
    static void runStreamExamples() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        List<Order> input = new ArrayList<>();
        for (long i = 0; i < 50; i++) {
            input.add(new Order(i));
        }
        DataStream<Order> orders = env.fromData(input);
        VeloStream<Enriched> enriched = enrich(orders, new Client(), failureConfigs().get(2));
        enriched.output().sinkTo(new DiscardingSink<>());
        wrapSink(env.fromData("a", "b", "c"), new DiscardingSink<>());
        env.execute("docs-datastream-examples");
    }

    static TableEnvironment streamingTableEnvironment() {
        return TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    }
}
