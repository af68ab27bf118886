package dev.velo.flink.sql.dialect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Maps a Velostream source or sink, declared by {@code <name>.*} keys and an optional YAML {@code
 * config_file}, onto the options of Flink's {@code kafka} or {@code filesystem} connector.
 */
@Internal
final class Connectors {

    private static final List<String> ACCEPTED_TYPES =
            List.of("kafka_source", "kafka_sink", "file_source", "file_sink", "stdout");

    /** Prefixes of Flink connector/format keys that pass through unchanged. */
    private static final List<String> FLINK_PREFIXES =
            List.of("properties.", "scan.", "csv.", "json.", "avro.", "sink.", "key.", "value.");

    private static final int SAMPLE_ROWS = 100;

    /** How long a JSON Kafka source's topic is read for a sample, at most. */
    static final Duration KAFKA_SAMPLE_WAIT = Duration.ofSeconds(10);

    private final Path baseDirectory;
    private final Variables variables;
    private final SqlLexer lexer;
    private final List<String> notes;
    private final TopicSampler topicSampler;

    Connectors(
            Path baseDirectory,
            Variables variables,
            SqlLexer lexer,
            List<String> notes,
            TopicSampler topicSampler) {
        this.baseDirectory = baseDirectory;
        this.variables = variables;
        this.lexer = lexer;
        this.notes = notes;
        this.topicSampler = topicSampler;
    }

    /** What a Velostream source/sink becomes in Flink. */
    static final class Mapped {
        final LinkedHashMap<String, String> options = new LinkedHashMap<>();
        final LinkedHashMap<String, String> veloOptions = new LinkedHashMap<>();
        String columns;
        String rawColumns;
        String headerView;
        boolean fileSource;
    }

