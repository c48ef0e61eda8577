package dev.crmsync.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

class CsvRowsTest {

    private static List<String[]> all(Reader in) throws IOException {
        CsvRows csv = new CsvRows(in);
        List<String[]> out = new ArrayList<>();
        String[] row;
        while ((row = csv.next()) != null) {
            out.add(row);
        }
        return out;
    }

    /** A reader handing out at most {@code step} characters a read: every block boundary is exercised. */
    private static Reader trickle(String text, int step) {
        return new StringReader(text) {
            @Override
            public int read(char[] cbuf, int off, int len) throws IOException {
                return super.read(cbuf, off, Math.min(len, step));
            }
        };
    }

    @Test
    void readsQuotesDoubledQuotesLineBreaksAndEmptyCells() throws IOException {
        String text = "Id,Name,Notes\n1,\"O'Brien, \"\"q\"\"\",\"line 1\nline 2\r\nline 3\"\n2,,\n3,plain,\"\"\r\n";
        List<String[]> rows = all(new StringReader(text));
        assertEquals(4, rows.size());
        assertArrayEquals(new String[] {"Id", "Name", "Notes"}, rows.get(0));
        assertArrayEquals(new String[] {"1", "O'Brien, \"q\"", "line 1\nline 2\r\nline 3"}, rows.get(1));
        assertArrayEquals(new String[] {"2", "", ""}, rows.get(2));
        assertArrayEquals(new String[] {"3", "plain", ""}, rows.get(3));
    }

    @Test
    void givesWhatCommonsCsvGivesForRandomHostileTextAtEveryBlockBoundary() throws IOException {
        Random random = new Random(5);
        String[] pieces = {"a", "Zoë", "東京", "😀", ",", "\"", "\n", "\r\n", " ", "x\"y", "", "\\"};
        StringBuilder text = new StringBuilder();
        List<List<String>> written = new ArrayList<>();
        try (CSVPrinter p = new CSVPrinter(text, CSVFormat.RFC4180.builder().setRecordSeparator("\n").get())) {
            for (int r = 0; r < 300; r++) {
                List<String> row = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    StringBuilder cell = new StringBuilder();
                    int n = random.nextInt(5);
                    for (int k = 0; k < n; k++) {
                        cell.append(pieces[random.nextInt(pieces.length)]);
                    }
                    row.add(cell.toString());
                }
                written.add(row);
                p.printRecord(row);
            }
        }
        List<String[]> expected = new ArrayList<>();
        try (CSVParser parser = CSVParser.builder().setReader(new StringReader(text.toString()))
                .setFormat(CSVFormat.RFC4180).get()) {
            for (CSVRecord rec : parser) {
                expected.add(rec.values());
            }
        }
        assertEquals(300, expected.size());
        for (int step : new int[] {1, 2, 3, 7, 64, 1 << 20}) {
            List<String[]> got = all(trickle(text.toString(), step));
            assertEquals(expected.size(), got.size(), "rows, reading " + step + " chars at a time");
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(expected.get(i), got.get(i), "row " + i + ", step " + step);
                assertEquals(written.get(i), List.of(got.get(i)), "row " + i + " as written");
            }
        }
    }

    @Test
    void aStreamEndingInsideQuotesOrTextAfterAClosingQuoteIsMalformed() throws IOException {
        assertThrows(IOException.class, () -> all(new StringReader("Id,Name\n1,\"cut sh")));
        assertThrows(IOException.class, () -> all(new StringReader("Id,Name\n1,\"a\"b\n")));
        CsvRows empty = new CsvRows(new StringReader(""));
        assertNull(empty.next());
    }
}
