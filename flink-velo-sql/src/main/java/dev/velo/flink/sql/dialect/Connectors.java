package dev.velo.flink.sql.dialect;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * Maps a Velostream source or sink, declared by {@code <name>.*} keys and an optional YAML {@code
 * config_file}, onto the options of Flink's {@code kafka} or {@code filesystem} connector. The
 * entry point of the translator; the work is done by {@link ConnectorMapper} (connector mapping),
 * {@link ConnectorConfigFiles} (YAML files and their {@code extends} chains), {@link
 * FileSchemaInference} and {@link TopicSchemaInference} (columns of sources without a schema).
 */
@Internal
final class Connectors {

    /** How long a JSON Kafka source's topic is read for a sample, at most. */
    static final Duration KAFKA_SAMPLE_WAIT = TopicSchemaInference.KAFKA_SAMPLE_WAIT;

    private final ConnectorMapper mapper;

    Connectors(
            Path baseDirectory,
            Variables variables,
            SqlLexer lexer,
            List<String> notes,
            TopicSampler topicSampler) {
        this.mapper = new ConnectorMapper(baseDirectory, variables, lexer, notes, topicSampler);
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

    /** The Flink table of source or sink {@code name}; errors point at {@code at}. */
    Mapped map(String name, boolean source, Map<String, String> withKeys, Token at) {
        return mapper.map(name, source, withKeys, at);
    }

    /**
     * The type a source or sink without {@code type} has, from its keys as Velostream's parser
     * reads them: a {@code path} means a file, a topic or brokers mean Kafka; null when neither.
     */
    static String inferType(Map<String, String> keys, boolean source) {
        return ConnectorMapper.inferType(keys, source);
    }

    /** Back-quotes column names Flink reserves (e.g. {@code value}) in a column list. */
    static String quoteReserved(String schema) {
        return ColumnTypes.quoteReserved(schema);
    }

    /** {@code path} (or {@code file://path}) against the script's directory. */
    Path resolve(String path) {
        return mapper.resolve(path);
    }
}
