package dev.crmsync.testkit.salesforce.internal;

import dev.crmsync.crm.FieldType;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.SyncRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.QuoteMode;

/**
 * Writes Bulk API 2.0 query results as CSV: a header row with the selected fields in SELECT order,
 * every value quoted, null as an empty value, booleans {@code true}/{@code false}, date-times
 * {@code 2013-05-07T22:07:19.000Z}, dates {@code 2010-01-01}, references as 18-character ids.
 */
public final class BulkCsv {

    /** The column delimiters Bulk 2.0 accepts, by name. */
    public static final Map<String, Character> DELIMITERS = Map.of("COMMA", ',', "TAB", '\t', "SEMICOLON", ';',
            "PIPE", '|', "CARET", '^', "BACKQUOTE", '`');

    private BulkCsv() {
    }

    /**
     * @param result the job's results
     * @param from the first row
     * @param count how many rows
     * @param delimiter the delimiter name
     * @param lineEnding LF or CRLF
     * @return the CSV bytes (UTF-8)
     */
    public static byte[] write(QueryEngine.Result result, int from, int count, String delimiter, String lineEnding) {
        CSVFormat format = CSVFormat.DEFAULT.builder()
                .setDelimiter(DELIMITERS.get(delimiter))
                .setRecordSeparator("CRLF".equals(lineEnding) ? "\r\n" : "\n")
                .setQuoteMode(QuoteMode.ALL)
                .get();
        List<QueryEngine.Column> columns = result.prepared().columns();
        // CSVFormat.printRecord rather than CSVPrinter: the latter carries SpotBugs annotations whose
        // class file is not on the classpath, which javac reports as a warning
        StringBuilder out = new StringBuilder();
        try {
            format.printRecord(out, columns.stream().map(QueryEngine.Column::name).toArray());
            List<SyncRecord> rows = result.rows();
            int end = Math.min(rows.size(), from + count);
            Object[] cells = new Object[columns.size()];
            for (int i = from; i < end; i++) {
                for (int c = 0; c < cells.length; c++) {
                    QueryEngine.Column col = columns.get(c);
                    cells[c] = cell(QueryEngine.value(rows.get(i), col.name()), col.type());
                }
                format.printRecord(out, cells);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return SfJson.utf8KeepingSurrogates(out.toString());
    }

    /** One value as Bulk 2.0 writes it. */
    static String cell(FieldValue v, FieldType type) {
        if (v.isNull()) {
            return "";
        }
        if (v instanceof FieldValue.DateTime d) {
            return SfFormats.csvDateTime(d.value());
        }
        if (v instanceof FieldValue.Number n) {
            return SfJson.scaled(n.value(), type).toPlainString();
        }
        return v.asText();
    }
}
