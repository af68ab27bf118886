package dev.velo.flink.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.table.api.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tests of the dialect translator: variables, annotations, prefixed keys, YAML, errors. */
class VeloSqlTranslatorTest {

    @TempDir Path dir;

    private VeloTranslation translate(String script) {
        return translate(script, Map.of());
    }

    private VeloTranslation translate(String script, Map<String, String> env) {
        return VeloSql.builder()
                .environment(env)
                .baseDirectory(dir)
                .build()
                .translateScript(script);
    }

    private static VeloSqlException error(Runnable r) {
        try {
            r.run();
        } catch (VeloSqlException e) {
            return e;
        }
        throw new AssertionError("expected a VeloSqlException");
    }

    @Test
    void plainFlinkStatementsPassThroughUntouched() {
        String script =
                "CREATE TABLE t (a INT) WITH ('connector' = 'datagen');\n"
                        + "INSERT INTO s SELECT a FROM t WHERE a > 1;\n"
                        + "SELECT 'x;y' AS s FROM t -- trailing ; comment\n";
        assertThat(translate(script).statements())
                .containsExactly(
                        "CREATE TABLE t (a INT) WITH ('connector' = 'datagen')",
                        "INSERT INTO s SELECT a FROM t WHERE a > 1",
                        "SELECT 'x;y' AS s FROM t");
        assertThat(translate(script).veloTables()).isEmpty();
    }

    @Test
    void createStreamBecomesVeloCtasWithPlainConnectorKeys() {
        VeloTranslation t =
                translate(
                        "CREATE STREAM big AS SELECT * FROM orders WHERE amount > 10 EMIT CHANGES"
                                + " WITH ('connector' = 'kafka', 'topic' = 'big',"
                                + " 'batch.size' = '10', 'sink.failure_strategy' = 'FailBatch')");
        assertThat(t.statements()).hasSize(1);
        assertThat(t.statements().get(0))
                .startsWith("CREATE TABLE big WITH (")
                .contains("'connector' = 'velo'", "'velo.connector' = 'kafka'", "'topic' = 'big'")
                .endsWith("AS SELECT * FROM orders WHERE amount > 10")
                .doesNotContain("EMIT");
        assertThat(t.veloTables().get("big"))
                .containsEntry("batch.size", "10")
                .containsEntry("sink.failure_strategy", "FailBatch");
    }

    @Test
    void createStreamWithoutSinkKeysWritesToPrint() {
        VeloTranslation t = translate("CREATE STREAM s AS SELECT 1 AS x");
        assertThat(t.veloTables().get("s")).containsEntry("velo.connector", "print");
        assertThat(t.notes()).anyMatch(n -> n.contains("'print'"));
    }

    @Test
    void velostreamCreateTableAsSelectIsTranslatedAndPrimaryKeyKeptForKafka() {
        VeloTranslation t =
                translate(
                        "CREATE TABLE stats AS SELECT category PRIMARY KEY, COUNT(*) AS n"
                                + " FROM tx GROUP BY category EMIT CHANGES WITH ("
                                + "'stats.type' = 'kafka_sink', 'stats.topic' = 'stats')");
        String ctas = t.statements().get(0);
        assertThat(ctas)
                .startsWith("CREATE TABLE stats (PRIMARY KEY (`category`) NOT ENFORCED) WITH (")
                .contains("'velo.connector' = 'upsert-kafka'", "'key.format' = 'json'")
                .contains("AS SELECT category, COUNT(*) AS n")
                .doesNotContain("PRIMARY KEY,");
    }

    @Test
    void sourceKeysRewriteTheEarlierCreateTable() {
        VeloTranslation t =
                translate(
                        "CREATE TABLE orders (id BIGINT) WITH ('connector' = 'kafka', 'topic' = 'o');\n"
                                + "CREATE STREAM out AS SELECT * FROM orders WITH ("
                                + "'source.failure_strategy' = 'SendToDLQ',"
                                + " 'dlq.connector' = 'kafka', 'dlq.topic' = 'orders_dlq')");
        assertThat(t.veloTables().get("orders"))
                .containsEntry("connector", "velo")
                .containsEntry("velo.connector", "kafka")
                .containsEntry("source.failure_strategy", "SendToDLQ")
                .containsEntry("dlq.topic", "orders_dlq");
        assertThat(t.veloTables().get("out"))
                .containsEntry("dlq.topic", "orders_dlq")
                .doesNotContainKey("source.failure_strategy");
        assertThat(t.statements().get(0)).startsWith("CREATE TABLE orders (id BIGINT) WITH (");
    }

