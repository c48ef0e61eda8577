package dev.crmsync.salesforce.internal;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RFC 4180 CSV as Bulk API 2.0 writes it (comma-separated, {@code LF} or {@code CRLF} line
 * endings, fields quoted with {@code "} and a quote doubled inside them, line breaks allowed inside
 * quotes) row by row from a stream, holding one 64 Ki-character block and the row being read. A
 * stray quote inside an unquoted field is kept as text; text after a closing quote, or a stream
 * ending inside quotes, is malformed. Not thread-safe.
 */
public final class CsvRows {

    private final Reader in;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int end;
    private boolean eof;
    private final StringBuilder field = new StringBuilder(64);
    private final List<String> row = new ArrayList<>(32);
    private long rows;

    /** @param in the text */
    public CsvRows(Reader in) {
        this.in = java.util.Objects.requireNonNull(in, "in");
    }

    /** @return the rows read so far (the header row included) */
    public long rowsRead() {
        return rows;
    }

    /**
     * @return the next row's cells, or null at the end of the text; a blank line is skipped
     * @throws IOException if the text is malformed or cannot be read
     */
    public String[] next() throws IOException {
        row.clear();
        while (true) {
            if (pos >= end && !fill()) {
                if (row.isEmpty()) {
                    return null;
                }
                return done();
            }
            char c = buf[pos];
            if (row.isEmpty() && (c == '\n' || c == '\r')) {
                pos++;          // a blank line, or the LF of a CRLF
                continue;
            }
            boolean last = c == '"' ? quoted() : unquoted();
            if (last) {
                return done();
            }
        }
    }

    private String[] done() {
        rows++;
        return row.toArray(new String[0]);
    }

    /** Reads one unquoted field and its delimiter; @return true if it ended the row */
    private boolean unquoted() throws IOException {
        field.setLength(0);
        while (true) {
            int start = pos;
            while (pos < end) {
                char c = buf[pos];
                if (c == ',' || c == '\n' || c == '\r') {
                    String value;
                    if (field.length() == 0) {
                        value = pos == start ? "" : new String(buf, start, pos - start);
                    } else {
                        field.append(buf, start, pos - start);
                        value = field.toString();
                    }
                    row.add(value);
                    pos++;
                    if (c == ',') {
                        if (pos >= end && !fill()) {
                            row.add("");    // a trailing comma at the very end: one more empty cell
                            return true;
                        }
                        return false;
                    }
                    return true;
                }
                pos++;
            }
            field.append(buf, start, pos - start);
            if (!fill()) {
                row.add(field.toString());
                return true;
            }
        }
    }

    /** Reads one quoted field and its delimiter; @return true if it ended the row */
    private boolean quoted() throws IOException {
        field.setLength(0);
        pos++;  // the opening quote
        // the usual case: the whole field in the block, no doubled quote, a delimiter after it — one String, no copy
        int close = pos;
        while (close < end && buf[close] != '"') {
            close++;
        }
        if (close + 1 < end && buf[close + 1] != '"') {
            char d = buf[close + 1];
            if (d == ',' || d == '\n' || d == '\r') {
                row.add(close == pos ? "" : new String(buf, pos, close - pos));
                pos = close + 2;
                if (d == ',') {
                    if (pos >= end && !fill()) {
                        row.add("");
                        return true;
                    }
                    return false;
                }
                return true;
            }
        }
        while (true) {
            int start = pos;
            while (pos < end && buf[pos] != '"') {
                pos++;
            }
            field.append(buf, start, pos - start);
            if (pos >= end) {
                if (!fill()) {
                    throw new IOException("the CSV text ends inside a quoted field");
                }
                continue;
            }
            pos++;  // a quote: doubled, or the closing one
            if (pos >= end && !fill()) {
                row.add(field.toString());
                return true;
            }
            char c = buf[pos];
            if (c == '"') {
                field.append('"');
                pos++;
                continue;
            }
            row.add(field.length() == 0 ? "" : field.toString());
            pos++;
            if (c == ',') {
                if (pos >= end && !fill()) {
                    row.add("");
                    return true;
                }
                return false;
            }
            if (c == '\n' || c == '\r') {
                return true;
            }
            throw new IOException("malformed CSV: text after a closing quote in row " + (rows + 1));
        }
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            eof = true;
            pos = end = 0;
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }
}
