package dev.crmsync.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextBytesTest {

    @TempDir
    Path dir;

    @Test
    void utf8DecodesAsTheJdkDoes() {
        String s = "plain Zoë 東京 😀 \r\n\"q\"";
        assertEquals(s, TextBytes.decodeUtf8(s.getBytes(StandardCharsets.UTF_8)));
        assertEquals("", TextBytes.decodeUtf8(new byte[0]));
    }

    @Test
    void anEncodedSurrogateDecodesToThatSurrogateNotToAReplacement() {
        byte[] b = {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'b', (byte) 0xED, (byte) 0xBF, (byte) 0xBF};
        assertEquals("a\uD800b\uDFFF", TextBytes.decodeUtf8(b));
    }

    @Test
    void otherBytesThatAreNotUtf8DecodeToAnUnpairedSurrogate() {
        assertEquals("x" + TextBytes.NOT_UTF8 + "y", TextBytes.decodeUtf8(new byte[] {'x', (byte) 0xFF, 'y'}));
        assertEquals("x" + TextBytes.NOT_UTF8, TextBytes.decodeUtf8(new byte[] {'x', (byte) 0xE2, (byte) 0x82}));
    }

    @Test
    void spillFilesKeepAnyTextExactly() throws Exception {
        String s = "lone \uD800 and \uDC00, paired 😀, Zoë\n" + "x".repeat(70_000);
        Path f = dir.resolve("run");
        try (Writer w = TextBytes.codeUnitWriter(f)) {
            w.write(s);
        }
        assertEquals(2L * s.length(), Files.size(f));
        StringBuilder back = new StringBuilder();
        try (Reader r = TextBytes.codeUnitReader(f)) {
            char[] buf = new char[4096];
            int n;
            while ((n = r.read(buf, 0, buf.length)) > 0) {
                back.append(buf, 0, n);
            }
        }
        assertEquals(s, back.toString());
    }

    @Test
    void theStreamingReaderDecodesExactlyAsTheWholeDecoderAtEveryBlockBoundary() throws Exception {
        java.util.Random random = new java.util.Random(3);
        byte[][] pieces = {"a".getBytes(StandardCharsets.UTF_8), "ë".getBytes(StandardCharsets.UTF_8),
            "東".getBytes(StandardCharsets.UTF_8), "😀".getBytes(StandardCharsets.UTF_8),
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xC3},
            {(byte) 0xED, (byte) 0xA0}, {(byte) 0xF0, (byte) 0x9F}};
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 60_000; i++) {
            all.write(pieces[random.nextInt(pieces.length)]);
        }
        byte[] bytes = all.toByteArray();
        String expected = TextBytes.decodeUtf8(bytes);
        for (int step : new int[] {1, 2, 3, 5, 4096, 1 << 20}) {
            java.io.InputStream in = new java.io.ByteArrayInputStream(bytes) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    return super.read(b, off, Math.min(len, step));
                }
            };
            StringBuilder got = new StringBuilder();
            try (Reader r = TextBytes.utf8Reader(in)) {
                char[] buf = new char[777];
                int n;
                while ((n = r.read(buf, 0, buf.length)) >= 0) {
                    got.append(buf, 0, n);
                }
            }
            assertEquals(expected, got.toString(), "reading " + step + " bytes at a time");
        }
    }
}
