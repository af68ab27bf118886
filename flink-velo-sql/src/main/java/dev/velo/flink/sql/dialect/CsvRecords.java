package dev.velo.flink.sql.dialect;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.MappingIterator;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.dataformat.csv.CsvMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.dataformat.csv.CsvParser;

/**
 * Reads the first records of a CSV file with Jackson's CSV parser, the one Flink's {@code csv}
 * format reads the data with (shaded in Flink, so no new library): RFC 4180 fields, where a field
 * in double quotes may hold commas, line breaks and doubled quotes. Blank lines are skipped.
 */
@Internal
final class CsvRecords {

    private static final CsvMapper CSV = new CsvMapper();

    private CsvRecords() {}

    /** Thrown for text the CSV parser cannot read; {@link #line} is 1-based. */
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
        try (MappingIterator<String[]> rows =
                CSV.readerFor(String[].class)
                        .with(CsvParser.Feature.WRAP_AS_ARRAY)
                        .with(CsvParser.Feature.SKIP_EMPTY_LINES)
                        .readValues(in)) {
            while (records.size() < limit && rows.hasNextValue()) {
                String[] row = rows.nextValue();
                if (row.length == 1 && row[0].isBlank()) {
                    continue;
                }
                records.add(Arrays.asList(row));
            }
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new CsvException(line, e.getOriginalMessage());
        }
        return records;
    }
}
