package dev.velo.flink.sql.dialect;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates one Velostream script into Flink statements; one instance per script. The stages, each
 * testable alone: {@link ScriptAnnotations} (the {@code -- @name:} lines), {@link Variables},
 * {@link SqlLexer}, {@link ScriptParser} (statements into a {@link Statement} tree), {@link
 * ScriptRewriter} (Velostream to Flink, checking velo options) and {@link ScriptRenderer}.
 */
@Internal
final class ScriptTranslator {

    private static final Logger LOG = LoggerFactory.getLogger(ScriptTranslator.class);

    private final Map<String, String> environment;
    private final Path baseDirectory;
    private final String wrapperConnector;

    /** validate: an undeclared table's options are a warning, errors are returned, not thrown. */
    private final boolean lenient;

    private TopicSampler topicSampler;

    ScriptTranslator(
            Map<String, String> environment,
            Path baseDirectory,
            String wrapperConnector,
            boolean lenient) {
        this.environment = environment;
        this.baseDirectory = baseDirectory;
        this.wrapperConnector = wrapperConnector;
        this.lenient = lenient;
    }

    /** Where a JSON Kafka source without a schema gets its sample; null: none. */
    ScriptTranslator withTopicSampler(TopicSampler sampler) {
        this.topicSampler = sampler;
        return this;
    }

    VeloTranslation translate(String script) {
        ScriptAnnotations annotations = ScriptAnnotations.read(script);
        SqlLexer lexer = new SqlLexer(new Variables(environment).substituteSql(script));
        ScriptParser parser = new ScriptParser(lexer);
        ScriptRewriter rewriter =
                new ScriptRewriter(
                        annotations,
                        environment,
                        baseDirectory,
                        wrapperConnector,
                        lenient,
                        topicSampler,
                        lexer);
        List<VeloSqlException> parseErrors = new ArrayList<>();
        List<Statement> statements = parser.parse(parseErrors);
        ScriptRewriter.Result result = rewriter.rewrite(statements, parseErrors, parser.tokens());
        if (!lenient && !result.errors().isEmpty()) {
            throw VeloSqlException.of(result.errors());
        }
        result.notes().forEach(n -> LOG.info("velo dialect: {}", n));
        return new ScriptRenderer(wrapperConnector).render(result, annotations.values());
    }
}
