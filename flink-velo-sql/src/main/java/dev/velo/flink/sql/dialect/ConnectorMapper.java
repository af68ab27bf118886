package dev.velo.flink.sql.dialect;

import dev.velo.flink.batching.config.BatchOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;

/**
 * Maps the keys of a Velostream source or sink (its {@code <name>.*} keys over those of its {@code
 * config_file}) onto the options of Flink's {@code kafka}, {@code filesystem} or {@code print}
 * connector; a source without a schema gets its columns from {@link FileSchemaInference} or {@link
 * TopicSchemaInference}.
 */
@Internal
final class ConnectorMapper {

    private static final List<String> ACCEPTED_TYPES =
            List.of("kafka_source", "kafka_sink", "file_source", "file_sink", "stdout");

    /** Prefixes of Flink connector/format keys that pass through unchanged. */
    private static final List<String> FLINK_PREFIXES =
            List.of(
                    "properties.",
                    "scan.",
                    "csv.",
                    "json.",
                    "avro.",
                    // Flink's connectors' sink options (sink.partitioner, ...) share velo's prefix
                    BatchOptions.SINK_ALIAS_PREFIX,
                    "key.",
                    "value.");

    private final Path baseDirectory;
    private final SqlLexer lexer;
    private final List<String> notes;
    private final TopicSampler topicSampler;
    private final ConnectorConfigFiles configFiles;
    private final FileSchemaInference files;
    private final TopicSchemaInference topics;

    ConnectorMapper(
            Path baseDirectory,
            Variables variables,
            SqlLexer lexer,
            List<String> notes,
            TopicSampler topicSampler) {
        this.baseDirectory = baseDirectory;
        this.lexer = lexer;
        this.notes = notes;
        this.topicSampler = topicSampler;
        this.configFiles = new ConnectorConfigFiles(lexer, variables);
        this.files = new FileSchemaInference(lexer, notes);
        this.topics = new TopicSchemaInference(lexer, notes, topicSampler);
    }

    Connectors.Mapped map(String name, boolean source, Map<String, String> withKeys, Token at) {
        LinkedHashMap<String, String> cfg = new LinkedHashMap<>();
        String configFile = withKeys.get("config_file");
        if (configFile != null) {
            cfg.putAll(configFiles.load(resolve(configFile), at));
        }
        cfg.putAll(withKeys);
        Connectors.Mapped mapped = new Connectors.Mapped();
        Set<String> used =
                new HashSet<>(
                        List.of("type", "config_file", "schema", ConnectorConfigFiles.EXTENDS));
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
                topics.inferKafkaJson(name, mapped, at);
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
            mapped.columns = ColumnTypes.quoteReserved(schema);
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
            String name,
            boolean source,
            Map<String, String> cfg,
            Connectors.Mapped mapped,
            Set<String> used) {
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
            Connectors.Mapped mapped,
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
                files.inferCsv(name, resolved, mapped, at);
            } else if (format.equals("csv")) {
                String schema = cfg.getOrDefault("schema", cfg.get("columns"));
                files.headerIfPresent(resolved, ColumnTypes.quoteReserved(schema), mapped);
            } else if (format.equals("json")
                    && cfg.get("schema") == null
                    && cfg.get("columns") == null) {
                files.inferJson(name, resolved, mapped, at);
            }
        } else {
            notes.add(
                    "'"
                            + name
                            + "': Flink's filesystem sink writes part files into the directory "
                            + resolved);
        }
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
}
