package dev.velo.flink.sql.dialect;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.RuntimeExecutionMode;

/**
 * The {@code -- @name: value} comment lines of a script, read before variables are substituted:
 * every annotation by its lower-case name, plus what {@code @batch_size} and {@code @job_mode}
 * decide.
 *
 * @param values every annotation, in script order
 * @param runtimeMode the mode {@code @job_mode} asks for; null when it names none Flink has
 * @param batchSize the default {@code batch.size} of every sink; null when not given or invalid
 * @param notes what was decided, for the user
 * @param errors bad annotation values, each at its place
 */
@Internal
record ScriptAnnotations(
        Map<String, String> values,
        RuntimeExecutionMode runtimeMode,
        Integer batchSize,
        List<String> notes,
        List<VeloSqlException> errors) {

    static final String BATCH_SIZE = "batch_size";
    static final String JOB_MODE = "job_mode";

    private static final Pattern ANNOTATION =
            Pattern.compile("^\\s*--\\s*@([A-Za-z_][A-Za-z0-9_.]*)\\s*:?\\s*(.*?)\\s*$");

    ScriptAnnotations {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        notes = List.copyOf(notes);
        errors = List.copyOf(errors);
    }

    static ScriptAnnotations read(String script) {
        Map<String, String> values = new LinkedHashMap<>();
        RuntimeExecutionMode mode = null;
        Integer batchSize = null;
        List<String> notes = new ArrayList<>();
        List<VeloSqlException> errors = new ArrayList<>();
        String[] lines = script.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = ANNOTATION.matcher(lines[i]);
            if (!m.matches()) {
                continue;
            }
            String name = m.group(1).toLowerCase(Locale.ROOT);
            String value = valueOf(m.group(2));
            values.put(name, value);
            int column = lines[i].indexOf('@') + 1;
            if (name.equals(BATCH_SIZE)) {
                batchSize = positive(value);
                if (batchSize == null) {
                    errors.add(
                            new VeloSqlException(
                                    i + 1,
                                    column,
                                    "@batch_size: '" + value + "' is not a positive integer"));
                }
            } else if (name.equals(JOB_MODE)) {
                String wanted = value.toLowerCase(Locale.ROOT);
                if (wanted.equals("batch")) {
                    mode = RuntimeExecutionMode.BATCH;
                } else if (wanted.equals("streaming")) {
                    mode = RuntimeExecutionMode.STREAMING;
                } else {
                    notes.add(
                            "@job_mode: "
                                    + value
                                    + " is a Velostream processor mode; Flink runs the script in"
                                    + " its default (streaming) mode");
                }
            }
        }
        return new ScriptAnnotations(values, mode, batchSize, notes, errors);
    }

    /** The value without a trailing {@code # comment}. */
    private static String valueOf(String raw) {
        String value = raw;
        int hash = value.indexOf(" #");
        if (hash >= 0) {
            value = value.substring(0, hash).trim();
        }
        return value.startsWith("#") ? "" : value;
    }

    private static Integer positive(String value) {
        try {
            int n = Integer.parseInt(value);
            return n > 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
