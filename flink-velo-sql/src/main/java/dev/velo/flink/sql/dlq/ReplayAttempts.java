package dev.velo.flink.sql.dlq;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import java.io.IOException;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.api.ValidationException;

/**
 * How the attempt count of a replayed dead letter travels: a replay writes the dead letters that
 * had failed {@code n} times through the velo table with {@code 'velo.replay.attempts' = 'n'} (a
 * dynamic table option), and a record that fails again is dead-lettered with {@code attempts} = n +
 * its own attempts in this run.
 */
@PublicEvolving
public final class ReplayAttempts {

    /** Attempts the records written through the table already had before this run. */
    public static final ConfigOption<Integer> REPLAY_ATTEMPTS =
            ConfigOptions.key("velo.replay.attempts")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "Set by a replay of dead letters (velo replay, or the SQL recipe as a"
                                    + " dynamic table option): how many times the records written"
                                    + " through the table already failed. A record that fails"
                                    + " again is dead-lettered with attempts = this + its"
                                    + " attempts in this run.");

    private ReplayAttempts() {}

    /** {@code dlq}, adding the table's {@link #REPLAY_ATTEMPTS} to every dead letter it writes. */
    static DlqWriterFactory wrap(
            String tableName, Map<String, String> options, DlqWriterFactory dlq) {
        int previous = previousAttempts(tableName, options);
        if (previous != 0 && dlq instanceof DeadLetterWriterFactory.Committing) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': a replay ('%s' = '%d') cannot write through an"
                                    + " exactly-once DLQ ('%s' = 'exactly-once'); replay with the"
                                    + " DLQ at-least-once.",
                            tableName,
                            REPLAY_ATTEMPTS.key(),
                            previous,
                            DlqOptions.DLQ_DELIVERY_GUARANTEE.key()));
        }
        return previous == 0 ? dlq : new Offset(dlq, previous);
    }

    /** The table's {@link #REPLAY_ATTEMPTS}, validated. */
    public static int previousAttempts(String tableName, Map<String, String> options) {
        String value = options.get(REPLAY_ATTEMPTS.key());
        if (value == null) {
            return REPLAY_ATTEMPTS.defaultValue();
        }
        String accepted =
                ": expected a whole number >= 0 (the attempts the replayed records already had).";
        int n = DlqOptionsUtil.typed(tableName, REPLAY_ATTEMPTS, value, accepted);
        if (n < 0) {
            throw DlqOptionsUtil.invalid(tableName, REPLAY_ATTEMPTS, value, accepted);
        }
        return n;
    }

    /** Writes through another DLQ with the previous attempts added. */
    @Internal
    static final class Offset extends DlqWriterFactory {
        private static final long serialVersionUID = 1L;
        private final DlqWriterFactory dlq;
        private final int previous;

        Offset(DlqWriterFactory dlq, int previous) {
            this.dlq = dlq;
            this.previous = previous;
        }

        @Override
        public DeadLetterWriter open(TaskInfo taskInfo, MetricGroup callerGroup)
                throws IOException {
            DeadLetterWriter writer = dlq.open(taskInfo, callerGroup);
            return new DeadLetterWriter() {
                @Override
                public void write(DeadLetter deadLetter) throws IOException {
                    int own = deadLetter.getAttempts();
                    deadLetter.setAttempts(own + previous);
                    try {
                        writer.write(deadLetter);
                    } finally {
                        // the caller's dead letter is left as it was (it may write it again)
                        deadLetter.setAttempts(own);
                    }
                }

                @Override
                public void flush() throws IOException {
                    writer.flush();
                }

                @Override
                public void close() throws Exception {
                    writer.close();
                }
            };
        }

        @Override
        public String describe() {
            return dlq.describe();
        }
    }
}
