package dev.velo.flink.sql.dialect;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * Reads the first records of a CSV file as RFC 4180 writes them: fields separated by commas, a
 * field in double quotes may hold commas, line breaks and doubled quotes ({@code ""} for one {@code
 * "}). Records are separated by LF or CRLF; blank lines are skipped. Only what schema inference
 * needs: Flink's own CSV format reads the data.
 */
@Internal
final class CsvRecords {

    private CsvRecords() {}

    /** Thrown for a quoted field that is never closed; {@link #line} is 1-based. */
    static final class CsvException extends IOException {
        private static final long serialVersionUID = 1L;
        final int line;

        CsvException(int line, String message) {
            super("line " + line + ": " + message);
            this.line = line;
        }
    }

    /** Up to {@code limit} non-blank records of {@code in}. */
    static List<List<String>> read(Reader in, int limit) throws IOException {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false; // inside a quoted field
        boolean fieldStarted = false; // the record has content (a blank line has none)
        int line = 1;
        int quoteLine = 0;
        int c;
        while (records.size() < limit && (c = in.read()) != -1) {
            if (quoted) {
                if (c == '"') {
                    in.mark(1);
                    int next = in.read();
                    if (next == '"') {
                        field.append('"');
                        continue;
                    }
                    quoted = false;
                    if (next == -1) {
                        break;
                    }
                    c = next; // handle the character after the closing quote below
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append((char) c);
                    continue;
                }
            }
            if (c == '"' && field.length() == 0) {
                quoted = true;
                quoteLine = line;
                fieldStarted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
                fieldStarted = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r') {
                    in.mark(1);
                    if (in.read() != '\n') {
                        in.reset();
                    }
                }
                line++;
                if (fieldStarted || field.length() > 0) {
                    record.add(field.toString());
                    if (!isBlank(record)) {
                        records.add(record);
                    }
                }
                record = new ArrayList<>();
                field.setLength(0);
                fieldStarted = false;
            } else {
                field.append((char) c);
            }
        }
        if (quoted) {
            throw new CsvException(quoteLine, "a quoted field is never closed with '\"'");
        }
        if (records.size() < limit && (fieldStarted || field.length() > 0)) {
            record.add(field.toString());
            if (!isBlank(record)) {
                records.add(record);
            }
        }
        return records;
    }

    private static boolean isBlank(List<String> record) {
        return record.size() == 1 && record.get(0).isBlank();
    }
}
