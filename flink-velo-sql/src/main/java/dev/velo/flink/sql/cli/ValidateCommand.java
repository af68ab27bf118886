package dev.velo.flink.sql.cli;

import dev.velo.flink.sql.dialect.VeloTranslation;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.table.api.ValidationException;

/**
 * {@code velo validate (FILE.sql | -e SQL) [--json]}: the effective velo options of every table,
 * with the errors and warnings of the script, as text or as one JSON object.
 */
@Internal
final class ValidateCommand {

    private static final Option JSON = CliArguments.flag("json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Map<String, String> environment;

    ValidateCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    int run(List<String> args, PrintStream out, PrintStream err) {
        CommandLine line =
                CliArguments.parse(new Options().addOption(Script.INLINE).addOption(JSON), args);
        Script script = Script.of(line);
        if (script == null) {
            throw new UsageException("give a FILE.sql or -e SQL");
        }
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        VeloTranslation t = script.translator(environment).validateScript(script.text);
        t.errors().forEach(e -> errors.add(script.position(e)));
        t.warnings().forEach(w -> warnings.add(script.position(w)));
        // every table whose options are valid is listed, also when another table has errors;
        // the translator already reported option errors with their position
        boolean reported = !errors.isEmpty();
        for (Map.Entry<String, Map<String, String>> table : t.veloTables().entrySet()) {
            try {
                EffectiveOptions effective = EffectiveOptions.of(table.getKey(), table.getValue());
                tables.put(table.getKey(), effective.options);
                warnings.addAll(effective.warnings);
            } catch (ValidationException e) {
                if (!reported) {
                    errors.add(VeloCli.messages(e));
                }
            }
        }
        if (line.hasOption(JSON)) {
            out.println(json(tables, errors, warnings));
        } else {
            for (Map.Entry<String, Map<String, String>> table : tables.entrySet()) {
                out.println("table " + table.getKey());
                table.getValue().forEach((k, v) -> out.println("  " + k + " = " + v));
            }
            warnings.forEach(w -> err.println("warning: " + w));
            errors.forEach(e -> err.println("error: " + e));
            if (errors.isEmpty()) {
                out.println(
                        "valid: "
                                + tables.size()
                                + (tables.size() == 1 ? " table" : " tables")
                                + " with velo options");
            }
        }
        return errors.isEmpty() ? VeloCli.OK : VeloCli.ERRORS;
    }

    /** {@code {"tables":[{"name":..,"options":{..}}],"errors":[..],"warnings":[..]}}. */
    static String json(
            Map<String, Map<String, String>> tables, List<String> errors, List<String> warnings) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode tableNodes = root.putArray("tables");
        tables.forEach(
                (name, options) -> {
                    ObjectNode table = tableNodes.addObject().put("name", name);
                    ObjectNode optionNodes = table.putObject("options");
                    options.forEach(optionNodes::put);
                });
        errors.forEach(root.putArray("errors")::add);
        warnings.forEach(root.putArray("warnings")::add);
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the JSON of velo validate", e);
        }
    }
}
