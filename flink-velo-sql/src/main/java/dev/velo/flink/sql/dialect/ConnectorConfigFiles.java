package dev.velo.flink.sql.dialect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;

/**
 * Reads the YAML {@code config_file} of a Velostream source or sink: its keys flattened to dotted
 * names, the file named by {@code extends:} read first (and its own {@code extends:} before it), so
 * that a file overrides what it extends. The {@code datasource.}/{@code datasink.} roots are
 * removed and {@code ${VAR}} references substituted. Every error names the file, and the line and
 * key where there is one.
 */
@Internal
final class ConnectorConfigFiles {

    static final String EXTENDS = "extends";

    private final SqlLexer lexer;
    private final Variables variables;

    ConnectorConfigFiles(SqlLexer lexer, Variables variables) {
        this.lexer = lexer;
        this.variables = variables;
    }

    /** The keys of {@code file} and of the files it extends; errors point at {@code at}. */
    Map<String, String> load(Path file, Token at) {
        return load(file, at, new HashSet<>(), null);
    }

    private Map<String, String> load(Path file, Token at, Set<Path> seen, String extendedBy) {
        if (!seen.add(file)) {
            throw lexer.error(at.start, "config_file " + file + " extends itself" + extendedBy);
        }
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw lexer.error(
                    at.start,
                    "cannot read config_file " + file + ": no such file" + orEmpty(extendedBy));
        } catch (IOException e) {
            throw lexer.error(
                    at.start,
                    "cannot read config_file "
                            + file
                            + ": "
                            + e.getMessage()
                            + orEmpty(extendedBy));
        }
        Map<String, Integer> lines = new LinkedHashMap<>();
        LinkedHashMap<String, String> flat;
        try {
            flat = FlatYaml.parse(yaml, lines);
        } catch (FlatYaml.YamlException e) {
            throw lexer.error(
                    at.start, "config_file " + file + " line " + e.line + ": " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        String parent = flat.remove(EXTENDS);
        if (parent != null) {
            Path base = file.getParent() == null ? Path.of(".") : file.getParent();
            out.putAll(
                    load(
                            base.resolve(parent).normalize(),
                            at,
                            seen,
                            " (named by '"
                                    + EXTENDS
                                    + "' in "
                                    + file
                                    + " line "
                                    + lines.get(EXTENDS)
                                    + ")"));
        }
        for (Map.Entry<String, String> e : flat.entrySet()) {
            String key = e.getKey();
            String where = "config_file " + file + " line " + lines.get(key) + " key '" + key + "'";
            if (key.startsWith("datasource.")) {
                key = key.substring("datasource.".length());
            } else if (key.startsWith("datasink.")) {
                key = key.substring("datasink.".length());
            }
            try {
                out.put(
                        key,
                        variables.substitute(e.getValue(), offset -> lexer.error(at.start, where)));
            } catch (VeloSqlException ex) {
                throw lexer.error(at.start, where + ": " + ex.getDetail());
            }
        }
        return out;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
