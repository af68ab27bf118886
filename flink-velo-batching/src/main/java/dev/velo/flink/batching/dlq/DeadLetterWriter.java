package dev.velo.flink.batching.dlq;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Delivers dead letters to a DLQ from inside a sink writer. {@link #flush()} must make every letter
 * written so far durable: it is called before each checkpoint barrier, so a dead letter is stored
 * before the checkpoint that skips its record completes.
 */
@PublicEvolving
public interface DeadLetterWriter extends AutoCloseable {

    void write(DeadLetter deadLetter) throws IOException;

    void flush() throws IOException;

    /**
     * A DLQ writer whose dead letters are committed with the checkpoint (e.g. an exactly-once Kafka
     * DLQ): {@link #flush()} sends what was written, {@link #prepareCommit()} hands over the
     * transaction of the dead letters written since the last call, and {@link #snapshotState}
     * returns the writer's state, as the Sink V2 writer contract orders them before a barrier. The
     * committables go to {@link DeadLetterWriterFactory.Committing#createCommitter}'s committer.
     *
     * @param <C> the DLQ's committable
     * @param <S> the DLQ writer's state
     */
    @PublicEvolving
    interface Committing<C, S> extends DeadLetterWriter {

        Collection<C> prepareCommit() throws IOException, InterruptedException;

        List<S> snapshotState(long checkpointId) throws IOException;
    }
}
