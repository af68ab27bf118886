package dev.velo.flink.sql.cli;

import dev.velo.flink.sql.internal.JsonText;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/** The few lines of JSON writing the CLI needs: objects of strings, lists, nesting. */
@Internal
final class Json {

    private Json() {}

    static String string(String s) {
        return JsonText.quote(new StringBuilder(), s).toString();
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