    @Test
    void sourceKeysForAnUndeclaredSourceAreAnError() {
        String script =
                "CREATE STREAM out AS SELECT * FROM nowhere\n"
                        + "WITH (\n"
                        + "    'source.failure_strategy' = 'LogAndContinue'\n"
                        + ")";
        VeloSqlException e = error(() -> translate(script));
        assertThat(e.getLine()).isEqualTo(3);
        assertThat(e.getColumn()).isEqualTo(5);
        assertThat(e.getMessage()).contains("nowhere", "source.failure_strategy");
    }

    private VeloTranslation validate(String script) {
        return VeloSql.builder()
                .environment(Map.of())
                .baseDirectory(dir)
                .build()
                .validateScript(script);
    }

    @Test
    void validateChecksTheOptionsOfAnUndeclaredSourceAndWarns() {
        VeloTranslation t =
                validate(
                        "CREATE STREAM out AS SELECT * FROM nowhere\n"
                                + "WITH (\n"
                                + "    'source.failure_strategy' = 'LogAndContinue'\n"
                                + ")");
        assertThat(t.errors()).isEmpty();
        assertThat(t.warnings()).hasSize(1);
        assertThat(t.warnings().get(0).getLine()).isEqualTo(3);
        assertThat(t.warnings().get(0).getColumn()).isEqualTo(5);
        assertThat(t.warnings().get(0).getDetail())
                .contains("'nowhere'", "does not declare", "need the declaration");
        assertThat(t.veloTables().get("nowhere"))
                .containsEntry("source.failure_strategy", "LogAndContinue");
    }

    @Test
    void aBadValueOnAnUndeclaredSourceIsReportedWithTheMissingDeclaration() {
        String script =
                "CREATE STREAM out AS SELECT * FROM nowhere\n"
                        + "WITH (\n"
                        + "    'source.failure_strategy' = 'Bogus'\n"
                        + ")";
        VeloSqlException e = error(() -> translate(script));
        assertThat(e.getErrors()).hasSize(2);
        assertThat(e.getErrors().get(0).getDetail()).contains("does not declare");
        VeloSqlException value = e.getErrors().get(1);
        assertThat(value.getLine()).isEqualTo(3);
        assertThat(value.getColumn()).isEqualTo(33);
        assertThat(value.getDetail()).contains("'Bogus'", "source.failure_strategy");

        VeloTranslation checked = validate(script);
        assertThat(checked.errors()).hasSize(1);
        assertThat(checked.errors().get(0).getDetail()).contains("'Bogus'");
        assertThat(checked.warnings()).hasSize(1);
    }

    @Test
    void everyOptionValueErrorHasItsPositionAndANearMissSuggestion() {
        VeloSqlException e =
                error(
                        () ->
                                translate(
                                        "CREATE TABLE k (a INT) WITH ('connector' = 'kafka',\n"
                                                + "  'batch.strategy' = 'fixed_sise',\n"
                                                + "  'batch.parallel' = 'flase',\n"
                                                + "  'failure_strategy' = 'SendToDQL',\n"
                                                + "  'batch.size' = 'lots');\n"
                                                + "CREATE STREAM s AS SELECT * FROM k WITH (\n"
                                                + "  'sink.failure_strategy' = 'LogAndContinu',\n"
                                                + "  'batch.sise' = '5')"));
        List<VeloSqlException> all = e.getErrors();
        assertThat(all)
                .extracting(x -> x.getLine() + ":" + x.getColumn())
                .containsExactly("2:22", "3:22", "4:24", "5:18", "7:29", "8:3");
        assertThat(all.get(0).getDetail()).contains("Did you mean 'fixed_size'?");
        assertThat(all.get(1).getDetail()).contains("Did you mean 'false'?");
        assertThat(all.get(2).getDetail()).contains("Did you mean 'SendToDLQ'?");
        assertThat(all.get(3).getDetail()).contains("'lots'").doesNotContain("Did you mean");
        assertThat(all.get(4).getDetail()).contains("Did you mean 'LogAndContinue'?");
        assertThat(all.get(5).getDetail()).contains("did you mean 'batch.size'?");
        assertThat(e.getMessage()).contains("and 5 more errors");
    }

