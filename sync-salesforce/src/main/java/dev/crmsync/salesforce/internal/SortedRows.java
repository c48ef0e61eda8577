package dev.crmsync.salesforce.internal;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.SyncException;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Puts Bulk API rows into (stamp, Id) order. Bulk 2.0 cannot sort (ORDER BY is unsupported there
 * and defeats its chunking), but the change stream must be ordered so that the engine can
 * checkpoint after every page. Rows are collected in memory up to a run size — a number of rows
 * and an estimate of the bytes they take on the heap, whichever comes first, so that wide rows
 * (many fields, long texts) cannot grow a run past its memory budget; larger results are sorted
 * run by run into temporary files and merged, so memory stays bounded whatever the size of the
 * org: while merging, the runs' read buffers share the run budget (4 to 64 KiB each).
 *
 * <p>A run file holds its rows in binary, each as its sort key (the stamp's epoch second and
 * nanosecond), its cell count, and per cell a length-prefixed text: one byte a character when the
 * text is ASCII, else raw UTF-16 code units, so any Java text survives exactly,
 * unpaired surrogates included (see {@link TextBytes}); a null cell has its own mark. Temporary
 * files are deleted on {@link #close()}. Not thread-safe.
 */
public final class SortedRows implements Closeable {

    /**
     * A row and its sort key, as {@link ReadPlan#stampOf} and {@link ReadPlan#idOf} decode it.
     *
     * @param stamp the row's stamp
     * @param id the row's id
     * @param cells the row's cells
     */
    public record Row(Instant stamp, CrmId id, String[] cells) {
    }

    private static final Comparator<Row> ORDER = Comparator.comparing(Row::stamp).thenComparing(Row::id);

    private static final int WRITE_BUFFER = 1 << 16;
    private static final int MIN_READ_BUFFER = 1 << 12;
    private static final int MAX_READ_BUFFER = 1 << 16;
    /** A cell's length word for null; otherwise {@code length << 1 | (1 if UTF-16)}. */
    private static final int NULL_CELL = -1;

    private final int idColumn;
    private final int stampColumn;
    private final int runSize;
    private final long runBytes;
    private long bufferBytes;
    private final Path directory;
    private final List<Row> buffer = new ArrayList<>();
    private final List<Path> runs = new ArrayList<>();
    private final List<RunReader> open = new ArrayList<>();
    private Iterator<Row> memory;
    private PriorityQueue<RunReader> merge;
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
        add(row(cells));
    }

    /**
     * @param row a row whose key was decoded already (its cells at the id and stamp columns are the key's text)
     */
    public void add(Row row) {
        if (finished) {
            throw new IllegalStateException("rows already finished");
        }
        buffer.add(row);
        bufferBytes += estimatedBytes(row.cells());
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
        int readBuffer = (int) Math.max(MIN_READ_BUFFER, Math.min(MAX_READ_BUFFER, runBytes / runs.size()));
        merge = new PriorityQueue<>(Comparator.comparing((RunReader c) -> c.head, ORDER));
        for (Path run : runs) {
            try {
                RunReader c = new RunReader(Files.newInputStream(run), readBuffer);
                open.add(c);
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
     * @return the next rows' cells in (stamp, Id) order; empty when all were read
     */
    public List<String[]> next(int max) {
        List<Row> rows = nextRows(max);
        List<String[]> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(r.cells());
        }
        return out;
    }

    /**
     * @param max the most rows to return
     * @return the next rows with their keys in (stamp, Id) order; empty when all were read
     */
    public List<Row> nextRows(int max) {
        if (!finished) {
            throw new IllegalStateException("call finish() first");
        }
        List<Row> out = new ArrayList<>(Math.min(max, 4096));
        while (out.size() < max) {
            if (memory != null) {
                if (!memory.hasNext()) {
                    break;
                }
                out.add(memory.next());
            } else {
                RunReader c = merge.poll();
                if (c == null) {
                    break;
                }
                out.add(c.head);
                try {
                    if (c.advance()) {
                        merge.add(c);
                    }
                } catch (IOException e) {
                    throw new SyncException("cannot read back a sorted Bulk result run", e);
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
            Path run = directory == null ? Files.createTempFile("crmsync-bulk-", ".run")
                    : Files.createTempFile(directory, "crmsync-bulk-", ".run");
            runs.add(run);
            try (RunWriter w = new RunWriter(Files.newOutputStream(run))) {
                for (Row r : buffer) {
                    w.write(r);
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
        for (RunReader r : open) {
            try {
                r.in.close();
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

    /** Writes rows in the run format through one buffer of its own. */
    private static final class RunWriter implements Closeable {
        private final OutputStream out;
        private final byte[] buf = new byte[WRITE_BUFFER];
        private int n;

        RunWriter(OutputStream out) {
            this.out = out;
        }

        void write(Row r) throws IOException {
            room(16);
            putLong(r.stamp().getEpochSecond());
            putInt(r.stamp().getNano());
            putInt(r.cells().length);
            for (String c : r.cells()) {
                cell(c);
            }
        }

        private void cell(String c) throws IOException {
            room(4);
            if (c == null) {
                putInt(NULL_CELL);
                return;
            }
            int len = c.length();
            // ASCII text (the usual case) as one byte a char: its UTF-8 bytes, one per char (a fast copy)
            byte[] ascii = c.getBytes(StandardCharsets.UTF_8);
            if (ascii.length == len) {
                putInt(len << 1);
                bytes(ascii);
                return;
            }
            putInt(len << 1 | 1);       // anything else as raw UTF-16 code units, unpaired surrogates included
            int i = 0;
            while (i < len) {
                room(2);
                int until = Math.min(len, i + (buf.length - n) / 2);
                for (; i < until; i++) {
                    char ch = c.charAt(i);
                    buf[n++] = (byte) (ch >>> 8);
                    buf[n++] = (byte) ch;
                }
            }
        }

        private void bytes(byte[] b) throws IOException {
            if (b.length > buf.length - n) {
                out.write(buf, 0, n);
                n = 0;
                if (b.length > buf.length) {
                    out.write(b);
                    return;
                }
            }
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        private void room(int bytes) throws IOException {
            if (buf.length - n < bytes) {
                out.write(buf, 0, n);
                n = 0;
            }
        }

        private void putInt(int v) {
            buf[n++] = (byte) (v >>> 24);
            buf[n++] = (byte) (v >>> 16);
            buf[n++] = (byte) (v >>> 8);
            buf[n++] = (byte) v;
        }

        private void putLong(long v) {
            putInt((int) (v >>> 32));
            putInt((int) v);
        }

        @Override
        public void close() throws IOException {
            try {
                out.write(buf, 0, n);
                n = 0;
            } finally {
                out.close();
            }
        }
    }

    /** Reads one run back row by row, holding one buffer and its head row. */
    private final class RunReader {
        private final InputStream in;
        private final byte[] buf;
        private int pos;
        private int end;
        private Row head;

        RunReader(InputStream in, int bufferSize) {
            this.in = in;
            this.buf = new byte[bufferSize];
        }

        /** @return false at the end of the run */
        boolean advance() throws IOException {
            if (pos >= end && !fill()) {
                head = null;
                return false;
            }
            long second = getLong();
            int nano = getInt();
            int cellCount = getInt();
            if (cellCount < 0) {
                throw new IOException("a spill file holds a row of " + cellCount + " cells");
            }
            String[] cells = new String[cellCount];
            for (int i = 0; i < cellCount; i++) {
                cells[i] = cell();
            }
            String id = idColumn < cells.length ? cells[idColumn] : null;
            if (id == null) {
                throw new IOException("a spill file holds a row without its Id");
            }
            head = new Row(Instant.ofEpochSecond(second, nano), CrmId.of(id), cells);
            return true;
        }

        private String cell() throws IOException {
            int word = getInt();
            if (word == NULL_CELL) {
                return null;
            }
            if (word < 0) {
                throw new IOException("a spill file holds a cell of negative length");
            }
            int len = word >>> 1;
            boolean utf16 = (word & 1) != 0;
            int bytes = utf16 ? 2 * len : len;
            if (bytes <= buf.length) {
                need(bytes);
                String s = utf16 ? utf16(buf, pos, len) : new String(buf, pos, len, StandardCharsets.ISO_8859_1);
                pos += bytes;
                return s;
            }
            byte[] big = new byte[bytes];          // a cell longer than the buffer
            int got = Math.min(end - pos, bytes);
            System.arraycopy(buf, pos, big, 0, got);
            pos += got;
            while (got < bytes) {
                int r = in.read(big, got, bytes - got);
                if (r < 0) {
                    throw new EOFException("a spill file ends in the middle of a row");
                }
                got += r;
            }
            return utf16 ? utf16(big, 0, len) : new String(big, 0, len, StandardCharsets.ISO_8859_1);
        }

        private String utf16(byte[] b, int from, int len) {
            char[] chars = new char[len];
            for (int i = 0; i < len; i++) {
                chars[i] = (char) ((b[from + 2 * i] & 0xFF) << 8 | (b[from + 2 * i + 1] & 0xFF));
            }
            return new String(chars);
        }

        private int getInt() throws IOException {
            need(4);
            int v = (buf[pos] & 0xFF) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8
                    | (buf[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }

        private long getLong() throws IOException {
            long hi = getInt();
            return hi << 32 | (getInt() & 0xFFFF_FFFFL);
        }

        /** Makes {@code bytes} (at most the buffer's size) readable at {@code pos}. */
        private void need(int bytes) throws IOException {
            if (end - pos >= bytes) {
                return;
            }
            System.arraycopy(buf, pos, buf, 0, end - pos);
            end -= pos;
            pos = 0;
            while (end < bytes) {
                int r = in.read(buf, end, buf.length - end);
                if (r < 0) {
                    throw new EOFException("a spill file ends in the middle of a row");
                }
                end += r;
            }
        }

        /** @return false if the run has no more bytes */
        private boolean fill() throws IOException {
            pos = 0;
            end = 0;
            int r;
            do {
                r = in.read(buf, 0, buf.length);
            } while (r == 0);
            if (r < 0) {
                return false;
            }
            end = r;
            return true;
        }
    }
}
