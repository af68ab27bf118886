package dev.velo.flink.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The velo CLI's commands, exit codes and output, without running jobs. */
class VeloCliTest {

    @TempDir Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int velo(String... args) {
        return new VeloCli(Map.of("TOPIC", "events"))
                .run(
                        args,
                        new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                        new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private Path script(String text) throws IOException {
        Path file = dir.resolve("script.sql");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void noArgumentsIsAUsageError() {
        assertThat(velo()).isEqualTo(2);
        assertThat(err()).contains("usage: velo");
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertThat(velo("launch", "x.sql")).isEqualTo(2);
        assertThat(err()).contains("unknown command 'launch'");
    }

    @Test
    void helpExitsZero() {
        assertThat(velo("--help")).isZero();
        assertThat(out()).contains("validate", "translate", "run", "demo");
    }

    @Test
    void translatePrintsFlinkSql() throws IOException {
        Path file =
                script(
                        "CREATE STREAM s AS SELECT * FROM t EMIT CHANGES WITH ("
                                + "'connector' = 'kafka', 'topic' = '${TOPIC}', 'batch.size' = '5');");
        assertThat(velo("translate", file.toString())).isZero();
        assertThat(out())
                .startsWith(
                        "CREATE TABLE s WITH (\n  'connector' = 'velo',\n  'velo.connector' = 'kafka'")
                .contains("'topic' = 'events'")
                .endsWith("AS SELECT * FROM t;\n");
    }

    @Test
    void translateErrorHasFileLineColumnAndNoStackTrace() throws IOException {
        Path file =
                script("SELECT 1;\nCREATE STREAM s AS SELECT * FROM t WITH ('batch.size' = 1 2)");
        assertThat(velo("translate", file.toString())).isEqualTo(1);
        assertThat(err()).startsWith(file + ":2:").contains("expected ',' or ')'");
        assertThat(err()).doesNotContain("\tat ", "Exception");
    }

    @Test
    void missingFileIsAUsageError() {
        assertThat(velo("translate", dir.resolve("nope.sql").toString())).isEqualTo(2);
        assertThat(err()).contains("no such file");
    }

    @Test
    void validateTextListsVeloTables() {
        int code =
                velo(
                        "validate",
                        "-e",
                        "CREATE TABLE k (a INT) WITH ('connector' = 'kafka', 'topic' = 't',"
                                + " 'batch.strategy' = 'fixed_size', 'batch.size' = '10');"
                                + "CREATE TABLE plain (a INT) WITH ('connector' = 'datagen')");
        assertThat(code).isZero();
        assertThat(out())
                .contains("table k", "batch.strategy = fixed_size")
                .doesNotContain("plain");
    }

    @Test
    void validateJsonHasTheAgreedShape() {
        int code =
                velo(
                        "validate",
                        "--json",
                        "-e",
                        "CREATE STREAM big AS SELECT * FROM t WITH ('batch.strategy' = 'fixed_size')");
        assertThat(code).isZero();
        String json = out().trim();
        assertThat(json)
                .startsWith("{\"tables\":[{\"name\":\"big\",\"options\":{")
                .contains("\"batch.strategy\":\"fixed_size\"")
                .endsWith("}}],\"errors\":[],\"warnings\":[]}");
    }

    @Test
    void validateJsonShowsEffectiveOptionsWithDefaults() {
        int code =
                velo(
                        "validate",
                        "--json",
                        "-e",
                        "CREATE STREAM big AS SELECT * FROM t WITH ('batch.strategy' = 'FixedSize',"
                                + " 'batch.timeout' = '2s')");
        assertThat(code).isZero();
        assertThat(out().trim())
                .isEqualTo(
                        "{\"tables\":[{\"name\":\"big\",\"options\":{\"batch.enable\":\"true\","
                                + "\"batch.strategy\":\"fixed_size\",\"batch.size\":\"100\","
                                + "\"batch.max_size\":\"1000\",\"batch.timeout\":\"2000ms\","
                                + "\"failure_strategy\":\"FailBatch\","
                                + "\"source.failure_strategy\":\"FailBatch\"}}],\"errors\":[],"
                                + "\"warnings\":[]}");
    }

    @Test
    void validateAcceptsRetryClassListsAndTheGuardMinimum() {
        int code =
                velo(
                        "validate",
                        "-e",
                        "CREATE TABLE k (a INT) WITH ('connector' = 'kafka', 'topic' = 't',"
                                + " 'failure_strategy' = 'RetryWithBackoff',"
                                + " 'retry.retriable_errors' = 'java.sql.SQLException',"
                                + " 'sink.retry.non_retriable_errors' = 'RecordTooLargeException',"
                                + " 'max_failure_ratio' = '0.05',"
                                + " 'failure_ratio_min_records' = '1000')");
        assertThat(code).isZero();
        assertThat(out())
                .contains(
                        "retry.retriable_errors = java.sql.SQLException",
                        "sink.retry.non_retriable_errors = RecordTooLargeException",
                        "failure_ratio_min_records = 1000");
        assertThat(
                        velo(
                                "validate",
                                "-e",
                                "CREATE TABLE k (a INT) WITH ('connector' = 'kafka',"
                                        + " 'max_failure_ratio' = '0.05',"
                                        + " 'failure_ratio_min_records' = 'few')"))
                .isEqualTo(1);
        assertThat(err()).contains("'failure_ratio_min_records'", "few", "whole number");
    }

    @Test
    void validateReportsBadValuesAndExitsOne() {
        int code =
                velo(
                        "validate",
                        "-e",
                        "CREATE TABLE k (a INT) WITH ('connector' = 'kafka', 'batch.size' = 'lots',"
                                + " 'properties.sasl.password' = 'hunter2')");
        assertThat(code).isEqualTo(1);
        assertThat(err())
                .contains("error: ", "'k'", "batch.size", "lots")
                .doesNotContain("hunter2");
        assertThat(out()).doesNotContain("valid:");
    }

    @Test
    void validateJsonReportsTranslationErrorsWithPosition() {
        int code = velo("validate", "--json", "-e", "CREATE STREAM s SELECT 1");
        assertThat(code).isEqualTo(1);
        assertThat(out().trim())
                .isEqualTo(
                        "{\"tables\":[],\"errors\":[\"<-e>:1:17: expected AS SELECT ... after CREATE"
                                + " STREAM s, found 'SELECT'\"],\"warnings\":[]}");
    }

    static final List<String> SEED_EXAMPLES =
            List.of(
                    "01_fixed_size",
                    "02_time_window",
                    "03_memory_based",
                    "04_adaptive_size",
                    "05_low_latency",
                    "06_mega_batch",
                    "07_failure_strategy",
                    "08_source_configuration",
                    "09_combined");

    private static Path seed(String name) {
        return Path.of("src/test/resources/dialect/seed", name + ".sql");
    }

    @Test
    void everySeedExampleValidatesAsWritten() {
        for (String name : SEED_EXAMPLES) {
            outBytes.reset();
            errBytes.reset();
            assertThat(velo("validate", seed(name).toString())).as(name).isZero();
            assertThat(err()).as(name).doesNotContain("error:");
            assertThat(out()).as(name).contains("valid: ");
        }
    }

    @Test
    void optionsOfAnUndeclaredSourceAreCheckedAndAWarning() {
        Path file = seed("08_source_configuration");
        assertThat(velo("validate", file.toString())).isZero();
        assertThat(err())
                .contains(
                        "warning: "
                                + file
                                + ":4:5: 'source.failure_strategy' configures source"
                                + " table 'kafka_source', which this script does not declare")
                .contains("'velo run' and 'velo translate' need the declaration");
        assertThat(out())
                .contains("table kafka_source", "source.failure_strategy = RetryWithBackoff");
    }

    @Test
    void combinedSeedExampleJsonHasWarnings() {
        Path file = seed("09_combined");
        assertThat(velo("validate", "--json", file.toString())).isZero();
        String json = out().trim();
        assertThat(json)
                .contains(
                        "\"errors\":[],\"warnings\":[\""
                                + file
                                + ":17:5: 'source.failure_strategy'")
                .contains("{\"name\":\"optimized_stream\"", "{\"name\":\"kafka_source\"")
                .contains("\"source.failure_strategy\":\"LogAndContinue\"");
    }

    @Test
    void translateAndRunNeedTheDeclarationAndSaySo() {
        Path file = seed("08_source_configuration");
        assertThat(velo("translate", file.toString())).isEqualTo(1);
        assertThat(err())
                .startsWith(file + ":4:5: 'source.failure_strategy' configures source table")
                .contains("needs the declaration", "CREATE TABLE kafka_source");
        errBytes.reset();
        assertThat(velo("run", file.toString())).isEqualTo(1);
        assertThat(err()).contains("needs the declaration").doesNotContain("\tat ");
    }

    static final String THREE_ERRORS =
            "CREATE STREAM a AS SELECT * FROM t\n"
                    + "WITH ('batch.strategy' = 'fixed_sise');\n"
                    + "CREATE STREAM b AS SELECT * FROM nowhere\n"
                    + "WITH ('source.failure_strategy' = 'Bogus');\n"
                    + "CREATE STREAM c AS SELECT * FROM t\n"
                    + "WITH ('batch.enable' = 'ture');\n";

    @Test
    void validateReportsEveryErrorWithPositionAndSuggestion() throws IOException {
        Path file = script(THREE_ERRORS);
        assertThat(velo("validate", file.toString())).isEqualTo(1);
        assertThat(err())
                .contains("error: " + file + ":2:26: Table 'a': invalid value 'fixed_sise'")
                .contains("Did you mean 'fixed_size'?")
                .contains("error: " + file + ":4:35: Table 'nowhere': invalid value 'Bogus'")
                .contains("error: " + file + ":6:24: Table 'c': invalid value 'ture'")
                .contains("Did you mean 'true'?")
                .contains("warning: " + file + ":4:7: 'source.failure_strategy' configures");
        outBytes.reset();
        assertThat(velo("validate", "--json", file.toString())).isEqualTo(1);
        assertThat(out())
                .contains("\"" + file + ":2:26: ", "\"" + file + ":4:35: ", "\"" + file + ":6:24: ")
                .contains("\"warnings\":[\"" + file + ":4:7: ");
    }

    @Test
    void translateReportsEveryErrorIncludingTheMissingDeclaration() throws IOException {
        Path file = script(THREE_ERRORS);
        assertThat(velo("translate", file.toString())).isEqualTo(1);
        assertThat(err().lines())
                .hasSize(4)
                .anyMatch(l -> l.startsWith(file + ":2:26: "))
                .anyMatch(l -> l.startsWith(file + ":4:7: ") && l.contains("needs the declaration"))
                .anyMatch(l -> l.startsWith(file + ":4:35: ") && l.contains("Bogus"))
                .anyMatch(l -> l.startsWith(file + ":6:24: "));
        assertThat(out()).isEmpty();
    }

    @Test
    void validateWithoutScriptIsAUsageError() {
        assertThat(velo("validate", "--json")).isEqualTo(2);
        assertThat(velo("validate", "-e")).isEqualTo(2);
        assertThat(velo("validate", "--yaml", "x.sql")).isEqualTo(2);
    }

    @Test
    void runNeedsAFileAndAWellFormedCluster() throws IOException {
        assertThat(velo("run")).isEqualTo(2);
        Path file = script("SELECT 1");
        assertThat(velo("run", file.toString(), "--cluster", "nohostport")).isEqualTo(2);
        assertThat(err()).contains("HOST:PORT");
    }

    @Test
    void runOnAClusterNeedsTheConnectorJar() throws IOException {
        Path file = script("SELECT 1");
        int code =
                new VeloCli(Map.of("VELO_HOME", dir.toString()))
                        .run(
                                new String[] {"run", file.toString(), "--cluster", "localhost:1"},
                                new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(1);
        assertThat(err()).contains("flink-sql-connector-velo-*.jar").doesNotContain("\tat ");
    }

    @Test
    void runReportsTranslationErrorsWithoutRunning() throws IOException {
        Path file = script("CREATE STREAM s AS SELECT * FROM t WITH ('t.type' = 'kafka_source')");
        assertThat(velo("run", file.toString())).isEqualTo(1);
        assertThat(err()).contains(":1:").contains("no schema").doesNotContain("\tat ");
    }

    @Test
    void demoScriptTranslates() {
        String flinkSql =
                dev.velo.flink.sql.dialect.VeloSql.builder()
                        .environment(Map.of("KAFKA_BROKERS", "broker:9092"))
                        .build()
                        .translateScript(DemoResources.demoScript())
                        .toScript();
        assertThat(flinkSql)
                .contains("CREATE TABLE `orders`", "'source.failure_strategy' = 'SendToDLQ'")
                .contains("'dlq.topic' = 'orders_dlq'", "'batch.strategy' = 'mega_batch'");
    }

    @Test
    void demoRejectsBadArguments() {
        assertThat(velo("demo", "--records", "0")).isEqualTo(2);
        assertThat(err()).contains("--records expects a positive number");
        assertThat(velo("demo", "--records")).isEqualTo(2);
        assertThat(velo("demo", "extra")).isEqualTo(2);
    }
}
