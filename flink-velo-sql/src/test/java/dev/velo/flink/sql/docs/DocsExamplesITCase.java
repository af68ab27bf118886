package dev.velo.flink.sql.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.sql.cli.EmbeddedKafka;
import dev.velo.flink.sql.dialect.VeloSql;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every example of the documentation (README.md and docs/*.md) on a MiniCluster and an
 * embedded Kafka broker, so the docs cannot drift from the code.
 *
 * <p>The conventions, also stated in docs/contributing.md:
 *
 * <ul>
 *   <li>Every {@code ```sql} block runs, in page order, in one TableEnvironment per page. A block
 *       right after {@code <!-- not-run: reason -->} is skipped and counted.
 *   <li>{@code localhost:9092} becomes the embedded broker; {@code file:///tmp/velo/} a temporary
 *       directory. Every Kafka table is read bounded ({@code 'scan.bounded.mode' = 'latest-offset'}
 *       is added unless the table sets it) and every topic a page names exists. Topic {@code
 *       orders} holds valid orders, {@code orders-raw} valid and malformed ones.
 *   <li>CREATE TABLE/VIEW replaces an earlier object of the same name on the page. INSERT, CTAS and
 *       SELECT run as jobs and are awaited; SELECT rows are collected.
 *   <li>A block with {@code CREATE STREAM} is a Velostream script: it is translated with {@link
 *       VeloSql} together with the page's earlier CREATE TABLE statements, and the result runs. A
 *       block right after {@code <!-- translation -->} must equal the statements that translation
 *       produced or changed; it is not run a second time.
 *   <li>Every {@code ```java} block must appear, whitespace aside, in the Java sources of this
 *       package (imports: each one among their imports); those sources run here.
 * </ul>
 */
class DocsExamplesITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(40);
    private static final Pattern FENCE = Pattern.compile("(?m)^```(\\w*)[ \\t]*$");
    private static final Pattern MARKER =
            Pattern.compile("<!--\\s*(not-run|translation)\\b([^>]*)-->");
    private static final Pattern CREATE =
            Pattern.compile(
                    "(?is)^\\s*CREATE\\s+(?:OR\\s+REPLACE\\s+)?(TEMPORARY\\s+)?(TABLE|VIEW)\\s+"
                            + "(?:IF\\s+NOT\\s+EXISTS\\s+)?([`\\w.]+)(.*)$");
    private static final Pattern KAFKA_CONNECTOR =
            Pattern.compile("'(?:velo\\.)?connector'\\s*=\\s*'kafka'");
    private static final Pattern TOPIC = Pattern.compile("'(?:dlq\\.)?topic'\\s*=\\s*'([^']+)'");
    private static final Pattern VELOSTREAM = Pattern.compile("(?i)\\bCREATE\\s+STREAM\\b");

    /** Rows each documented SELECT returned, by its normalised text. */
    static final Map<String, Integer> SELECT_ROWS = new HashMap<>();

    static EmbeddedKafka kafka;
    static final Set<String> topics = new HashSet<>();

    @TempDir static Path tempDir;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
        createTopic("orders");
        kafka.produceStrings(
                "orders",
                List.of(
                        "{\"order_id\": 1, \"customer\": \"ada\", \"amount\": 120.5}",
                        "{\"order_id\": 2, \"customer\": \"bob\", \"amount\": 1500.0}",
                        "{\"order_id\": 3, \"customer\": \"cy\", \"amount\": 7.25}"));
        createTopic("orders-raw");
        // one malformed record in 62: below the 5 % error-rate guard of the DLQ example
        List<String> raw = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            raw.add(
                    "{\"order_id\": "
                            + i
                            + ", \"customer\": \"c"
                            + i
                            + "\", \"amount\": "
                            + i
                            + ".5}");
        }
        raw.add("{\"order_id\": 61, \"customer\": \"bob\", \"amount\": not-a-number}");
        raw.add("{\"order_id\": 62, \"customer\": \"cy\", \"amount\": 7.25}");
        kafka.produceStrings("orders-raw", raw);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everySqlExampleRuns() throws Exception {
        Path root = OptionsDocGenerator.defaultOutput().getParent().getParent();
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        List<String> failures = new ArrayList<>();
        int run = 0;
        int skipped = 0;
        int translations = 0;
        for (Path page : pages) {
            PageRun pageRun = new PageRun(root.relativize(page).toString());
            for (Block block : blocks(page)) {
                if (!block.language.equals("sql")) {
                    continue;
                }
                if ("not-run".equals(block.marker)) {
                    skipped++;
                    continue;
                }
                try {
                    if ("translation".equals(block.marker)) {
                        pageRun.checkTranslation(block);
                        translations++;
                    } else {
                        pageRun.run(block);
                        run++;
                    }
                } catch (Throwable t) {
                    failures.add(block.where(pageRun.page) + ": " + describe(t));
                }
            }
        }
        System.out.printf(
                "Docs SQL examples: %d blocks run, %d translations checked, %d marked not-run%n",
                run, translations, skipped);
        assertThat(failures).as("documentation examples that fail").isEmpty();
        // sql-client.md's DLQ example really dead-letters the malformed record of orders-raw
        assertThat(kafka.consumeStrings("orders-dlq", 1, Duration.ofSeconds(10)))
                .singleElement()
                .asString()
                .contains("\"table_name\":\"orders_checked\"")
                // decoding is guarded at the format, which cannot see the Kafka position
                .doesNotContain("\"kafka_topic\":\"orders-raw\"");
        // … and reading the DLQ back with SQL returns it
        assertThat(SELECT_ROWS)
                .hasEntrySatisfying(
                        SELECT_ROWS.keySet().stream()
                                .filter(k -> k.contains("raw_record FROM orders_dlq"))
                                .findFirst()
                                .orElse("(the DLQ read-back SELECT of sql-client.md)"),
                        rows -> assertThat(rows).isEqualTo(1));
        assertThat(run).as("SQL blocks run").isGreaterThan(10);
        assertThat(skipped).as("blocks marked not-run").isLessThanOrEqualTo(5);
    }

    @Test
    void everyJavaExampleIsCompiledAndRuns() throws Exception {
        Path root = OptionsDocGenerator.defaultOutput().getParent().getParent();
        Path sources = root.resolve("flink-velo-sql/src/test/java/dev/velo/flink/sql/docs");
        StringBuilder code = new StringBuilder();
        Set<String> imports = new HashSet<>();
        try (Stream<Path> files = Files.list(sources)) {
            for (Path file : files.sorted().collect(Collectors.toList())) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (line.startsWith("import ")) {
                        imports.add(line.trim());
                    } else {
                        code.append(line).append('\n');
                    }
                }
            }
        }
        String normalisedCode = normalise(code.toString());
        int checked = 0;
        List<String> missing = new ArrayList<>();
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            for (Path page : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                for (Block block : blocks(page)) {
                    if (!block.language.equals("java") || "not-run".equals(block.marker)) {
                        continue;
                    }
                    checked++;
                    StringBuilder body = new StringBuilder();
                    for (String line : block.text.split("\n")) {
                        if (line.startsWith("import ")) {
                            if (!imports.contains(line.trim())) {
                                missing.add(
                                        block.where(page.getFileName().toString()) + ": " + line);
                            }
                        } else {
                            body.append(line).append('\n');
                        }
                    }
                    if (!normalisedCode.contains(normalise(body.toString()))) {
                        missing.add(
                                block.where(page.getFileName().toString())
                                        + ": not found verbatim in "
                                        + sources);
                    }
                }
            }
        }
        assertThat(missing).as("Java doc blocks out of sync with their test copies").isEmpty();
        assertThat(checked).as("Java blocks checked").isGreaterThanOrEqualTo(6);

        assertThat(DataStreamApiDocExamples.batchConfigs()).hasSize(6);
        assertThat(DataStreamApiDocExamples.failureConfigs()).hasSize(3);
        ParseNumbersJob.main(new String[0]);
        DataStreamApiDocExamples.runStreamExamples();
        TableEnvironment tableEnv = DataStreamApiDocExamples.streamingTableEnvironment();
        assertThat(
                        DataStreamApiDocExamples.dialectApi(
                                        tableEnv,
                                        "CREATE TABLE numbers (n BIGINT) WITH ('connector' = 'datagen',"
                                                + " 'number-of-rows' = '5');\n"
                                                + "CREATE STREAM doubled AS SELECT n * 2 AS n FROM numbers"
                                                + " WITH ('connector' = 'blackhole', 'batch.size' = '2');\n")
                                .statements())
                .isNotEmpty();
    }

    /** The state of one page: its TableEnvironment and what its Velostream blocks translated to. */
    private static final class PageRun {
        final String page;
        final TableEnvironment env;
        final List<String> declarations = new ArrayList<>();
        List<String> lastTranslation;

        PageRun(String page) {
            this.page = page;
            this.env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
            env.getConfig().set("parallelism.default", "1");
        }

        void run(Block block) throws Exception {
            if (VELOSTREAM.matcher(block.text).find()) {
                String script =
                        String.join(";\n", declarations)
                                + (declarations.isEmpty() ? "" : ";\n")
                                + block.text;
                List<String> translated = VeloSql.translate(script);
                Set<String> unchanged =
                        declarations.stream()
                                .map(DocsExamplesITCase::normalise)
                                .collect(Collectors.toSet());
                lastTranslation =
                        translated.stream()
                                .filter(s -> !unchanged.contains(normalise(s)))
                                .collect(Collectors.toList());
                for (String statement : translated) {
                    execute(statement);
                }
                return;
            }
            for (String statement : splitStatements(block.text)) {
                Matcher create = CREATE.matcher(withoutLeadingComments(statement));
                if (create.matches() && !isCtas(create.group(4))) {
                    declarations.add(statement);
                }
                execute(statement);
            }
        }

        void checkTranslation(Block block) {
            assertThat(lastTranslation)
                    .as("a translation block needs a Velostream block before it")
                    .isNotNull();
            assertThat(
                            splitStatements(block.text).stream()
                                    .map(DocsExamplesITCase::normalise)
                                    .collect(Collectors.toList()))
                    .as("translation shown in the docs vs VeloSql.translate")
                    .isEqualTo(
                            lastTranslation.stream()
                                    .map(DocsExamplesITCase::normalise)
                                    .collect(Collectors.toList()));
            lastTranslation = null;
        }

        void execute(String original) throws Exception {
            String statement = substitute(original);
            Matcher topic = TOPIC.matcher(statement);
            while (topic.find()) {
                createTopic(topic.group(1));
            }
            String head = withoutLeadingComments(statement).toUpperCase(Locale.ROOT);
            Matcher create = CREATE.matcher(withoutLeadingComments(statement));
            if (create.matches()) {
                String name = create.group(3);
                boolean view = create.group(2).equalsIgnoreCase("VIEW");
                if (view) {
                    env.executeSql("DROP TEMPORARY VIEW IF EXISTS " + name);
                    env.executeSql("DROP VIEW IF EXISTS " + name);
                } else {
                    env.executeSql("DROP TEMPORARY TABLE IF EXISTS " + name);
                    env.executeSql("DROP TABLE IF EXISTS " + name);
                }
                if (isCtas(create.group(4))) {
                    await(env.executeSql(statement));
                } else {
                    env.executeSql(statement);
                    if (!view) {
                        plan(env, name);
                    }
                }
            } else if (head.startsWith("INSERT")) {
                await(env.executeSql(statement));
            } else if (head.startsWith("SELECT") || head.startsWith("WITH")) {
                TableResult result = env.executeSql(statement);
                await(result);
                int count = 0;
                try (CloseableIterator<Row> rows = result.collect()) {
                    while (rows.hasNext()) {
                        rows.next();
                        count++;
                    }
                }
                SELECT_ROWS.put(normalise(original), count);
            } else {
                env.executeSql(statement);
            }
        }
    }

    /**
     * CREATE TABLE only records options; planning a read of the table, or a write into it, makes
     * the connector factories validate them. One of the two must succeed (print and blackhole
     * cannot be read, some tables are only read).
     */
    private static void plan(TableEnvironment env, String name) {
        List<Throwable> errors = new ArrayList<>();
        try {
            env.explainSql("SELECT * FROM " + name);
            return;
        } catch (Throwable t) {
            errors.add(t);
        }
        String generator = "docs_gen_" + name.replaceAll("[^\\w]", "_");
        try {
            env.executeSql(
                    "CREATE TEMPORARY TABLE "
                            + generator
                            + " WITH ('connector' = 'datagen', 'number-of-rows' = '1') LIKE "
                            + name
                            + " (EXCLUDING ALL)");
            env.explainSql("INSERT INTO " + name + " SELECT * FROM " + generator);
            return;
        } catch (Throwable t) {
            errors.add(t);
        } finally {
            env.executeSql("DROP TEMPORARY TABLE IF EXISTS " + generator);
        }
        AssertionError error =
                new AssertionError("table " + name + " can be neither read nor written");
        errors.forEach(error::addSuppressed);
        throw error;
    }

    private static boolean isCtas(String rest) {
        return Pattern.compile("(?is)\\)\\s*AS\\s+(SELECT|WITH)\\b").matcher(rest).find()
                || Pattern.compile("(?is)^\\s*AS\\s+(SELECT|WITH)\\b").matcher(rest).find();
    }

    private static void await(TableResult result) throws Exception {
        result.await(JOB_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The documented placeholder substitutions. */
    static String substitute(String statement) {
        String s =
                statement
                        .replace("localhost:9092", kafka.bootstrapServers())
                        .replace("file:///tmp/velo/", tempDir.toUri().toString());
        if (!s.contains("scan.bounded.mode")) {
            Matcher m = KAFKA_CONNECTOR.matcher(s);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(
                        out,
                        Matcher.quoteReplacement(
                                m.group() + ", 'scan.bounded.mode' = 'latest-offset'"));
            }
            m.appendTail(out);
            s = out.toString();
        }
        return s;
    }

    static synchronized void createTopic(String name) {
        if (topics.add(name)) {
            kafka.createTopic(name, 1);
        }
    }

    /**
     * Statements of a block: split on ';' outside quotes and comments, comment-only parts dropped.
     */
    static List<String> splitStatements(String text) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inQuote = false;
        boolean inBackquote = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!inQuote
                    && !inBackquote
                    && c == '-'
                    && i + 1 < text.length()
                    && text.charAt(i + 1) == '-') {
                int end = text.indexOf('\n', i);
                end = end < 0 ? text.length() : end;
                current.append(text, i, end);
                i = end - 1;
                continue;
            }
            if (c == '\'' && !inBackquote) {
                inQuote = !inQuote;
            } else if (c == '`' && !inQuote) {
                inBackquote = !inBackquote;
            }
            if (c == ';' && !inQuote && !inBackquote) {
                addStatement(statements, current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        addStatement(statements, current.toString());
        return statements;
    }

    private static void addStatement(List<String> statements, String statement) {
        String withoutComments = statement.replaceAll("(?m)--.*$", "").trim();
        if (!withoutComments.isEmpty()) {
            statements.add(statement.trim());
        }
    }

    static String withoutLeadingComments(String statement) {
        return statement.replaceAll("\\A(\\s*--[^\\n]*(\\n|\\z))*", "").stripLeading();
    }

    static String normalise(String code) {
        return code.replaceAll("\\s+", " ").trim();
    }

    private static String describe(Throwable t) {
        StringBuilder message = new StringBuilder(String.valueOf(t));
        for (Throwable s : t.getSuppressed()) {
            message.append("\n    ").append(describe(s));
        }
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            message.append("\n    caused by ").append(c);
        }
        return message.toString();
    }

    /** A fenced block of a Markdown page, with the marker comment right before it (or null). */
    record Block(String language, String text, int line, String marker) {
        String where(String page) {
            return page + ":" + line + " (```" + language + ")";
        }
    }

    static List<Block> blocks(Path page) throws IOException {
        String markdown = Files.readString(page, StandardCharsets.UTF_8);
        List<Block> blocks = new ArrayList<>();
        Matcher fence = FENCE.matcher(markdown);
        while (fence.find()) {
            String language = fence.group(1).toLowerCase(Locale.ROOT);
            int open = fence.start();
            int start = fence.end() + 1;
            if (!fence.find()) {
                throw new IllegalStateException(page + ": unclosed code block");
            }
            String text = markdown.substring(Math.min(start, fence.start()), fence.start());
            int line = (int) markdown.substring(0, start).chars().filter(c -> c == '\n').count();
            String before = markdown.substring(0, open).stripTrailing();
            int lastLine = before.lastIndexOf('\n');
            Matcher marker = MARKER.matcher(before.substring(lastLine + 1));
            blocks.add(new Block(language, text, line, marker.find() ? marker.group(1) : null));
        }
        return blocks;
    }
}
