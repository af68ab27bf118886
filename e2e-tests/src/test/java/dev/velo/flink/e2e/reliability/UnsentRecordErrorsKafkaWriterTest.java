package dev.velo.flink.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.internal.failure.UnsentRecordErrors;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaPartitioner;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.runtime.metrics.groups.InternalSinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.util.function.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link UnsentRecordErrors} on the exception shapes the Kafka connector's own writer produces
 * (connector 5.0.0-2.2, its {@code KafkaWriter.write}, which the exactly-once writer inherits): an
 * error of the format inside the record serialization schema is before the send; a send failure
 * rethrown by the next write (and by the writer's mail), an error the producer throws from {@code
 * send} and a metadata timeout met while the serialization looks up the topic's partitions are not.
 * No broker is needed: nothing listens at the bootstrap address, so a send fails on its metadata
 * wait.
 */
class UnsentRecordErrorsKafkaWriterTest {

    private final List<ThrowingRunnable<? extends Exception>> mails = new ArrayList<>();
    private SinkWriter<String> writer;

    /** Refuses "bad" records, as a partitioner that finds no partition for them. */
    private static final KafkaPartitioner<String> PARTITIONER =
            (record, key, value, topic, partitions) -> {
                if (record.startsWith("bad")) {
                    throw new IllegalArgumentException("no partition for " + record);
                }
                return 0;
            };

    /** A value format that cannot encode "bad" records. */
    private static final class StrictFormat extends SimpleStringSchema {
        @Override
        public byte[] serialize(String element) {
            if (element.startsWith("bad")) {
                throw new IllegalArgumentException("cannot encode " + element);
            }
            return super.serialize(element);
        }
    }

    /** The context of a record without a timestamp. */
    private static final SinkWriter.Context AT_ZERO =
            new SinkWriter.Context() {
                @Override
                public long currentWatermark() {
                    return Long.MIN_VALUE;
                }

                @Override
                public Long timestamp() {
                    return null;
                }
            };

    /** A real Kafka writer (at-least-once: its {@code write} is the exactly-once writer's). */
    private SinkWriter<String> writer(KafkaPartitioner<String> partitioner) throws Exception {
        Properties producer = new Properties();
        producer.setProperty("max.block.ms", "200");
        var records =
                KafkaRecordSerializationSchema.<String>builder()
                        .setTopic("t")
                        .setValueSerializationSchema(new StrictFormat());
        if (partitioner != null) {
            records.setPartitioner(partitioner);
        }
        KafkaSink<String> sink =
                KafkaSink.<String>builder()
                        .setBootstrapServers("127.0.0.1:9")
                        .setKafkaProducerConfig(producer)
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .setRecordSerializer(records.build())
                        .build();
        writer = sink.createWriter(context());
        return writer;
    }

    @AfterEach
    void closeWriter() {
        if (writer == null) {
            return;
        }
        try {
            writer.close();
        } catch (Exception e) {
            // the writer rethrows a send failure it has not reported yet; not what is tested
        }
    }

    @Test
    void aFormatErrorIsBeforeTheSend() throws Exception {
        writer(null);
        Exception e = thrownByWrite("bad-1");
        assertThat(e)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot encode bad-1");
        assertThat(UnsentRecordErrors.thrownBeforeSend(e)).isTrue();
        assertThat(mails).isEmpty();
    }

    @Test
    void aMetadataFailureInsideTheSerializationIsNot() throws Exception {
        // the partitioner needs the topic's partitions: the writer asks a producer of its own for
        // them, and that times out (the e2e ExactlyOnceReplayITCase has a broker
        // and sees the partitioner's own error dead-lettered)
        writer(PARTITIONER);
        Exception e = thrownByWrite("ok-1");
        assertThat(e.getClass().getName()).startsWith("org.apache.kafka.");
        assertThat(UnsentRecordErrors.thrownBeforeSend(e)).isFalse();
    }

    @Test
    void aSendFailureReportedLaterIsNot() throws Exception {
        writer(null);
        // the send fails on its metadata wait; the writer keeps the error for its next call and
        // queues a mail that rethrows it
        writer.write("ok-1", AT_ZERO);
        assertThat(mails).as("the writer's error mail").hasSize(1);
        Exception next = thrownByWrite("ok-2");
        assertThat(next)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("One or more Kafka Producer send requests");
        assertThat(UnsentRecordErrors.thrownBeforeSend(next)).isFalse();

        writer.write("ok-3", AT_ZERO);
        Exception fromMail = null;
        for (ThrowingRunnable<? extends Exception> mail : mails) {
            try {
                mail.run();
            } catch (Exception e) {
                fromMail = e;
            }
        }
        assertThat(fromMail).isInstanceOf(IOException.class);
        assertThat(UnsentRecordErrors.thrownBeforeSend(fromMail)).isFalse();
    }

    @Test
    void anErrorOfTheProducersSendIsNot() throws Exception {
        writer(null);
        // a producer that refuses sends (here: closed) throws from inside send
        Class<?> kafkaWriter = Class.forName("org.apache.flink.connector.kafka.sink.KafkaWriter");
        Field current = kafkaWriter.getDeclaredField("currentProducer");
        current.setAccessible(true);
        ((AutoCloseable) current.get(writer)).close();
        Exception e = thrownByWrite("ok-1");
        assertThat(e).isInstanceOf(IllegalStateException.class);
        assertThat(UnsentRecordErrors.thrownBeforeSend(e)).isFalse();
    }

    private Exception thrownByWrite(String record) {
        try {
            writer.write(record, AT_ZERO);
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("the write of " + record + " did not throw");
    }

    /** What the Kafka writer asks of its context; mails are kept, timers never fire. */
    private WriterInitContext context() {
        MailboxExecutor mailbox =
                new MailboxExecutor() {
                    @Override
                    public void execute(
                            MailOptions options,
                            ThrowingRunnable<? extends Exception> command,
                            String descriptionFormat,
                            Object... descriptionArgs) {
                        mails.add(command);
                    }

                    @Override
                    public void yield() {}

                    @Override
                    public boolean tryYield() {
                        return false;
                    }

                    @Override
                    public boolean shouldInterrupt() {
                        return false;
                    }
                };
        ProcessingTimeService time =
                (ProcessingTimeService)
                        Proxy.newProxyInstance(
                                getClass().getClassLoader(),
                                new Class<?>[] {ProcessingTimeService.class},
                                (proxy, method, args) ->
                                        method.getName().equals("getCurrentProcessingTime")
                                                ? 0L
                                                : null);
        InternalSinkWriterMetricGroup metrics =
                InternalSinkWriterMetricGroup.wrap(
                        UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup());
        TaskInfoImpl task = new TaskInfoImpl("writer", 1, 0, 1, 0);
        return (WriterInitContext)
                Proxy.newProxyInstance(
                        getClass().getClassLoader(),
                        new Class<?>[] {WriterInitContext.class},
                        (proxy, method, args) -> {
                            switch (method.getName()) {
                                case "getMailboxExecutor":
                                    return mailbox;
                                case "getProcessingTimeService":
                                    return time;
                                case "metricGroup":
                                    return metrics;
                                case "getTaskInfo":
                                    return task;
                                case "getRestoredCheckpointId":
                                    return OptionalLong.empty();
                                case "metadataConsumer":
                                    return java.util.Optional.empty();
                                case "isObjectReuseEnabled":
                                    return false;
                                default:
                                    return null;
                            }
                        });
    }
}
