package dev.velo.flink.sql.dialect;

import java.util.Map;
import java.util.function.IntFunction;
import org.apache.flink.annotation.Internal;

/**
 * Replaces {@code ${VAR}}, {@code ${VAR:-default}} and Velostream's {@code ${VAR:default}} with
 * values from an environment map. In SQL, comments are left alone so documentation in them never
 * needs the variable set.
 */
@Internal
final class Variables {

    private final Map<String, String> environment;

    Variables(Map<String, String> environment) {
        this.environment = environment;
    }

    /** Substitutes outside SQL comments; positions in errors refer to the original text. */
    String substituteSql(String text) {
        SqlLexer positions = new SqlLexer(text);
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        int n = text.length();
        char quote = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"' || c == '`') {
                quote = c;
            } else if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                int eol = text.indexOf('\n', i);
                eol = eol < 0 ? n : eol;
                out.append(text, i, eol);
                i = eol;
                continue;
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int close = text.indexOf("*/", i + 2);
                int end = close < 0 ? n : close + 2;
                out.append(text, i, end);
                i = end;
                continue;
            }
            if (c == '$' && i + 1 < n && text.charAt(i + 1) == '{') {
                i = replace(text, i, out, offset -> positions.error(offset, ""));
                continue;
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** Substitutes everywhere in a plain value (e.g. a YAML scalar). */
    String substitute(String value, IntFunction<VeloSqlException> errorAt) {
        if (value.indexOf("${") < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            if (value.startsWith("${", i)) {
                i = replace(value, i, out, errorAt);
            } else {
                out.append(value.charAt(i++));
            }
        }
        return out.toString();
    }

    private int replace(
            String text, int start, StringBuilder out, IntFunction<VeloSqlException> errorAt) {
        int close = text.indexOf('}', start + 2);
        if (close < 0) {
            throw withMessage(errorAt.apply(start), "unterminated variable: '${' without '}'");
        }
        String body = text.substring(start + 2, close);
        String name = body;
        String fallback = null;
        int sep = body.indexOf(':');
        if (sep >= 0) {
            name = body.substring(0, sep);
            fallback = body.substring(sep + 1);
            if (fallback.startsWith("-")) {
                fallback = fallback.substring(1);
            }
        }
        name = name.trim();
        if (name.isEmpty() || !name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
            throw withMessage(
                    errorAt.apply(start),
                    "bad variable '${"
                            + body
                            + "}': expected ${NAME}, ${NAME:-default} or ${NAME:default}");
        }
        String value = environment.get(name);
        if (value == null) {
            if (fallback == null) {
                throw withMessage(
                        errorAt.apply(start),
                        "variable '"
                                + name
                                + "' is not set; set it in the environment or write ${"
                                + name
                                + ":-default}");
            }
            value = fallback;
        }
        out.append(value);
        return close + 1;
    }

    private static VeloSqlException withMessage(VeloSqlException at, String message) {
        return new VeloSqlException(at.getLine(), at.getColumn(), message);
    }
}
