package dev.velo.flink.sql.dialect;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The columns of a file source without a schema: a CSV file's header names them and its first
 * records type them; a JSON-lines file's first objects name and type them. A CSV header row is
 * filtered out of the data by a view ({@link Connectors.Mapped#headerView}).
 */
@Internal
final class FileSchemaInference {

    static final int SAMPLE_ROWS = 100;

    private final SqlLexer lexer;
    private final List<String> notes;

    FileSchemaInference(SqlLexer lexer, List<String> notes) {
        this.lexer = lexer;
        this.notes = notes;
    }

    /** STRING columns named by the header; typed by the first rows; the header row filtered out. */
    void inferCsv(String name, Path file, Connectors.Mapped mapped, Token at) {
        List<List<String>> records = csvRecords(file, SAMPLE_ROWS + 1, name, at);
        if (records.isEmpty()) {
            throw lexer.error(
                    at.start,
                    "cannot infer the columns of '"
                            + name
                            + "' from "
                            + file
                            + " (empty or missing); add '"
                            + name
                            + ".schema'");
        }
        List<String> header = records.get(0);
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (int c = 0; c < header.size(); c++) {
            names.add(header.get(c).trim());
            types.add(ColumnTypes.csvType(records, c));
        }
        setHeaderView(names, types, mapped);
        notes.add(
                "'"
                        + name
                        + "': columns inferred from the CSV header of "
                        + file.getFileName()
                        + ": "
                        + mapped.columns);
    }

    /**
     * The declared columns; when the file's first record is a header naming them, a view filters it
     * out.
     */
    void headerIfPresent(Path file, String schema, Connectors.Mapped mapped) {
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (String column : ColumnTypes.splitColumns(schema)) {
            String[] parts = column.trim().split("\\s+", 2);
            names.add(parts[0].replace("`", ""));
            types.add(parts.length > 1 ? parts[1] : "STRING");
        }
        List<String> fields;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<List<String>> first = CsvRecords.read(in, 1);
            fields = first.isEmpty() ? List.of() : first.get(0);
        } catch (IOException | RuntimeException e) {
            mapped.columns = schema;
            return; // the file may appear later, or be malformed: read it as declared
        }
        if (lowerTrimmed(fields).equals(lowerTrimmed(names))) {
            setHeaderView(names, types, mapped);
        }
        mapped.columns = schema;
    }

    private static List<String> lowerTrimmed(List<String> values) {
        return values.stream()
                .map(v -> v.trim().toLowerCase(Locale.ROOT))
                .collect(Collectors.toList());
    }

    /** Columns from the fields of the first JSON lines: BIGINT, DOUBLE, BOOLEAN, else STRING. */
    void inferJson(String name, Path file, Connectors.Mapped mapped, Token at) {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : jsonLines(file, name, at)) {
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (IOException e) {
                continue; // a malformed line is the failure strategy's business, not the schema's
            }
            if (node == null || !node.isObject()) {
                continue;
            }
            node.fields()
                    .forEachRemaining(
                            f ->
                                    types.merge(
                                            f.getKey(),
                                            ColumnTypes.jsonType(f.getValue()),
                                            ColumnTypes::widen));
        }
        if (types.isEmpty()) {
            throw lexer.error(
                    at.start,
                    "cannot infer the columns of '"
                            + name
                            + "' from "
                            + file
                            + " (no JSON object found); add '"
                            + name
                            + ".schema'");
        }
        mapped.columns = ColumnTypes.columnList(types);
        notes.add(
                "'"
                        + name
                        + "': columns inferred from the JSON lines of "
                        + file.getFileName()
                        + ": "
                        + mapped.columns);
    }

    private static void setHeaderView(
            List<String> names, List<String> types, Connectors.Mapped mapped) {
        List<String> raw = new ArrayList<>();
        List<String> typed = new ArrayList<>();
        List<String> select = new ArrayList<>();
        List<String> notHeader = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            String q = SqlText.quote(names.get(c));
            raw.add(q + " STRING");
            typed.add(q + " " + types.get(c));
            select.add(
                    types.get(c).equalsIgnoreCase("STRING")
                            ? q
                            : "CAST(" + q + " AS " + types.get(c) + ") AS " + q);
            notHeader.add(q + " <> " + SqlText.literal(names.get(c)));
        }
        mapped.rawColumns = String.join(", ", raw);
        mapped.columns = String.join(", ", typed);
        mapped.headerView =
                "SELECT "
                        + String.join(", ", select)
                        + "\nFROM ${RAW}\nWHERE "
                        + String.join(" OR ", notHeader);
    }

    /** The first records of a CSV file (RFC 4180); a read error names the file and the table. */
    private List<List<String>> csvRecords(Path file, int limit, String name, Token at) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return CsvRecords.read(in, limit);
        } catch (IOException | RuntimeException e) {
            throw cannotRead(file, name, at, e, "");
        }
    }

    /** The first non-blank lines of a JSON-lines file. */
    private List<String> jsonLines(Path file, String name, Token at) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).limit(SAMPLE_ROWS).collect(Collectors.toList());
        } catch (IOException | RuntimeException e) {
            throw cannotRead(file, name, at, e, "; add '" + name + ".schema'");
        }
    }

    private VeloSqlException cannotRead(
            Path file, String name, Token at, Exception e, String hint) {
        return lexer.error(
                at.start,
                "cannot read "
                        + file
                        + " to infer the columns of '"
                        + name
                        + "': "
                        + e.getMessage()
                        + hint);
    }
}
