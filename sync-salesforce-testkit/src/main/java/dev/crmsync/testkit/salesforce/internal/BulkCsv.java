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
     * Writes one results chunk row by row: the header first, then each row as it is given, so a
     * chunk is rendered from records read a page at a time. Not thread-safe.
     */
    public static final class Writer {
        private final CSVFormat format;
        private final List<QueryEngine.Column> columns;
        private final StringBuilder out = new StringBuilder();
        private final Object[] cells;
        private int rows;

        /**
         * @param columns the selected columns, in SELECT order
         * @param delimiter the delimiter name
         * @param lineEnding LF or CRLF
         */
        public Writer(List<QueryEngine.Column> columns, String delimiter, String lineEnding) {
            this.format = CSVFormat.DEFAULT.builder()
                    .setDelimiter(DELIMITERS.get(delimiter))
                    .setRecordSeparator("CRLF".equals(lineEnding) ? "\r\n" : "\n")
                    .setQuoteMode(QuoteMode.ALL)
                    .get();
            this.columns = List.copyOf(columns);
            this.cells = new Object[columns.size()];
            // CSVFormat.printRecord rather than CSVPrinter: the latter carries SpotBugs annotations whose
            // class file is not on the classpath, which javac reports as a warning
            print(this.columns.stream().map(QueryEngine.Column::name).toArray());
        }

        /** @param r a row's record */
        public void row(SyncRecord r) {
            for (int c = 0; c < cells.length; c++) {
                QueryEngine.Column col = columns.get(c);
                cells[c] = cell(QueryEngine.value(r, col.name()), col.type());
            }
            print(cells);
            rows++;
        }

        private void print(Object[] values) {
            try {
                format.printRecord(out, values);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** @return the rows written so far (not counting the header) */
        public int rows() {
            return rows;
        }

        /** @return the characters written so far, header included */
        public int length() {
            return out.length();
        }

        /** @return the chunk's CSV bytes (UTF-8) */
        public byte[] bytes() {
            return SfJson.utf8KeepingSurrogates(out.toString());
        }
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
