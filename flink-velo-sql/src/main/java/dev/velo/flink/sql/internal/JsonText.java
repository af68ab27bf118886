package dev.velo.flink.sql.internal;

import org.apache.flink.annotation.Internal;

/** Minimal JSON text building: quoting of strings, so dead letters need no JSON library. */
@Internal
public final class JsonText {

    private JsonText() {}

    /** Appends {@code value} as a JSON string literal (or {@code null}). */
    public static StringBuilder quote(StringBuilder out, String value) {
        if (value == null) {
            return out.append("null");
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"');
    }
}
