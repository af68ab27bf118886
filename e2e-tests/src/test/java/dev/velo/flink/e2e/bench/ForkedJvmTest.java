package dev.velo.flink.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the parent of a forked run reads its child: the result line, a failure, a child too slow. */
class ForkedJvmTest {

    private static final Duration BOUND = Duration.ofMinutes(1);

    @Test
    void parsesTheResultLineAmongTheChildsOtherOutput() throws Exception {
        double[] r =
                ForkedJvm.run(
                        List.of(
                                "sh",
                                "-c",
                                "echo a log line; echo '"
                                        + ForkedJvm.resultLine(12.5, Double.NaN)
                                        + "'; echo to stderr >&2"),
                        "test",
                        BOUND);
        assertThat(r[0]).isEqualTo(12.5);
        assertThat(r[1]).isNaN();
    }

    @Test
    void aFailingChildJvmFailsTheRunWithItsLastLines() {
        // a real child JVM of this one's command line, which rejects the job kind before it
        // starts a cluster
        List<String> cmd =
                ForkedJvm.javaCommand(
                        VeloBench.class.getName(),
                        List.of(
                                VeloBench.FORK_CHILD,
                                "nope",
                                "fixed_size",
                                "--records",
                                "10",
                                "--quick"));
        assertThatThrownBy(() -> ForkedJvm.run(cmd, "nope fixed_size", BOUND))
                .hasMessageContaining("the forked run nope fixed_size exited with code 1")
                .hasMessageContaining("unknown job kind 'nope'; accepted: [plain, naive, velo]");
    }

    @Test
    void aChildWithoutAResultLineFailsTheRun() {
        assertThatThrownBy(
                        () ->
                                ForkedJvm.run(
                                        List.of("sh", "-c", "echo almost done"), "quiet", BOUND))
                .hasMessageContaining("exited with code 0 without a FORKRESULT line")
                .hasMessageContaining("almost done");
    }

    @Test
    void aChildThatOutlivesTheBoundIsDestroyed() {
        long start = System.nanoTime();
        assertThatThrownBy(
                        () ->
                                ForkedJvm.run(
                                        List.of("sh", "-c", "echo started; exec sleep 600"),
                                        "slow",
                                        Duration.ofSeconds(1)))
                .hasMessageContaining("the forked run slow did not end within PT1S")
                .hasMessageContaining("started");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
    }
}
