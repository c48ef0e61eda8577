package dev.crmsync.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SortedRowsTest {

    @TempDir
    Path dir;

    private static String id(int n) {
        return CrmId.of(String.format("00Q%012d", n)).value();
    }

    private static String stamp(int second) {
        return ValueCodec.formatDateTime(Instant.parse("2024-01-01T00:00:00Z").plusSeconds(second));
    }

    private static List<String[]> shuffledRows(int n, int distinctStamps, long seed) {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(new String[] {id(i), stamp(i % distinctStamps), "v" + i});
        }
        Collections.shuffle(rows, new Random(seed));
        return rows;
    }

    private static List<String[]> drain(SortedRows s, int page) {
        List<String[]> out = new ArrayList<>();
        List<String[]> p;
        while (!(p = s.next(page)).isEmpty()) {
            out.addAll(p);
        }
        return out;
    }

    private static void assertOrdered(List<String[]> rows) {
        Comparator<String[]> order = Comparator.comparing((String[] r) -> ValueCodec.parseDateTime(r[1]))
                .thenComparing(r -> CrmId.of(r[0]));
        for (int i = 1; i < rows.size(); i++) {
            assertTrue(order.compare(rows.get(i - 1), rows.get(i)) < 0, "row " + i + " out of order");
        }
    }

    @Test
    void sortsInMemoryByStampThenId() {
        try (SortedRows s = new SortedRows(0, 1, 10_000, dir)) {
            shuffledRows(500, 7, 1).forEach(s::add);
            s.finish();
            List<String[]> out = drain(s, 64);
            assertEquals(500, out.size());
            assertOrdered(out);
            assertEquals(0, s.spilledRuns());
        }
    }

    @Test
    void spillsRunsToDiskAndMergesThem() throws IOException {
        try (SortedRows s = new SortedRows(0, 1, 100, dir)) {
            shuffledRows(1_050, 13, 2).forEach(s::add);
            s.finish();
            assertEquals(11, s.spilledRuns());
            List<String[]> out = drain(s, 200);
            assertEquals(1_050, out.size());
            assertOrdered(out);
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "temporary runs are deleted on close");
        }
    }

    @Test
    void wideRowsSpillByTheirEstimatedBytesBeforeTheRowCount() {
        String wide = "x".repeat(4_000);                           // about 8 KiB a row by the estimate
        long perRow = SortedRows.estimatedBytes(new String[] {id(1), stamp(0), wide});
        try (SortedRows s = new SortedRows(0, 1, 50_000, 10 * perRow, dir)) {
            for (int i = 0; i < 95; i++) {
                s.add(new String[] {id(95 - i), stamp(0), wide});
            }
            s.finish();
            assertEquals(10, s.spilledRuns(), "a run every 10 rows, far below the 50,000-row run size");
            List<String[]> out = drain(s, 7);
            assertEquals(95, out.size());
            assertOrdered(out);
        }
    }

    @Test
    void theByteEstimateCountsEveryCharAtTwoBytesAndEveryCell() {
        long narrow = SortedRows.estimatedBytes(new String[] {"a", null});
        long wider = SortedRows.estimatedBytes(new String[] {"a".repeat(101), null});
        assertEquals(200, wider - narrow);
        assertTrue(SortedRows.estimatedBytes(new String[] {"a", "b"}) > narrow, "a text cell costs its String");
    }

    @Test
    void nullEmptyAndHostileCellsSurviveASpill() {
        String hostile = "a,\"b\"\n'c' \\ 東京";
        try (SortedRows s = new SortedRows(0, 1, 1, dir)) {
            s.add(new String[] {id(2), stamp(0), null});
            s.add(new String[] {id(1), stamp(0), hostile});
            s.add(new String[] {id(3), stamp(0), ""});
            s.finish();
            List<String[]> out = drain(s, 10);
            assertArrayEquals(new String[] {id(1), stamp(0), hostile}, out.get(0));
            assertArrayEquals(new String[] {id(2), stamp(0), null}, out.get(1));
            assertArrayEquals(new String[] {id(3), stamp(0), ""}, out.get(2));
        }
    }

    @Test
    void unpairedSurrogatesAndCellsLongerThanAReadBufferSurviveASpillExactly() {
        String surrogates = "a\uD800b\uDFFF" + TextBytes.NOT_UTF8 + "東";
        String longAscii = "a,\"".repeat(40_000);            // one byte a char, beyond the 64 KiB buffers
        String longLatin1 = "é".repeat(200_000);              // two bytes a char (not ASCII), beyond them as well
        String longUtf16 = "東x".repeat(70_000);
        try (SortedRows s = new SortedRows(0, 1, 1, 1, dir)) {
            for (int i = 0; i < 40; i++) {                     // many runs: each read buffer at its 4 KiB floor
                s.add(new String[] {id(100 + i), stamp(5), "filler " + i + " " + "é東".repeat(i * 50)});
            }
            s.add(new String[] {id(4), stamp(1), longAscii});
            s.add(new String[] {id(3), stamp(1), longUtf16});
            s.add(new String[] {id(2), stamp(1), longLatin1});
            s.add(new String[] {id(1), stamp(1), surrogates});
            s.finish();
            List<SortedRows.Row> out = new ArrayList<>();
            List<SortedRows.Row> p;
            while (!(p = s.nextRows(5)).isEmpty()) {
                out.addAll(p);
            }
            assertEquals(44, out.size());
            assertArrayEquals(new String[] {id(1), stamp(1), surrogates}, out.get(0).cells());
            assertArrayEquals(new String[] {id(2), stamp(1), longLatin1}, out.get(1).cells());
            assertArrayEquals(new String[] {id(3), stamp(1), longUtf16}, out.get(2).cells());
            assertArrayEquals(new String[] {id(4), stamp(1), longAscii}, out.get(3).cells());
            for (int i = 0; i < 40; i++) {
                SortedRows.Row r = out.get(4 + i);
                assertArrayEquals(new String[] {id(100 + i), stamp(5), "filler " + i + " " + "é東".repeat(i * 50)},
                        r.cells());
                assertEquals(CrmId.of(id(100 + i)), r.id(), "the key read back with the row");
                assertEquals(ValueCodec.parseDateTime(stamp(5)), r.stamp());
            }
        }
    }

    @Test
    void emptyInputYieldsNothing() {
        try (SortedRows s = new SortedRows(0, 1, 10, dir)) {
            s.finish();
            assertTrue(s.next(10).isEmpty());
        }
    }
}