    Mapped map(String name, boolean source, Map<String, String> withKeys, Token at) {
        LinkedHashMap<String, String> cfg = new LinkedHashMap<>();
        String configFile = withKeys.get("config_file");
        if (configFile != null) {
            cfg.putAll(loadConfig(resolve(configFile), at, new HashSet<>()));
        }
        cfg.putAll(withKeys);
        Mapped mapped = new Mapped();
        Set<String> used = new HashSet<>(List.of("type", "config_file", "schema", "extends"));
        String type = cfg.get("type");
        if (type == null) {
            type = inferType(cfg, source);
            if (type != null) {
                notes.add(
                        "'"
                                + name
                                + "' is a "
                                + type
                                + (type.startsWith("file")
                                        ? " (a path is given)"
                                        : " (a topic or brokers are given)")
                                + "; write '"
                                + name
                                + ".type' to say so");
            }
        }
        if (type == null) {
            throw lexer.error(
                    at.start,
                    "'"
                            + name
                            + ".type' is missing; accepted: "
                            + String.join(", ", ACCEPTED_TYPES));
        }
        String kind = type.toLowerCase(Locale.ROOT);
        if (kind.startsWith("kafka")) {
            mapKafka(name, source, cfg, mapped, used);
        } else if (kind.startsWith("file")) {
            mapFile(name, source, cfg, mapped, used, at);
        } else if (!source
                && (kind.equals("stdout") || kind.equals("console") || kind.equals("print"))) {
            mapped.options.put("connector", "print");
        } else {
            throw lexer.error(
                    at.start,
                    "'"
                            + name
                            + ".type' = '"
                            + type
                            + "' is not supported; accepted: "
                            + String.join(", ", ACCEPTED_TYPES));
        }
        if ((source && kind.endsWith("_sink")) || (!source && kind.endsWith("_source"))) {
            throw lexer.error(
                    at.start,
                    "'"
                            + name
                            + ".type' = '"
                            + type
                            + "' but '"
                            + name
                            + "' is used as a "
                            + (source ? "source" : "sink"));
        }
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<String, String> e : withKeys.entrySet()) {
            String key = e.getKey();
            if (used.contains(key)) {
                continue;
            }
            if (VeloKeys.isVeloKey(key)) {
                mapped.veloOptions.put(key, e.getValue());
            } else if (FLINK_PREFIXES.stream().anyMatch(key::startsWith)) {
                mapped.options.put(key, e.getValue());
            } else {
                ignored.add(key);
            }
        }
        if (!ignored.isEmpty()) {
            notes.add(
                    "'"
                            + name
                            + "': Velostream keys without a Flink equivalent ignored: "
                            + ignored);
        }
        if (source && mapped.columns == null) {
            String schema = cfg.get("schema");
            if (schema == null) {
                schema = cfg.get("columns");
            }
            if (schema == null
                    && kind.startsWith("kafka")
                    && "json".equals(mapped.options.get("format"))
                    && topicSampler != null) {
                inferKafkaJson(name, mapped, at);
                return mapped;
            }
            if (schema == null) {
                throw lexer.error(
                        at.start,
                        "source '"
                                + name
                                + "' has no schema: add '"
                                + name
                                + ".schema' = 'id BIGINT, amount DOUBLE, ...' or a 'schema:' entry in its"
                                + " config_file (CSV files with a header line need neither)");
            }
            mapped.columns = quoteReserved(schema);
        }
        return mapped;
    }

    /**
     * The type a source or sink without {@code type} has, from its keys as Velostream's parser
     * reads them: a {@code path} means a file, a topic or brokers mean Kafka; null when neither.
     */
    static String inferType(Map<String, String> keys, boolean source) {
        String side = source ? "_source" : "_sink";
        for (String k : List.of("path", "file.path", "file_path")) {
            if (keys.containsKey(k)) {
                return "file" + side;
            }
        }
        for (String k :
                List.of("topic", "topic.name", "topic_name", "bootstrap.servers", "brokers")) {
            if (keys.containsKey(k)) {
                return "kafka" + side;
            }
        }
        return null;
    }

    private void mapKafka(
            String name, boolean source, Map<String, String> cfg, Mapped mapped, Set<String> used) {
        mapped.options.put("connector", "kafka");
        mapped.options.put("topic", first(cfg, used, name, "topic.name", "topic", "topic_name"));
        String servers =
                first(
                        cfg,
                        used,
                        null,
                        "bootstrap.servers",
                        "brokers",
                        "consumer_config.bootstrap.servers",
                        "producer_config.bootstrap.servers",
                        "properties.bootstrap.servers");
        if (servers == null) {
            servers = "localhost:9092";
            notes.add("'" + name + "': no bootstrap.servers given, using localhost:9092");
        }
        mapped.options.put("properties.bootstrap.servers", servers);
        if (source) {
            mapped.options.put(
                    "properties.group.id",
                    first(
                            cfg,
                            used,
                            "velo-" + name,
                            "group.id",
                            "consumer.group",
                            "consumer_config.group.id",
                            "properties.group.id"));
            String reset =
                    first(
                            cfg,
                            used,
                            "earliest",
                            "scan.startup.mode",
                            "auto.offset.reset",
                            "consumer_config.auto.offset.reset");
            mapped.options.put("scan.startup.mode", startupMode(reset));
        }
        mapped.options.put("format", format(cfg, used, "json"));
    }

    private static String startupMode(String reset) {
        switch (reset.toLowerCase(Locale.ROOT)) {
            case "earliest":
                return "earliest-offset";
            case "latest":
                return "latest-offset";
            default:
                return reset;
        }
    }

    private void mapFile(
            String name,
            boolean source,
            Map<String, String> cfg,
            Mapped mapped,
            Set<String> used,
            Token at) {
        String path = first(cfg, used, null, "path", "file.path", "file_path");
        if (path == null) {
            throw lexer.error(
                    at.start, "'" + name + ".path' is required for a file source or sink");
        }
        Path resolved = resolve(path);
        String lower = path.toLowerCase(Locale.ROOT);
        String fallback =
                lower.endsWith(".csv")
                        ? "csv"
                        : (lower.endsWith(".json")
                                        || lower.endsWith(".jsonl")
                                        || lower.endsWith(".ndjson"))
                                ? "json"
                                : null;
        String format = format(cfg, used, fallback);
        if (format == null) {
            throw lexer.error(
                    at.start,
                    "'" + name + ".format' is required (csv or json) for path '" + path + "'");
        }
        mapped.options.put("connector", "filesystem");
        mapped.options.put("path", resolved.toString());
        mapped.options.put("format", format);
        if (source) {
            mapped.fileSource = true;
            if (format.equals("csv") && cfg.get("schema") == null && cfg.get("columns") == null) {
                inferCsv(name, resolved, mapped, at);
            } else if (format.equals("csv")) {
                String schema = cfg.getOrDefault("schema", cfg.get("columns"));
                headerIfPresent(resolved, quoteReserved(schema), mapped);
            } else if (format.equals("json")
                    && cfg.get("schema") == null
                    && cfg.get("columns") == null) {
                inferJson(name, resolved, mapped, at);
            }
        } else {
            notes.add(
                    "'"
                            + name
                            + "': Flink's filesystem sink writes part files into the directory "
                            + resolved);
        }
    }

    /** STRING columns named by the header; typed by the first rows; the header row filtered out. */
    private void inferCsv(String name, Path file, Mapped mapped, Token at) {
        List<String[]> rows = sample(file, name, at);
        if (rows.isEmpty()) {
            throw lexer.error(
                    at.start,
                    "cannot infer the columns of '"
                            + name
                            + "' from "
                            + file
                            + " (empty or missing); add '"
                            + name
                            + ".schema'");
        }
        String[] header = rows.get(0);
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (int c = 0; c < header.length; c++) {
            names.add(header[c].trim());
            types.add(inferType(rows, c));
        }
        setHeaderView(names, types, mapped);
        notes.add(
                "'"
                        + name
                        + "': columns inferred from the CSV header of "
                        + file.getFileName()
                        + ": "
                        + mapped.columns);
    }

    /** Columns from the fields of the first JSON lines: BIGINT, DOUBLE, BOOLEAN, else STRING. */
    private void inferJson(String name, Path file, Mapped mapped, Token at) {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> types = new LinkedHashMap<>();
        List<String> lines =
                sampleLines(file, SAMPLE_ROWS, name, at, "; add '" + name + ".schema'");
        for (String line : lines) {
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (IOException e) {
                continue; // a malformed line is the failure strategy's business, not the schema's
            }
            if (node == null || !node.isObject()) {
                continue;
            }
            node.fields()
                    .forEachRemaining(
                            f ->
                                    types.merge(
                                            f.getKey(), jsonType(f.getValue()), Connectors::widen));
        }
        if (types.isEmpty()) {
            throw lexer.error(
                    at.start,
                    "cannot infer the columns of '"
                            + name
                            + "' from "
                            + file
                            + " (no JSON object found); add '"
                            + name
                            + ".schema'");
        }
        mapped.columns = columnList(types);
        notes.add(
                "'"
                        + name
                        + "': columns inferred from the JSON lines of "
                        + file.getFileName()
                        + ": "
                        + mapped.columns);
    }

    /**
     * Columns from the fields of the first records of a JSON Kafka topic. Unlike files, where a
     * column whose values disagree becomes STRING, a topic whose records disagree on a field's type
     * is an error naming the field: a guessed STRING column would hide the disagreement.
     */
    private void inferKafkaJson(String name, Mapped mapped, Token at) {
        String topic = mapped.options.get("topic");
        String pin = "; pin it with '" + name + ".schema' = 'col TYPE, ...'";
        List<byte[]> records;
        try {
            records = topicSampler.sample(mapped.options, SAMPLE_ROWS, KAFKA_SAMPLE_WAIT);
        } catch (Exception e) {
            throw lexer.error(
                    at.start,
                    "source '"
                            + name
                            + "' has no schema and topic '"
                            + topic
                            + "' could not be sampled to infer one ("
                            + e.getMessage()
                            + ")"
                            + pin);
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> firstSeen = new LinkedHashMap<>();
        int objects = 0;
        for (byte[] value : records) {
            JsonNode node;
            try {
                node = value == null ? null : json.readTree(value);
            } catch (IOException e) {
                continue; // a malformed record is the failure strategy's business
            }
            if (node == null || !node.isObject()) {
                continue;
            }
            objects++;
            var fields = node.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                String type = kafkaJsonType(f.getValue());
                String known = types.get(f.getKey());
                if (known == null) {
                    types.put(f.getKey(), type);
                    firstSeen.put(f.getKey(), f.getValue().toString());
                    continue;
                }
                boolean numbers = isNumber(known) && isNumber(type);
                if (!known.equals(type)
                        && !known.equals("NULL")
                        && !type.equals("NULL")
                        && !numbers) {
                    throw lexer.error(
                            at.start,
                            "cannot infer the columns of '"
                                    + name
                                    + "' from topic '"
                                    + topic
                                    + "': field '"
                                    + f.getKey()
                                    + "' is "
                                    + describe(known)
                                    + " in one record ("
                                    + abbreviate(firstSeen.get(f.getKey()))
                                    + ") and "
                                    + describe(type)
                                    + " in another ("
                                    + abbreviate(f.getValue().toString())
                                    + ")"
                                    + pin);
                }
                types.put(f.getKey(), widen(known, type));
            }
        }
        if (types.isEmpty()) {
            throw lexer.error(
                    at.start,
                    "cannot infer the columns of '"
                            + name
                            + "' from topic '"
                            + topic
                            + "': "
                            + (records.isEmpty()
                                    ? "no record arrived within "
                                            + KAFKA_SAMPLE_WAIT.toSeconds()
                                            + " s"
                                    : "none of its first "
                                            + records.size()
                                            + " records is a JSON object")
                            + pin);
        }
        mapped.columns = columnList(types);
        notes.add(
                "'"
                        + name
                        + "': columns inferred from "
                        + objects
                        + " record(s) of topic '"
                        + topic
                        + "': "
                        + mapped.columns
                        + " (pin them with '"
                        + name
                        + ".schema' = '"
                        + mapped.columns
                        + "')");
    }

    /**
     * The column list of inferred JSON field types: a field only ever null, or an object or array
     * of a Kafka sample, is a STRING column.
     */
    private static String columnList(Map<String, String> types) {
        List<String> columns = new ArrayList<>();
        types.forEach(
                (column, type) ->
                        columns.add(
                                ScriptTranslator.quote(column)
                                        + " "
                                        + (type.equals("NULL") || type.startsWith("STRING")
                                                ? "STRING"
                                                : type)));
        return String.join(", ", columns);
    }

    private static boolean isNumber(String type) {
        return type.equals("BIGINT") || type.equals("DOUBLE");
    }

    /** Like {@link #jsonType}, with objects and arrays kept apart from strings. */
    private static String kafkaJsonType(JsonNode value) {
        if (value.isObject() || value.isArray()) {
            return value.isObject() ? "STRING:object" : "STRING:array";
        }
        return jsonType(value);
    }

    private static String describe(String type) {
        switch (type) {
            case "BIGINT":
            case "DOUBLE":
                return "a number";
            case "BOOLEAN":
                return "a boolean";
            case "STRING":
                return "a string";
            default:
                return type.contains("object") ? "an object" : "an array";
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private static String jsonType(JsonNode value) {
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return "BIGINT";
        }
        if (value.isNumber()) {
            return "DOUBLE";
        }
        if (value.isBoolean()) {
            return "BOOLEAN";
        }
        return value.isNull() ? "NULL" : "STRING";
    }

    private static String widen(String a, String b) {
        if (a.equals(b) || b.equals("NULL")) {
            return a;
        }
        if (a.equals("NULL")) {
            return b;
        }
        if ((a.equals("BIGINT") && b.equals("DOUBLE"))
                || (a.equals("DOUBLE") && b.equals("BIGINT"))) {
            return "DOUBLE";
        }
        return "STRING";
    }

    private void headerIfPresent(Path file, String schema, Mapped mapped) {
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (String column : splitColumns(schema)) {
            String[] parts = column.trim().split("\\s+", 2);
            names.add(parts[0].replace("`", ""));
            types.add(parts.length > 1 ? parts[1] : "STRING");
        }
        String firstLine;
        try (Stream<String> lines = Files.lines(file)) {
            firstLine = lines.findFirst().orElse("");
        } catch (IOException | RuntimeException e) {
            return; // the file may appear later; read it as declared
        }
        List<String> fields =
                Stream.of(firstLine.split(",", -1)).map(String::trim).collect(Collectors.toList());
        if (fields.size() == names.size()
                && fields.stream()
                        .map(f -> f.toLowerCase(Locale.ROOT))
                        .collect(Collectors.toList())
                        .equals(
                                names.stream()
                                        .map(n -> n.toLowerCase(Locale.ROOT))
                                        .collect(Collectors.toList()))) {
            setHeaderView(names, types, mapped);
        }
        mapped.columns = schema;
    }

    /** Back-quotes column names Flink reserves (e.g. {@code value}) in a column list. */
    static String quoteReserved(String schema) {
        List<String> out = new ArrayList<>();
        for (String column : splitColumns(schema)) {
            String trimmed = column.trim();
            String[] parts = trimmed.split("\\s+", 2);
            if (parts.length == 2
                    && ScriptTranslator.RESERVED_NAMES.contains(
                            parts[0].toLowerCase(Locale.ROOT))) {
                trimmed = ScriptTranslator.quote(parts[0]) + " " + parts[1];
            }
            out.add(trimmed);
        }
        return String.join(", ", out);
    }

    private static List<String> splitColumns(String schema) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < schema.length(); i++) {
            char c = schema.charAt(i);
            if (c == '(' || c == '<') {
                depth++;
            } else if (c == ')' || c == '>') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(schema.substring(start, i));
                start = i + 1;
            }
        }
        out.add(schema.substring(start));
        return out;
    }

    private static void setHeaderView(List<String> names, List<String> types, Mapped mapped) {
        List<String> raw = new ArrayList<>();
        List<String> typed = new ArrayList<>();
        List<String> select = new ArrayList<>();
        List<String> notHeader = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            String q = ScriptTranslator.quote(names.get(c));
            raw.add(q + " STRING");
            typed.add(q + " " + types.get(c));
            select.add(
                    types.get(c).equalsIgnoreCase("STRING")
                            ? q
                            : "CAST(" + q + " AS " + types.get(c) + ") AS " + q);
            notHeader.add(q + " <> " + ScriptTranslator.literal(names.get(c)));
        }
        mapped.rawColumns = String.join(", ", raw);
        mapped.columns = String.join(", ", typed);
        mapped.headerView =
                "SELECT "
                        + String.join(", ", select)
                        + "\nFROM ${RAW}\nWHERE "
                        + String.join(" OR ", notHeader);
    }

    private List<String[]> sample(Path file, String name, Token at) {
        return sampleLines(file, SAMPLE_ROWS + 1, name, at, "").stream()
                .map(l -> l.split(",", -1))
                .collect(Collectors.toList());
    }

    /**
     * The first {@code limit} non-blank lines of {@code file}, read to infer the columns of table
     * {@code name}; a read error names the file and the table, followed by {@code hint}.
     */
    private List<String> sampleLines(Path file, int limit, String name, Token at, String hint) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).limit(limit).collect(Collectors.toList());
        } catch (IOException | RuntimeException e) {
            throw lexer.error(
                    at.start,
                    "cannot read "
                            + file
                            + " to infer the columns of '"
                            + name
                            + "': "
                            + e.getMessage()
                            + hint);
        }
    }

    private static String inferType(List<String[]> rows, int column) {
        boolean isLong = true;
        boolean isDouble = true;
        boolean isBoolean = true;
        int seen = 0;
        for (int r = 1; r < rows.size(); r++) {
            if (column >= rows.get(r).length) {
                continue;
            }
            String v = rows.get(r)[column].trim();
            if (v.isEmpty()) {
                continue;
            }
            seen++;
            isLong &= v.matches("[-+]?\\d{1,18}");
            isDouble &= v.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
            isBoolean &= v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false");
        }
        if (seen == 0) {
            return "STRING";
        }
        return isLong ? "BIGINT" : isDouble ? "DOUBLE" : isBoolean ? "BOOLEAN" : "STRING";
    }

    private static String format(Map<String, String> cfg, Set<String> used, String fallback) {
        String f =
                first(
                        cfg,
                        used,
                        null,
                        "format",
                        "value.format",
                        "serializer",
                        "value.serializer",
                        "schema.value.serializer");
        if (f == null) {
            return fallback;
        }
        switch (f.toLowerCase(Locale.ROOT)) {
            case "json":
            case "jsonlines":
            case "json_lines":
            case "jsonl":
            case "ndjson":
                return "json";
            case "string":
                return "raw";
            default:
                return f.toLowerCase(Locale.ROOT);
        }
    }

    private static String first(
            Map<String, String> cfg, Set<String> used, String fallback, String... keys) {
        for (String k : keys) {
            used.add(k);
        }
        for (String k : keys) {
            String v = cfg.get(k);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return fallback;
    }

    Path resolve(String path) {
        Path p = Path.of(path.startsWith("file://") ? path.substring("file://".length()) : path);
        return (p.isAbsolute() ? p : baseDirectory.resolve(p)).toAbsolutePath().normalize();
    }

    /** Flattened YAML, {@code extends:} files first, datasource./datasink. roots removed. */
    private Map<String, String> loadConfig(Path file, Token at, Set<Path> seen) {
        if (!seen.add(file)) {
            throw lexer.error(at.start, "config_file " + file + " extends itself");
        }
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            throw lexer.error(at.start, "cannot read config_file " + file + ": " + e.getMessage());
        }
        LinkedHashMap<String, String> flat;
        try {
            flat = FlatYaml.parse(yaml);
        } catch (FlatYaml.YamlException e) {
            throw lexer.error(
                    at.start, "config_file " + file + " line " + e.line + ": " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        String parent = flat.remove("extends");
        if (parent != null) {
            Path base = file.getParent() == null ? Path.of(".") : file.getParent();
            out.putAll(loadConfig(base.resolve(parent).normalize(), at, seen));
        }
        for (Map.Entry<String, String> e : flat.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("datasource.")) {
                key = key.substring("datasource.".length());
            } else if (key.startsWith("datasink.")) {
                key = key.substring("datasink.".length());
            }
            String value =
                    variables.substitute(
                            e.getValue(),
                            offset ->
                                    new VeloSqlException(
                                            at.line, at.column, "in config_file " + file));
            out.put(key, value);
        }
        return out;
    }
}
