package dev.velo.flink.sql.cli;

import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/** The few lines of JSON writing the CLI needs: objects of strings, lists, nesting. */
@Internal
final class Json {

    private Json() {}

    static String string(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    static String object(Map<String, String> map) {
        StringBuilder sb = new StringBuilder("{");
        String sep = "";
        for (Map.Entry<String, String> e : map.entrySet()) {
            sb.append(sep).append(string(e.getKey())).append(':').append(string(e.getValue()));
            sep = ",";
        }
        return sb.append('}').toString();
    }

    static String strings(List<String> values) {
        StringBuilder sb = new StringBuilder("[");
        String sep = "";
        for (String v : values) {
            sb.append(sep).append(string(v));
            sep = ",";
        }
        return sb.append(']').toString();
    }
}
