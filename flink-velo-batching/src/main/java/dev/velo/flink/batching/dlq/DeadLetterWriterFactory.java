package dev.velo.flink.batching.dlq;

import java.io.IOException;
import java.io.Serializable;
import java.util.Collection;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Creates a {@link DeadLetterWriter} per sink-writer subtask (Kafka, filesystem, ...). */
@PublicEvolving
@FunctionalInterface
public interface DeadLetterWriterFactory extends Serializable {

    DeadLetterWriter create(WriterInitContext context) throws IOException;

    /**
     * A DLQ whose dead letters are committed with the checkpoint of the sink that writes them
     * (two-phase commit, e.g. Kafka with {@code exactly-once}). A velo sink with such a DLQ creates
     * the writer with {@link #restore} (not {@link #create}), carries the DLQ writer's state and
     * committables next to its delegate's, and commits them with {@link #createCommitter}'s
     * committer; a restore therefore neither loses nor repeats a dead letter.
     *
     * @param <C> the DLQ's committable
     * @param <S> the DLQ writer's state
     */
    @PublicEvolving
    interface Committing<C, S> extends DeadLetterWriterFactory {

        /**
         * Creates the DLQ writer of a sink subtask with the subtask's own context (task, attempt,
         * restored checkpoint), from the DLQ state it left (empty on a fresh start).
         */
        DeadLetterWriter.Committing<C, S> restore(
                WriterInitContext context, Collection<S> recoveredState) throws IOException;

        Committer<C> createCommitter(CommitterInitContext context) throws IOException;

        SimpleVersionedSerializer<C> getCommittableSerializer();

        SimpleVersionedSerializer<S> getWriterStateSerializer();

        /**
         * A key unique to this DLQ in the job (e.g. its transactional-id prefix) under which the
         * sink's writer and committer are co-located, or null when that does not matter.
         */
        @Nullable
        String colocationKey();
    }
}