    @Test
    void statementErrorsDoNotHideLaterOnes() {
        VeloSqlException e =
                error(
                        () ->
                                translate(
                                        "CREATE STREAM s AS SELECT * FROM t WITH ('batch.size' 1);\n"
                                                + "CREATE STREAM u SELECT 1;\n"
                                                + "CREATE STREAM v AS SELECT * FROM t WITH ('batch.size' = '0')"));
        assertThat(e.getErrors()).extracting(VeloSqlException::getLine).containsExactly(1, 2, 3);
    }

    @Test
    void genericSourceAndSinkKeysAddressTheStreamsOwnSourceAndSink() throws IOException {
        Files.writeString(dir.resolve("in.csv"), "id,amount\n1,5.5\n2,300\n");
        VeloTranslation t =
                translate(
                        "CREATE STREAM out AS SELECT * FROM orders WHERE amount > 100 EMIT CHANGES"
                                + " WITH ('source.path' = 'in.csv', 'source.format' = 'csv',"
                                + " 'sink.path' = '/tmp/output.json', 'sink.format' = 'json',"
                                + " 'sink.failure_strategy' = 'LogAndContinue')");
        assertThat(t.runtimeMode()).contains(RuntimeExecutionMode.BATCH);
        assertThat(t.statements().get(1))
                .startsWith("CREATE TABLE `orders_raw` (`id` STRING, `amount` STRING) WITH (")
                .contains("'connector' = 'filesystem'", "'format' = 'csv'");
        assertThat(t.veloTables().get("out"))
                .containsEntry("velo.connector", "filesystem")
                .containsEntry("path", "/tmp/output.json")
                .containsEntry("format", "json")
                .containsEntry("sink.failure_strategy", "LogAndContinue");
        assertThat(t.notes()).anyMatch(n -> n.contains("'out' is a file_sink"));
    }

    @Test
    void tablePrefixedKeysInferTheConnectorToo() {
        VeloTranslation t =
                translate(
                        "CREATE STREAM out AS SELECT * FROM src WITH ("
                                + "'src.topic' = 'in', 'src.schema' = 'id BIGINT',"
                                + " 'out.path' = '/tmp/o', 'out.format' = 'csv')");
        assertThat(t.statements().get(0))
                .startsWith("CREATE TABLE `src` (id BIGINT) WITH (")
                .contains("'connector' = 'kafka'", "'topic' = 'in'");
        assertThat(t.veloTables().get("out")).containsEntry("velo.connector", "filesystem");
    }

    @Test
    void genericAndPrefixedFormOfOneKeyIsAnError() {
        VeloSqlException e =
                error(
                        () ->
                                translate(
                                        "CREATE STREAM out AS SELECT * FROM t WITH ("
                                                + "'out.path' = '/a', 'sink.path' = '/b')"));
        assertThat(e.getMessage()).contains("'sink.path' and 'out.path'", "only one");
    }

    @Test
    void genericSourceKeysNeedASingleSource() {
        VeloSqlException e =
                error(
                        () ->
                                translate(
                                        "CREATE STREAM out AS SELECT * FROM a JOIN b ON a.id = b.id"
                                                + " WITH ('source.path' = '/a.csv')"));
        assertThat(e.getMessage()).contains("'source.path'", "a, b", "prefix");
    }

    @Test
    void flinkSinkKeysStayWithAnExplicitConnector() {
        VeloTranslation t =
                translate(
                        "CREATE STREAM out AS SELECT * FROM t WITH ('connector' = 'kafka',"
                                + " 'topic' = 'o', 'sink.parallelism' = '2')");
        assertThat(t.veloTables().get("out"))
                .containsEntry("velo.connector", "kafka")
                .containsEntry("sink.parallelism", "2");
    }

    @Test
    void plainCreateTableWithVeloKeysIsWrapped() {
        VeloTranslation t =
                translate(
                        "CREATE TABLE k (a INT) WITH ('connector' = 'kafka', 'topic' = 't',"
                                + " 'batch.strategy' = 'low_latency')");
        assertThat(t.statements().get(0))
                .isEqualTo(
                        "CREATE TABLE k (a INT) WITH (\n"
                                + "  'connector' = 'velo',\n"
                                + "  'velo.connector' = 'kafka',\n"
                                + "  'topic' = 't',\n"
                                + "  'batch.strategy' = 'low_latency'\n"
                                + ")");
    }

