package dev.crmsync.salesforce.internal;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.SyncException;
import java.io.Writer;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;

/**
 * Puts Bulk API rows into (stamp, Id) order. Bulk 2.0 cannot sort (ORDER BY is unsupported there
 * and defeats its chunking), but the change stream must be ordered so that the engine can
 * checkpoint after every page. Rows are collected in memory up to a run size — a number of rows
 * and an estimate of the bytes they take on the heap, whichever comes first, so that wide rows
 * (many fields, long texts) cannot grow a run past its memory budget; larger results are sorted
 * run by run into temporary CSV files and merged, so memory stays bounded whatever the size of the
 * org. Temporary files are deleted on {@link #close()}. Not thread-safe.
 */
public final class SortedRows implements Closeable {

    /** A row and its sort key. */
    private record Row(Instant stamp, CrmId id, String[] cells) {
    }

    private static final Comparator<Row> ORDER = Comparator.comparing(Row::stamp).thenComparing(Row::id);

    /** Cells: null written unquoted-empty, everything else quoted, so null and "" survive a round trip. */
    private static final CSVFormat RUN_FORMAT = CSVFormat.RFC4180.builder()
            .setQuoteMode(QuoteMode.ALL_NON_NULL).setRecordSeparator("\n").get();

    private final int idColumn;
    private final int stampColumn;
    private final int runSize;
    private final long runBytes;
    private long bufferBytes;
    private final Path directory;
    private final List<Row> buffer = new ArrayList<>();
    private final List<Path> runs = new ArrayList<>();
    private final List<CSVParser> open = new ArrayList<>();
    private Iterator<Row> memory;
    private PriorityQueue<RunCursor> merge;
    private boolean finished;
    private long count;

    /**
     * @param idColumn index of the Id column
     * @param stampColumn index of the stamp column
     * @param runSize rows kept in memory before a run is written to disk
     * @param directory where temporary runs go, or null for the system default
     */
    public SortedRows(int idColumn, int stampColumn, int runSize, Path directory) {
        this(idColumn, stampColumn, runSize, Long.MAX_VALUE, directory);
    }

    /**
     * @param idColumn index of the Id column
     * @param stampColumn index of the stamp column
     * @param runSize rows kept in memory before a run is written to disk
     * @param runBytes estimated heap bytes of the rows kept in memory before a run is written to disk
     * @param directory where temporary runs go, or null for the system default
     */
    public SortedRows(int idColumn, int stampColumn, int runSize, long runBytes, Path directory) {
        if (runSize < 1) {
            throw new IllegalArgumentException("runSize must be >= 1, was " + runSize);
        }
        if (runBytes < 1) {
            throw new IllegalArgumentException("runBytes must be >= 1, was " + runBytes);
        }
        this.idColumn = idColumn;
        this.stampColumn = stampColumn;
        this.runSize = runSize;
        this.runBytes = runBytes;
        this.directory = directory;
    }

    /**
     * A row's heap size as estimated: the row, its key (an Instant, an id), the cell array, and per
     * text cell a String with its header and array — two bytes a char, the worst case of compact
     * strings, so that the estimate errs on the safe side.
     *
     * @param cells the cells
     * @return the estimate in bytes
     */
    static long estimatedBytes(String[] cells) {
        long b = 32 + 24 + 64 + 16L + 4L * cells.length;
        for (String c : cells) {
            if (c != null) {
                b += 56 + 2L * c.length();
            }
        }
        return b;
    }

    /**
     * @param cells a row's cells (null for missing values)
     * @throws IllegalArgumentException if its Id or stamp is unusable
     */
    public void add(String[] cells) {
        if (finished) {
            throw new IllegalStateException("rows already finished");
        }
        buffer.add(row(cells));
        bufferBytes += estimatedBytes(cells);
        count++;
        if (buffer.size() >= runSize || bufferBytes >= runBytes) {
            spill();
        }
    }

    /** @return rows added so far */
    public long count() {
        return count;
    }

    /** @return how many runs went to disk */
    public int spilledRuns() {
        return runs.size();
    }

    /** Ends input; rows can now be read in order. */
    public void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (runs.isEmpty()) {
            buffer.sort(ORDER);
            memory = new ArrayList<>(buffer).iterator();
            buffer.clear();
            return;
        }
        if (!buffer.isEmpty()) {
            spill();
        }
        merge = new PriorityQueue<>(Comparator.comparing((RunCursor c) -> c.head, ORDER));
        for (Path run : runs) {
            try {
                CSVParser p = CSVParser.builder().setReader(TextBytes.codeUnitReader(run))
                        .setFormat(RUN_FORMAT).get();
                open.add(p);
                RunCursor c = new RunCursor(p.iterator());
                if (c.advance()) {
                    merge.add(c);
                }
            } catch (IOException e) {
                throw new SyncException("cannot read back a sorted Bulk result run", e);
            }
        }
    }

    /**
     * @param max the most rows to return
     * @return the next rows in (stamp, Id) order; empty when all were read
     */
    public List<String[]> next(int max) {
        if (!finished) {
            throw new IllegalStateException("call finish() first");
        }
        List<String[]> out = new ArrayList<>(Math.min(max, 4096));
        while (out.size() < max) {
            if (memory != null) {
                if (!memory.hasNext()) {
                    break;
                }
                out.add(memory.next().cells);
            } else {
                RunCursor c = merge.poll();
                if (c == null) {
                    break;
                }
                out.add(c.head.cells);
                if (c.advance()) {
                    merge.add(c);
                }
            }
        }
        return out;
    }

    private Row row(String[] cells) {
        String id = cells[idColumn];
        String stamp = cells[stampColumn];
        if (id == null || stamp == null) {
            throw new IllegalArgumentException("a Bulk row lacks its Id or stamp");
        }
        return new Row(ValueCodec.parseDateTime(stamp), CrmId.of(id), cells);
    }

    private void spill() {
        buffer.sort(ORDER);
        try {
            Path run = directory == null ? Files.createTempFile("crmsync-bulk-", ".csv")
                    : Files.createTempFile(directory, "crmsync-bulk-", ".csv");
            runs.add(run);
            try (Writer w = TextBytes.codeUnitWriter(run)) {
                for (Row r : buffer) {
                    RUN_FORMAT.printRecord(w, (Object[]) r.cells);
                }
            }
        } catch (IOException e) {
            throw new SyncException("cannot write a sorted Bulk result run to a temporary file", e);
        }
        buffer.clear();
        bufferBytes = 0;
    }

    /** Deletes temporary files; idempotent. */
    @Override
    public void close() {
        for (CSVParser p : open) {
            try {
                p.close();
            } catch (IOException ignored) {
                // closing a read-only temp file
            }
        }
        open.clear();
        for (Path run : runs) {
            try {
                Files.deleteIfExists(run);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete temporary Bulk run " + run, e);
            }
        }
        runs.clear();
        buffer.clear();
        memory = null;
    }

    private final class RunCursor {
        private final Iterator<CSVRecord> records;
        private Row head;

        RunCursor(Iterator<CSVRecord> records) {
            this.records = records;
        }

        boolean advance() {
            if (!records.hasNext()) {
                head = null;
                return false;
            }
            CSVRecord r = records.next();
            String[] cells = new String[r.size()];
            for (int i = 0; i < cells.length; i++) {
                cells[i] = r.get(i);
            }
            head = row(cells);
            return true;
        }
    }

}
