package dev.velo.flink.sql.dialect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonLocation;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reads a Velostream config file with a real YAML parser (the Jackson YAML module Flink ships
 * shaded, so no new library is needed) into a flat map whose keys join the path with dots ({@code
 * a.b.c}). Scalars keep their text as written; a list of scalars becomes a comma-separated string;
 * a null value adds no key. Several documents ({@code ---}) are read one after the other. Errors
 * name the line.
 */
@Internal
final class FlatYaml {

    private static final YAMLFactory YAML = new YAMLFactory();
    private static final Pattern MARK =
            Pattern.compile("^\\s*in '[^']*', line (\\d+), column \\d+:");

    private FlatYaml() {}

    /** Thrown for text that is not YAML or not a map of keys; {@link #line} is 1-based. */
    static final class YamlException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int line;

        YamlException(int line, String message) {
            super(message);
            this.line = line;
        }
    }

    static LinkedHashMap<String, String> parse(String yaml) {
        return parse(yaml, new LinkedHashMap<>());
    }

    /**
     * Like {@link #parse(String)}; also puts the 1-based line of each key into {@code lineOfKey}.
     */
    static LinkedHashMap<String, String> parse(String yaml, Map<String, Integer> lineOfKey) {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        try (JsonParser p = YAML.createParser(yaml)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t != JsonToken.START_OBJECT) {
                    if (t == JsonToken.VALUE_NULL) {
                        continue; // an empty document
                    }
                    throw new YamlException(
                            line(p.currentTokenLocation()),
                            "expected 'key: value' lines, found " + describe(p));
                }
                readMap(p, "", out, lineOfKey);
            }
        } catch (JsonProcessingException e) {
            throw error(e);
        } catch (IOException e) {
            throw new YamlException(0, e.getMessage());
        }
        return out;
    }

    /** Reads the entries of the map whose START_OBJECT is the current token. */
    private static void readMap(
            JsonParser p, String prefix, Map<String, String> out, Map<String, Integer> lines)
            throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String path = prefix + p.currentName();
            lines.put(path, line(p.currentTokenLocation()));
            JsonToken value = p.nextToken();
            if (value == JsonToken.START_OBJECT) {
                readMap(p, path + ".", out, lines);
            } else if (value == JsonToken.START_ARRAY) {
                List<String> items = new ArrayList<>();
                JsonToken item;
                while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (item == JsonToken.START_OBJECT || item == JsonToken.START_ARRAY) {
                        throw new YamlException(
                                line(p.currentTokenLocation()),
                                "key '"
                                        + path
                                        + "': a list holds only plain values here, found "
                                        + describe(p));
                    }
                    if (item != JsonToken.VALUE_NULL) {
                        items.add(p.getText());
                    }
                }
                if (!items.isEmpty()) {
                    out.put(path, String.join(",", items));
                }
            } else if (value != JsonToken.VALUE_NULL) {
                out.put(path, p.getText());
            }
        }
    }

    private static String describe(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT:
                return "a map";
            case START_ARRAY:
                return "a list";
            default:
                return "'" + p.getText() + "'";
        }
    }

    private static int line(JsonLocation location) {
        return location == null ? 0 : location.getLineNr();
    }

    /**
     * The parser's error as one line and the line it names. SnakeYAML's messages span lines: the
     * context ("while scanning a quoted scalar"), a mark ("in 'reader', line n, column m:") with an
     * excerpt of the text, then the problem and its mark; the first mark is where the construct in
     * error starts (Jackson's own location is often the start of the document).
     */
    private static YamlException error(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        int line = line(e.getLocation());
        if (message == null) {
            return new YamlException(line, e.getClass().getSimpleName());
        }
        List<String> words = new ArrayList<>();
        boolean marked = false;
        for (String l : message.split("\\R")) {
            Matcher mark = MARK.matcher(l);
            if (mark.find()) {
                if (!marked) {
                    line = Integer.parseInt(mark.group(1));
                    marked = true;
                }
            } else if (!l.isBlank() && !l.startsWith("    ")) {
                words.add(l.strip());
            }
        }
        if (words.isEmpty()) {
            return new YamlException(line, message.strip());
        }
        String problem = words.get(words.size() - 1);
        String context = String.join(" ", words.subList(0, words.size() - 1));
        return new YamlException(
                line, context.isEmpty() ? problem : problem + " (" + context + ")");
    }
}