    @Test
    void variablesAreSubstitutedWithDefaultsAndNotInComments() {
        VeloTranslation t =
                translate(
                        "-- uses ${UNSET_IN_COMMENT}\n"
                                + "CREATE STREAM s AS SELECT * FROM src WHERE x > ${LIMIT:-5} WITH ("
                                + "'connector' = 'kafka', 'topic' = '${TOPIC}',"
                                + " 'properties.group.id' = '${GROUP:g1}')",
                        Map.of("TOPIC", "events"));
        assertThat(t.statements().get(0))
                .contains("'topic' = 'events'", "'properties.group.id' = 'g1'", "x > 5");
    }

    @Test
    void unsetVariableIsAnErrorAtItsPlace() {
        VeloSqlException e = error(() -> translate("SELECT 1;\nSELECT ${NOPE} FROM t"));
        assertThat(e.getLine()).isEqualTo(2);
        assertThat(e.getColumn()).isEqualTo(8);
        assertThat(e.getMessage()).contains("NOPE");
    }

    @Test
    void batchSizeAnnotationSetsTheDefaultOfEverySink() {
        VeloTranslation t =
                translate(
                        "-- @batch_size: 500  # records per batch\n"
                                + "-- @job_mode: batch\n"
                                + "CREATE STREAM a AS SELECT * FROM t;\n"
                                + "CREATE STREAM b AS SELECT * FROM t WITH ('batch.strategy' = 'FixedSize');\n"
                                + "CREATE STREAM c AS SELECT * FROM t WITH ('batch.strategy' = 'time_window');\n"
                                + "CREATE STREAM d AS SELECT * FROM t WITH ('batch.size' = '7');");
        assertThat(t.annotations()).containsEntry("batch_size", "500");
        assertThat(t.jobMode()).contains("batch");
        assertThat(t.runtimeMode()).contains(RuntimeExecutionMode.BATCH);
        assertThat(t.statements().get(0)).isEqualTo("SET 'execution.runtime-mode' = 'batch'");
        assertThat(t.veloTables().get("a"))
                .containsEntry("batch.strategy", "fixed_size")
                .containsEntry("batch.size", "500");
        assertThat(t.veloTables().get("b")).containsEntry("batch.size", "500");
        assertThat(t.veloTables().get("c")).doesNotContainKey("batch.size");
        assertThat(t.veloTables().get("d")).containsEntry("batch.size", "7");
    }

    @Test
    void badBatchSizeAnnotationIsAnError() {
        VeloSqlException e = error(() -> translate("\n-- @batch_size: many\nSELECT 1"));
        assertThat(e.getLine()).isEqualTo(2);
        assertThat(e.getColumn()).isEqualTo(4);
    }

    @Test
    void velostreamJobModesAreRecordedNotMapped() {
        VeloTranslation t = translate("-- @job_mode: transactional\nSELECT 1");
        assertThat(t.jobMode()).contains("transactional");
        assertThat(t.runtimeMode()).isEmpty();
    }

    @Test
    void prefixedKafkaSourceAndSink() {
        VeloTranslation t =
                translate(
                        "CREATE STREAM out AS SELECT id FROM src EMIT CHANGES WITH ("
                                + "'src.type' = 'kafka_source', 'src.topic.name' = 'in',"
                                + " 'src.bootstrap.servers' = 'b:1', 'src.schema' = 'id BIGINT',"
                                + " 'src.auto.offset.reset' = 'latest', 'src.format' = 'avro',"
                                + " 'out.type' = 'kafka_sink', 'out.topic' = 'o',"
                                + " 'out.bootstrap.servers' = 'b:1')");
        assertThat(t.statements().get(0))
                .startsWith("CREATE TABLE `src` (id BIGINT) WITH (")
                .contains(
                        "'connector' = 'kafka'",
                        "'topic' = 'in'",
                        "'properties.bootstrap.servers' = 'b:1'",
                        "'scan.startup.mode' = 'latest-offset'",
                        "'format' = 'avro'");
        assertThat(t.veloTables().get("out"))
                .containsEntry("velo.connector", "kafka")
                .containsEntry("topic", "o")
                .doesNotContainKey("scan.startup.mode");
        assertThat(t.runtimeMode()).isEmpty();
    }

