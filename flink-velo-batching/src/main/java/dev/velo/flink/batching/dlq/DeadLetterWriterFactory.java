package dev.velo.flink.batching.dlq;

import java.io.IOException;
import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** Creates a {@link DeadLetterWriter} per sink-writer subtask (Kafka, filesystem, ...). */
@PublicEvolving
@FunctionalInterface
public interface DeadLetterWriterFactory extends Serializable {

    DeadLetterWriter create(WriterInitContext context) throws IOException;
}
