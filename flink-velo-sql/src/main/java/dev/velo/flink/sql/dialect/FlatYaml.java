package dev.velo.flink.sql.dialect;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * Reads the subset of YAML that Velostream config files use (nested maps of scalars, comments,
 * quoted strings, simple lists) into a flat map whose keys join the path with dots ({@code a.b.c}).
 * Lists become comma-separated strings. Anything else is an error naming the line.
 */
@Internal
final class FlatYaml {

    private FlatYaml() {}

    /** Thrown for text outside the supported subset; {@link #line} is 1-based. */
    static final class YamlException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int line;

        YamlException(int line, String message) {
            super(message);
            this.line = line;
        }
    }

    static LinkedHashMap<String, String> parse(String yaml) {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        // each frame: indentation of its keys and the dotted path leading to it
        Deque<int[]> indents = new ArrayDeque<>();
        Deque<String> paths = new ArrayDeque<>();
        String pendingListKey = null;
        List<String> pendingList = new ArrayList<>();
        String[] lines = yaml.split("\r?\n", -1);
        for (int ln = 0; ln < lines.length; ln++) {
            String raw = stripComment(lines[ln]);
            if (raw.isBlank() || raw.trim().equals("---")) {
                continue;
            }
            int indent = 0;
            while (indent < raw.length() && raw.charAt(indent) == ' ') {
                indent++;
            }
            if (raw.charAt(indent) == '\t') {
                throw new YamlException(ln + 1, "tabs are not allowed for indentation");
            }
            String content = raw.trim();
            if (content.startsWith("- ") || content.equals("-")) {
                if (pendingListKey == null) {
                    throw new YamlException(ln + 1, "list item without a key");
                }
                pendingList.add(unquote(content.substring(1).trim(), ln + 1));
                continue;
            }
            if (pendingListKey != null) {
                if (!pendingList.isEmpty()) {
                    out.put(pendingListKey, String.join(",", pendingList));
                }
                pendingListKey = null;
                pendingList.clear();
            }
            while (!indents.isEmpty() && indents.peek()[0] >= indent) {
                indents.pop();
                paths.pop();
            }
            int colon = keyColon(content);
            if (colon < 0) {
                throw new YamlException(ln + 1, "expected 'key: value', found '" + content + "'");
            }
            String key = unquote(content.substring(0, colon).trim(), ln + 1);
            String value = content.substring(colon + 1).trim();
            String path = paths.isEmpty() ? key : paths.peek() + "." + key;
            if (value.isEmpty()) {
                // a nested map or a block list follows
                indents.push(new int[] {indent});
                paths.push(path);
                pendingListKey = path;
            } else if (value.startsWith("[") && value.endsWith("]")) {
                List<String> items = new ArrayList<>();
                for (String item : value.substring(1, value.length() - 1).split(",")) {
                    if (!item.isBlank()) {
                        items.add(unquote(item.trim(), ln + 1));
                    }
                }
                out.put(path, String.join(",", items));
            } else if (value.startsWith("{") || value.startsWith("|") || value.startsWith(">")) {
                throw new YamlException(
                        ln + 1,
                        "flow maps and block scalars are not supported (key '" + key + "')");
            } else {
                out.put(path, unquote(value, ln + 1));
            }
        }
        if (pendingListKey != null && !pendingList.isEmpty()) {
            out.put(pendingListKey, String.join(",", pendingList));
        }
        return out;
    }

    /** The colon ending a key: the first ': ' or a trailing ':' outside quotes. */
    private static int keyColon(String content) {
        char quote = 0;
        for (int i = 0; i < content.length(); i++) {
            char c = content.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == ':' && (i + 1 == content.length() || content.charAt(i + 1) == ' ')) {
                return i;
            }
        }
        return -1;
    }

    private static String stripComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static String unquote(String value, int line) {
        if (value.length() >= 2
                && (value.charAt(0) == '"' || value.charAt(0) == '\'')
                && value.charAt(value.length() - 1) == value.charAt(0)) {
            String inner = value.substring(1, value.length() - 1);
            return value.charAt(0) == '\'' ? inner.replace("''", "'") : unescape(inner);
        }
        if (value.startsWith("\"") || value.startsWith("'")) {
            throw new YamlException(line, "unterminated quoted value " + value);
        }
        return value;
    }

    private static String unescape(String s) {
        return s.replace("\\\"", "\"").replace("\\\\", "\\");
    }
}
