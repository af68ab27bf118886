package dev.velo.flink.sql.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.api.ValidationException;
import org.junit.jupiter.api.Test;

/** A replayed record that fails again is dead-lettered with its previous attempts added. */
class ReplayAttemptsTest {

    /** Keeps the attempts of every dead letter written. */
    private static final class Recording extends DlqWriterFactory {
        private static final long serialVersionUID = 1L;
        final List<Integer> attempts = new ArrayList<>();

        @Override
        public DeadLetterWriter open(TaskInfo taskInfo, MetricGroup callerGroup) {
            return new DeadLetterWriter() {
                @Override
                public void write(DeadLetter deadLetter) {
                    attempts.add(deadLetter.getAttempts());
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            };
        }

        @Override
        public String describe() {
            return "recording";
        }
    }

    private static DeadLetter letter(int attempts) {
        return DeadLetter.of(
                new byte[0], new RuntimeException("x"), attempts, 0L, "t", "sink", "SendToDLQ", 1L);
    }

    @Test
    void addsThePreviousAttemptsAndLeavesTheCallersDeadLetterAlone() throws Exception {
        Recording recording = new Recording();
        DlqWriterFactory dlq =
                ReplayAttempts.wrap("t", Map.of("velo.replay.attempts", "2"), recording);
        DeadLetter dl = letter(1);
        try (DeadLetterWriter writer = dlq.open(0, 0)) {
            writer.write(dl);
            writer.write(letter(3));
        }
        assertThat(recording.attempts).containsExactly(3, 5);
        assertThat(dl.getAttempts()).isEqualTo(1);
        assertThat(dlq.describe()).isEqualTo("recording");
    }

    @Test
    void withoutTheOptionTheDlqIsUnchanged() {
        Recording recording = new Recording();
        assertThat(ReplayAttempts.wrap("t", Map.of(), recording)).isSameAs(recording);
        assertThat(ReplayAttempts.wrap("t", Map.of("velo.replay.attempts", "0"), recording))
                .isSameAs(recording);
    }

    @Test
    void rejectsABadCount() {
        assertThatThrownBy(
                        () ->
                                ReplayAttempts.previousAttempts(
                                        "t", Map.of("velo.replay.attempts", "-1")))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("Table 't'")
                .hasMessageContaining("'-1'")
                .hasMessageContaining("'velo.replay.attempts'")
                .hasMessageContaining("whole number >= 0");
    }
}