    @Test
    void kafkaSourceWithoutSchemaIsAnErrorAtItsKey() {
        VeloSqlException e =
                error(
                        () ->
                                translate(
                                        "CREATE STREAM out AS SELECT * FROM src WITH (\n"
                                                + "  'src.type' = 'kafka_source')"));
        assertThat(e.getLine()).isEqualTo(2);
        assertThat(e.getColumn()).isEqualTo(3);
        assertThat(e.getMessage()).contains("src.schema");
    }

    @Test
    void unknownSourceTypeListsTheAcceptedOnes() {
        VeloSqlException e =
                error(
                        () ->
                                translate(
                                        "CREATE STREAM out AS SELECT * FROM src WITH ("
                                                + "'src.type' = 'jdbc_source')"));
        assertThat(e.getMessage()).contains("jdbc_source", "kafka_source", "file_source");
    }

    @Test
    void csvSourceColumnsAreInferredFromTheHeader() throws IOException {
        Files.writeString(
                dir.resolve("in.csv"),
                "name,value,ratio,ok\nAlice,100,0.5,true\nBob,200,1,false\n");
        VeloTranslation t =
                translate(
                        "CREATE STREAM out AS SELECT * FROM input_data WHERE value > 150 EMIT CHANGES"
                                + " WITH ('input_data.type' = 'file_source',"
                                + " 'input_data.path' = './in.csv', 'input_data.format' = 'csv',"
                                + " 'out.type' = 'file_sink', 'out.path' = 'out', 'out.format' = 'csv')");
        List<String> s = t.statements();
        assertThat(s.get(0)).isEqualTo("SET 'execution.runtime-mode' = 'batch'");
        assertThat(s.get(1))
                .startsWith(
                        "CREATE TABLE `input_data_raw` (`name` STRING, `value` STRING, `ratio` STRING,"
                                + " `ok` STRING) WITH (")
                .contains("'path' = '" + dir.resolve("in.csv").toAbsolutePath() + "'");
        assertThat(s.get(2))
                .startsWith("CREATE TEMPORARY VIEW `input_data` AS")
                .contains(
                        "CAST(`value` AS BIGINT) AS `value`",
                        "CAST(`ratio` AS DOUBLE)",
                        "CAST(`ok` AS BOOLEAN)",
                        "`name` <> 'name'");
        assertThat(t.veloTables().get("out"))
                .containsEntry("velo.connector", "filesystem")
                .containsEntry("path", dir.resolve("out").toAbsolutePath().toString());
    }

    @Test
    void jsonSourceColumnsAreInferredFromTheFirstLines() throws IOException {
        Files.writeString(
                dir.resolve("in.jsonl"),
                "{\"id\": 1, \"amount\": 5, \"tag\": null, \"ok\": true}\nnot json\n"
                        + "{\"id\": 2, \"amount\": 2.5, \"tag\": \"x\", \"extra\": {\"a\": 1}}\n");
        VeloTranslation t =
                translate(
                        "CREATE STREAM out AS SELECT * FROM src WITH ("
                                + "'src.type' = 'file_source', 'src.path' = 'in.jsonl')");
        assertThat(t.statements().get(1))
                .startsWith(
                        "CREATE TABLE `src` (`id` BIGINT, `amount` DOUBLE, `tag` STRING, `ok` BOOLEAN,"
                                + " `extra` STRING) WITH (")
                .contains("'format' = 'json'");
    }

    @Test
    void configFileIsFlattenedAndOverriddenByWith() throws IOException {
        Files.writeString(
                dir.resolve("base.yaml"),
                "datasource:\n  consumer_config:\n    bootstrap.servers: \"${BROKERS:-x:1}\"\n"
                        + "  topic:\n    name: base_topic\n");
        Files.writeString(
                dir.resolve("src.yaml"),
                "extends: base.yaml\n# comment\nschema: 'id BIGINT, note STRING'\n"
                        + "consumer.group: grp # inline comment\n");
        VeloTranslation t =
                translate(
                        "CREATE STREAM out AS SELECT * FROM src WITH ('src.type' = 'kafka_source',"
                                + " 'src.config_file' = 'src.yaml', 'src.topic.name' = 'override')",
                        Map.of("BROKERS", "kafka:9092"));
        assertThat(t.statements().get(0))
                .startsWith("CREATE TABLE `src` (id BIGINT, note STRING) WITH (")
                .contains(
                        "'topic' = 'override'",
                        "'properties.bootstrap.servers' = 'kafka:9092'",
                        "'properties.group.id' = 'grp'");
    }

