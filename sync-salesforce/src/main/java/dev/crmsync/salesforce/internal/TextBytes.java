package dev.crmsync.salesforce.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Text from bytes without silent changes. Java's UTF-8 decoder replaces what is not UTF-8 with
 * U+FFFD, and its encoder replaces an unpaired surrogate with {@code ?}: a CRM value holding an
 * unpaired UTF-16 surrogate (the 3-byte form {@code ED A0 80} of U+D800 in a Bulk result) would reach
 * the store altered and unnoticed. Here an encoded surrogate decodes to that surrogate, and any
 * other byte that is not UTF-8 to the unpaired surrogate {@link #NOT_UTF8}; either way the value
 * holds an unpaired surrogate, which every store refuses per record, naming the field
 * ({@code dev.crmsync.store.StoreChecks#valueProblem}) — the record is rejected, the rest of the page
 * proceeds. Spill files keep such text exactly by holding raw UTF-16 code units.
 */
public final class TextBytes {

    /** What a byte sequence that is not UTF-8 (nor an encoded surrogate) decodes to: an unpaired surrogate. */
    public static final char NOT_UTF8 = '\uDFFF';

    private TextBytes() {
    }

    /**
     * @param bytes UTF-8 bytes, possibly with encoded surrogates or bytes that are not UTF-8
     * @return the text, unchanged where the bytes are UTF-8
     */
    public static String decodeUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            if (r.isUnderflow()) {
                decoder.flush(out);
                break;
            }
            if (r.isOverflow()) {      // cannot happen: a byte gives at most one char
                throw new IllegalStateException("decode overflow");
            }
            int at = in.position();
            if (in.remaining() >= 3 && (bytes[at] & 0xFF) == 0xED && (bytes[at + 1] & 0xE0) == 0xA0
                    && (bytes[at + 2] & 0xC0) == 0x80) {
                out.put((char) (0xD000 | (bytes[at + 1] & 0x3F) << 6 | (bytes[at + 2] & 0x3F)));
                in.position(at + 3);
            } else {
                out.put(NOT_UTF8);
                in.position(at + Math.max(1, r.length()));
            }
        }
        out.flip();
        return out.toString();
    }

    /**
     * @param file a file to write
     * @return a writer of raw UTF-16 code units (big-endian): any Java text, unpaired surrogates included
     * @throws IOException if the file cannot be opened
     */
    public static Writer codeUnitWriter(Path file) throws IOException {
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        return new Writer() {
            @Override
            public void write(char[] cbuf, int off, int len) throws IOException {
                for (int i = off; i < off + len; i++) {
                    out.write(cbuf[i] >>> 8);
                    out.write(cbuf[i]);
                }
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    /**
     * @param file a file written by {@link #codeUnitWriter(Path)}
     * @return a reader of its text
     * @throws IOException if the file cannot be opened
     */
    public static Reader codeUnitReader(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return new Reader() {
            @Override
            public int read(char[] cbuf, int off, int len) throws IOException {
                int n = 0;
                while (n < len) {
                    int hi = in.read();
                    if (hi < 0) {
                        break;
                    }
                    int lo = in.read();
                    if (lo < 0) {
                        throw new IOException("a spill file ends in the middle of a character");
                    }
                    cbuf[off + n++] = (char) (hi << 8 | lo);
                }
                return n == 0 && len > 0 ? -1 : n;
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    /**
     * A reader decoding a UTF-8 stream as it arrives, exactly as {@link #decodeUtf8(byte[])} decodes
     * the same bytes whole (encoded surrogates kept, other bytes that are not UTF-8 read as
     * {@link #NOT_UTF8}), holding no more than a 64 KiB block of the stream.
     *
     * @param in the bytes
     * @return the text, as it arrives
     */
    public static Reader utf8Reader(InputStream in) {
        return new Utf8Reader(in);
    }

    /** See {@link #utf8Reader(InputStream)}. */
    private static final class Utf8Reader extends Reader {
        private final InputStream in;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16);
        private boolean eof;

        Utf8Reader(InputStream in) {
            this.in = in;
            bytes.flip();
        }

        @Override
        public int read(char[] cbuf, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            CharBuffer out = CharBuffer.wrap(cbuf, off, len);
            while (out.position() == off) {
                if (!bytes.hasRemaining() || !eof && bytes.remaining() < 4) {
                    if (!fill() && !bytes.hasRemaining()) {
                        return -1;
                    }
                }
                decode(out);
            }
            return out.position() - off;
        }

        /** @return false at the end of the stream */
        private boolean fill() throws IOException {
            if (eof) {
                return false;
            }
            bytes.compact();
            try {
                while (bytes.hasRemaining()) {
                    int n = in.read(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
                    if (n < 0) {
                        eof = true;
                        break;
                    }
                    bytes.position(bytes.position() + n);
                    if (n > 0 && bytes.position() >= 4) {
                        break;
                    }
                }
            } finally {
                bytes.flip();
            }
            return !eof || bytes.hasRemaining();
        }

        private void decode(CharBuffer out) {
            while (out.hasRemaining()) {
                CoderResult r = decoder.decode(bytes, out, eof);
                if (r.isUnderflow()) {
                    if (eof && !bytes.hasRemaining()) {
                        decoder.flush(out);
                    }
                    return;
                }
                if (r.isOverflow()) {
                    return;
                }
                int at = bytes.position();
                if (!out.hasRemaining()) {
                    return;     // the malformed bytes stay: the next read reports them again
                }
                if (!eof && bytes.remaining() < 3) {
                    return;     // a malformed sequence near the block's end: decide with the next block
                }
                byte[] b = bytes.array();
                int a = bytes.arrayOffset() + at;
                if (bytes.remaining() >= 3 && (b[a] & 0xFF) == 0xED && (b[a + 1] & 0xE0) == 0xA0
                        && (b[a + 2] & 0xC0) == 0x80) {
                    out.put((char) (0xD000 | (b[a + 1] & 0x3F) << 6 | (b[a + 2] & 0x3F)));
                    bytes.position(at + 3);
                } else {
                    out.put(NOT_UTF8);
                    bytes.position(at + Math.max(1, r.length()));
                }
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
