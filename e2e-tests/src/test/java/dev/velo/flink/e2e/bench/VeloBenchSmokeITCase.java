package dev.velo.flink.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * VeloBench --quick on a few cases (jobs on a MiniCluster, an embedded Kafka broker): every case
 * prints its line, every field of it parses, and the figures are sane (rates and ratios positive,
 * latencies and checkpoint durations not negative, derived figures consistent). Not speed.
 */
class VeloBenchSmokeITCase {

    /** The fields of a DataStream case's BENCH line. */
    private static final String[] DATASTREAM_FIELDS = {
        "plain", "velo", "ratio", "naive", "vs_naive", "cpu_vs_naive", "cpu_ratio", "naive_ratio"
    };

    private static final Pattern FIELD = Pattern.compile("(\\w+)=(-?[0-9]+(?:\\.[0-9]+)?)");

    /** The output of a run: every line. */
    private static List<String> run(String... args) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        VeloBench bench = new VeloBench(new PrintStream(buf, true, StandardCharsets.UTF_8));
        bench.parse(args);
        bench.run();
        return Arrays.asList(buf.toString(StandardCharsets.UTF_8).split("\n"));
    }

    /** The BENCH lines by case, each parsed into its fields; a token that is not one fails. */
    private static Map<String, Map<String, Double>> benchLines(List<String> output) {
        Map<String, Map<String, Double>> lines = new LinkedHashMap<>();
        for (String l : output) {
            if (!l.startsWith("BENCH ")) {
                continue;
            }
            String[] tokens = l.split(" ");
            Map<String, Double> fields = new LinkedHashMap<>();
            for (String t : Arrays.asList(tokens).subList(2, tokens.length)) {
                Matcher m = FIELD.matcher(t);
                assertThat(m.matches()).as("field '%s' of %s", t, l).isTrue();
                fields.put(m.group(1), Double.parseDouble(m.group(2)));
            }
            assertThat(lines.put(tokens[1], fields)).as("one line for %s", tokens[1]).isNull();
        }
        return lines;
    }

    private static void assertPositive(Map<String, Double> line, String... keys) {
        for (String k : keys) {
            assertThat(line).containsKey(k);
            assertThat(line.get(k)).as(k).isPositive().isFinite();
        }
    }

    @Test
    void throughputKafkaAndLatencyCasesPrintSaneFigures() throws Exception {
        List<String> out =
                run(
                        "--quick",
                        "--records",
                        "400000",
                        "--cases",
                        "datastream_mega_batch,kafka_sink_dlq_window_1000,latency_low_latency");
        Map<String, Map<String, Double>> lines = benchLines(out);
        assertThat(lines)
                .containsOnlyKeys(
                        "datastream_mega_batch",
                        "kafka_sink_dlq_window_1000",
                        "latency_low_latency");

        Map<String, Double> ds = lines.get("datastream_mega_batch");
        assertThat(ds).containsOnlyKeys(DATASTREAM_FIELDS);
        assertPositive(ds, ds.keySet().toArray(new String[0]));

        Map<String, Double> kafka = lines.get("kafka_sink_dlq_window_1000");
        assertThat(kafka)
                .containsOnlyKeys(
                        "plain",
                        "velo",
                        "ratio",
                        "per_batch",
                        "vs_per_batch",
                        "cpu_vs_per_batch",
                        "cpu_ratio",
                        "per_batch_ratio");
        assertPositive(kafka, kafka.keySet().toArray(new String[0]));

        Map<String, Double> lat = lines.get("latency_low_latency");
        assertThat(lat).containsOnlyKeys("p50_ms", "p99_ms", "wait_ms");
        assertThat(lat.get("wait_ms")).isEqualTo(1.0);
        // the BENCH line gives velo's added latency; the absolute figures are on the # line
        Matcher abs =
                Pattern.compile(
                                "# latency_low_latency absolute: plain p50=([0-9.]+) p99=([0-9.]+),"
                                        + " velo p50=([0-9.]+) p99=([0-9.]+) ms.*")
                        .matcher(
                                out.stream()
                                        .filter(l -> l.startsWith("# latency_low_latency absolute"))
                                        .findFirst()
                                        .orElse(""));
        assertThat(abs.matches()).as("absolute latency line").isTrue();
        double plainP50 = Double.parseDouble(abs.group(1));
        double plainP99 = Double.parseDouble(abs.group(2));
        double veloP50 = Double.parseDouble(abs.group(3));
        double veloP99 = Double.parseDouble(abs.group(4));
        assertThat(plainP99).isGreaterThanOrEqualTo(plainP50);
        assertThat(veloP99).isGreaterThanOrEqualTo(veloP50);
        // the records are not sent back in time: the p50 of velo's path is at least 0, and the
        // line's added p50 is velo's minus plain's
        assertThat(veloP50).isGreaterThanOrEqualTo(0);
        assertThat(lat.get("p50_ms")).isCloseTo(veloP50 - plainP50, within(0.0015));
        assertThat(lat.get("p99_ms")).isCloseTo(veloP99 - plainP99, within(0.0015));
    }

    @Test
    void forkedDataStreamCaseRunsEachJobInAChildJvmAndPrintsTheSameLine() throws Exception {
        List<String> out =
                run("--quick", "--fork", "--records", "100000", "--cases", "datastream_fixed_size");
        assertThat(out)
                .anyMatch(
                        l ->
                                l.startsWith(
                                        "# datastream_fixed_size forked: every run in a fresh"
                                                + " JVM"));
        // one repetition: plain, naive and velo, each from its child's result line
        assertThat(out).filteredOn(l -> l.startsWith("# datastream_fixed_size rep ")).hasSize(1);
        Map<String, Map<String, Double>> lines = benchLines(out);
        assertThat(lines).containsOnlyKeys("datastream_fixed_size");
        Map<String, Double> ds = lines.get("datastream_fixed_size");
        assertThat(ds).containsOnlyKeys(DATASTREAM_FIELDS);
        assertPositive(ds, ds.keySet().toArray(new String[0]));
        // the ratios are the quotients of the children's rates (one repetition: its own medians)
        assertThat(ds.get("ratio")).isCloseTo(ds.get("velo") / ds.get("plain"), within(0.002));
        assertThat(ds.get("vs_naive")).isCloseTo(ds.get("velo") / ds.get("naive"), within(0.002));
    }

    @Test
    void checkpointAndMemoryCasesPrintSaneFigures() throws Exception {
        Map<String, Map<String, Double>> lines =
                benchLines(run("--quick", "--cases", "checkpoint_aligned,memory_mega_batch"));
        assertThat(lines)
                .containsOnlyKeys("checkpoint_aligned", "memory_binary_row", "memory_generic_row");
        Map<String, Double> cp = lines.get("checkpoint_aligned");
        List<String> keys = new ArrayList<>();
        for (String v : List.of("plain", "fixed_size", "mega_batch")) {
            keys.add(v + "_p50_ms");
            keys.add(v + "_p99_ms");
            if (!v.equals("plain")) {
                keys.add(v + "_batch_ms");
            }
            // --quick runs each job until it has completed checkpoints to report
            assertThat(cp.get(v + "_p50_ms")).as(v).isNotNegative();
            assertThat(cp.get(v + "_p99_ms")).as(v).isGreaterThanOrEqualTo(cp.get(v + "_p50_ms"));
        }
        assertThat(cp).containsOnlyKeys(keys);
        assertThat(cp.get("fixed_size_batch_ms")).isEqualTo(1.0);
        assertThat(cp.get("mega_batch_batch_ms")).isEqualTo(500.0);

        for (String kind : List.of("memory_binary_row", "memory_generic_row")) {
            Map<String, Double> m = lines.get(kind);
            assertThat(m)
                    .containsOnlyKeys(
                            "records",
                            "heap_bytes_per_record",
                            "serialized_bytes",
                            "memory_size_estimate",
                            "heap_per_serialized");
            assertThat(m.get("records")).isEqualTo(50_000.0);
            assertPositive(m, m.keySet().toArray(new String[0]));
            assertThat(m.get("heap_per_serialized"))
                    .isCloseTo(
                            m.get("heap_bytes_per_record") / m.get("serialized_bytes"),
                            within(0.051));
        }
    }

    @Test
    void rejectsUnknownCasesNamingTheAcceptedOnes() {
        VeloBench bench = new VeloBench(System.out);
        assertThatThrownBy(() -> bench.parse(new String[] {"--cases", "datastream_nope"}))
                .hasMessageContaining("datastream_nope")
                .hasMessageContaining("datastream_mega_batch");
    }

    @Test
    void quickModeRunsItsOwnShortListUnlessCasesAreGiven() {
        VeloBench bench = new VeloBench(System.out);
        bench.parse(new String[] {"--quick"});
        assertThat(bench.cases()).isEqualTo(VeloBench.QUICK_CASES);
        assertThat(VeloBench.ALL_CASES).containsAll(VeloBench.QUICK_CASES);
        VeloBench given = new VeloBench(System.out);
        given.parse(new String[] {"--quick", "--cases", "sql_fixed_size"});
        assertThat(given.cases()).containsExactly("sql_fixed_size");
    }
}