    @Test
    void missingConfigFileIsAnErrorAtTheStream() {
        VeloSqlException e =
                error(
                        () ->
                                translate(
                                        "CREATE STREAM out AS SELECT * FROM src WITH ("
                                                + "'src.type' = 'kafka_source',"
                                                + " 'src.config_file' = 'missing.yaml')"));
        assertThat(e.getLine()).isEqualTo(1);
        assertThat(e.getMessage()).contains("missing.yaml");
    }

    @Test
    void repeatedIdenticalSourceDeclarationIsAccepted() {
        String with = " WITH ('m.type' = 'kafka_source', 'm.topic' = 'm', 'm.schema' = 'p DOUBLE')";
        VeloTranslation t =
                translate(
                        "CREATE STREAM a AS SELECT * FROM m"
                                + with
                                + ";\n"
                                + "CREATE STREAM b AS SELECT * FROM m"
                                + with
                                + ";\n"
                                + "CREATE STREAM c AS SELECT * FROM a");
        assertThat(t.statements()).hasSize(4);
        assertThat(t.statements().get(3)).endsWith("AS SELECT * FROM a");
    }

    @Test
    void syntaxErrorsCarryLineAndColumn() {
        VeloSqlException unterminated =
                error(() -> translate("SELECT 1;\n\n  CREATE STREAM s AS SELECT 'oops FROM t"));
        assertThat(unterminated.getLine()).isEqualTo(3);
        assertThat(unterminated.getColumn()).isEqualTo(29);

        VeloSqlException missingAs = error(() -> translate("CREATE STREAM s SELECT * FROM t"));
        assertThat(missingAs.getLine()).isEqualTo(1);
        assertThat(missingAs.getColumn()).isEqualTo(17);
        assertThat(missingAs.getMessage()).contains("expected AS SELECT");

        VeloSqlException badOption =
                error(
                        () ->
                                translate(
                                        "CREATE STREAM s AS SELECT * FROM t\nWITH ('batch.size' 10)"));
        assertThat(badOption.getLine()).isEqualTo(2);
        assertThat(badOption.getColumn()).isEqualTo(20);

        VeloSqlException duplicate =
                error(
                        () ->
                                translate(
                                        "CREATE STREAM s AS SELECT * FROM t WITH ("
                                                + "'batch.size' = '1', 'batch.size' = '2')"));
        assertThat(duplicate.getMessage()).contains("given twice");

        VeloSqlException stray =
                error(
                        () ->
                                translate(
                                        "CREATE STREAM s AS SELECT * FROM t WITH ("
                                                + "'batch_size' = '1')"));
        assertThat(stray.getMessage()).contains("batch_size", "connector");
        assertThat(stray).isInstanceOf(ValidationException.class);
    }

    @Test
    void aStreamWithoutSinkFeedingAnotherBecomesAView() {
        VeloTranslation t =
                translate(
                        "CREATE STREAM stage1 AS SELECT * FROM t WHERE a > 1;\n"
                                + "CREATE STREAM stage2 AS SELECT * FROM stage1 WITH ("
                                + "'stage2.type' = 'kafka_sink', 'stage2.topic' = 's2')");
        assertThat(t.statements().get(0))
                .isEqualTo("CREATE TEMPORARY VIEW stage1 AS\nSELECT * FROM t WHERE a > 1");
        assertThat(t.veloTables()).containsOnlyKeys("stage2");
    }

    @Test
    void intoNamesTheSinkGroup() {
        VeloTranslation t =
                translate(
                        "CREATE STREAM q AS SELECT * FROM t INTO high WITH ("
                                + "'high.type' = 'kafka_sink', 'high.topic' = 'h')");
        assertThat(t.veloTables().get("q")).containsEntry("topic", "h");
    }

    @Test
    void pushQueryLosesEmitChanges() {
        assertThat(translate("SELECT * FROM t WHERE a > 1 EMIT CHANGES;").statements())
                .containsExactly("SELECT * FROM t WHERE a > 1");
    }

    @Test
    void statementSetBlocksStayTogether() {
        List<String> s =
                translate(
                                "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b"
                                        + " SELECT 2; END;\nSELECT 3")
                        .statements();
        assertThat(s).hasSize(2);
        assertThat(s.get(0)).endsWith("END");
    }

    @Test
    void staticApiUsesProcessEnvironment() {
        assertThat(VeloSql.translate("SELECT 1")).containsExactly("SELECT 1");
    }
}
