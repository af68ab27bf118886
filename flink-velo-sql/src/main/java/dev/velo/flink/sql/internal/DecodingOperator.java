package dev.velo.flink.sql.internal;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.failure.BatchProcessor;
import dev.velo.flink.batching.failure.VeloBatchFailedException;
import dev.velo.flink.batching.failure.VeloNonRetriableException;
import dev.velo.flink.sql.dlq.DlqWriterFactory;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * Decodes raw source bytes with the table's format; a record that cannot be decoded gets the
 * table's source failure strategy (dropped and counted, dead-lettered with its raw bytes and Kafka
 * position, or the job fails naming that position).
 */
@Internal
public final class DecodingOperator extends AbstractStreamOperator<RowData>
        implements OneInputStreamOperator<RowData, RowData>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final String tableName;
    private final DeserializationSchema<RowData> decoder;
    private final boolean hasKafkaMetadata;
    private final FailureConfig failureConfig;
    @Nullable private final DlqWriterFactory dlqFactory;

    private transient RecordFailureStage<RowData> stage;
    private transient StreamRecord<RowData> reuse;
    private transient RowData current;
    private transient BatchProcessor<RowData> processor;

    public DecodingOperator(
            String tableName,
            DeserializationSchema<RowData> decoder,
            boolean hasKafkaMetadata,
            FailureConfig failureConfig,
            @Nullable DlqWriterFactory dlqFactory) {
        this.tableName = tableName;
        this.decoder = decoder;
        this.hasKafkaMetadata = hasKafkaMetadata;
        this.failureConfig = failureConfig;
        this.dlqFactory = dlqFactory;
    }

    @Override
    public void open() throws Exception {
        super.open();
        MetricGroup group = getMetricGroup();
        decoder.open(
                new DeserializationSchema.InitializationContext() {
                    @Override
                    public MetricGroup getMetricGroup() {
                        return group;
                    }

                    @Override
                    public UserCodeClassLoader getUserCodeClassLoader() {
                        return SimpleUserCodeClassLoader.create(getUserCodeClassloader());
                    }
                });
        reuse = new StreamRecord<>(null);
        Collector<RowData> emit =
                new Collector<>() {
                    @Override
                    public void collect(RowData row) {
                        output.collect(reuse.replace(row));
                    }

                    @Override
                    public void close() {}
                };
        processor =
                new BatchProcessor<>() {
                    @Override
                    public void processRecord(RowData record) {
                        try {
                            decoder.deserialize(record.getBinary(0), emit);
                        } catch (Exception e) {
                            // Undecodable bytes stay undecodable: never retry them.
                            throw VeloNonRetriableException.withoutOwnStackTrace(
                                    "could not decode with the table's format: " + e.getMessage(),
                                    e);
                        }
                    }

                    @Override
                    public void finishBatch() {}
                };
        stage =
                new RecordFailureStage<>(
                        failureConfig,
                        tableName,
                        DeadLetter.SIDE_SOURCE,
                        record -> record.getBinary(0),
                        dlqFactory,
                        getRuntimeContext().getTaskInfo(),
                        group,
                        deadLetter -> {
                            if (hasKafkaMetadata) {
                                deadLetter.setKafkaTopic(current.getString(1).toString());
                                deadLetter.setKafkaPartition(current.getInt(2));
                                deadLetter.setKafkaOffset(current.getLong(3));
                            }
                        });
    }

    @Override
    public void processElement(StreamRecord<RowData> element) throws Exception {
        current = element.getValue();
        reuse.replace(null, element.getTimestamp());
        if (!element.hasTimestamp()) {
            reuse.eraseTimestamp();
        }
        long index = stage.nextIndex();
        try {
            stage.process(current, processor);
        } catch (VeloBatchFailedException e) {
            throw new FlinkRuntimeException(
                    String.format(
                            "Table '%s': could not decode the record %s (source.failure_strategy"
                                    + " = %s): %s",
                            tableName,
                            position(index),
                            failureConfig.strategy().displayName(),
                            e.getCause() == null ? e.getMessage() : e.getCause().toString()),
                    e);
        }
    }

    private String position(long index) {
        if (hasKafkaMetadata) {
            return String.format(
                    "at topic '%s' partition %d offset %d",
                    current.getString(1), current.getInt(2), current.getLong(3));
        }
        return "number "
                + index
                + " of subtask "
                + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        // A dead letter must be durable before the checkpoint that skips its record completes.
        stage.flushDeadLetters();
    }

    @Override
    public void endInput() throws Exception {
        stage.flushDeadLetters();
    }

    @Override
    public void close() throws Exception {
        try {
            if (stage != null) {
                stage.close();
            }
        } finally {
            super.close();
        }
    }
}
