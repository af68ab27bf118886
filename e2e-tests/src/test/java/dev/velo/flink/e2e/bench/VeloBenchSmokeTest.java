package dev.velo.flink.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** VeloBench --quick on a few cases: the BENCH lines have the documented format (not speed). */
class VeloBenchSmokeTest {

    private static List<String> benchLines(String... args) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        VeloBench bench = new VeloBench(new PrintStream(buf, true, StandardCharsets.UTF_8));
        bench.parse(args);
        bench.run();
        return Arrays.stream(buf.toString(StandardCharsets.UTF_8).split("\n"))
                .filter(l -> l.startsWith("BENCH "))
                .collect(Collectors.toList());
    }

    @Test
    void quickRunPrintsOneBenchLinePerCase() throws Exception {
        List<String> lines =
                benchLines(
                        "--quick",
                        "--records",
                        "20000",
                        "--cases",
                        "datastream_mega_batch,latency_low_latency");
        assertThat(lines).hasSize(2);
        String number = "[0-9]+(\\.[0-9]+)?";
        assertThat(lines.get(0))
                .matches(
                        "BENCH datastream_mega_batch plain="
                                + number
                                + " velo="
                                + number
                                + " ratio="
                                + number
                                + " naive="
                                + number
                                + " vs_naive="
                                + number
                                + " cpu_vs_naive="
                                + number);
        assertThat(lines.get(1))
                .matches(
                        "BENCH latency_low_latency p50_ms=-?"
                                + number
                                + " p99_ms=-?"
                                + number
                                + " wait_ms=1");
    }

    @Test
    void checkpointAndMemoryCasesPrintTheirFigures() throws Exception {
        List<String> lines =
                benchLines("--quick", "--cases", "checkpoint_aligned,memory_mega_batch");
        String ms = "-?[0-9]+"; // -1: no checkpoint completed within the short run
        String number = "[0-9]+(\\.[0-9]+)?";
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0))
                .matches(
                        "BENCH checkpoint_aligned plain_p50_ms="
                                + ms
                                + " plain_p99_ms="
                                + ms
                                + " fixed_size_p50_ms="
                                + ms
                                + " fixed_size_p99_ms="
                                + ms
                                + " fixed_size_batch_ms=1 mega_batch_p50_ms="
                                + ms
                                + " mega_batch_p99_ms="
                                + ms
                                + " mega_batch_batch_ms=500");
        for (String l : lines.subList(1, 3)) {
            assertThat(l)
                    .matches(
                            "BENCH memory_(binary|generic)_row records=50000 heap_bytes_per_record="
                                    + number
                                    + " serialized_bytes="
                                    + number
                                    + " memory_size_estimate="
                                    + number
                                    + " heap_per_serialized="
                                    + number);
        }
    }

    @Test
    void rejectsUnknownCasesNamingTheAcceptedOnes() {
        VeloBench bench = new VeloBench(System.out);
        assertThatThrownBy(() -> bench.parse(new String[] {"--cases", "datastream_nope"}))
                .hasMessageContaining("datastream_nope")
                .hasMessageContaining("datastream_mega_batch");
    }
}
