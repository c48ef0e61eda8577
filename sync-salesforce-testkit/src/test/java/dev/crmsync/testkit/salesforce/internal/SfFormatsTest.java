package dev.crmsync.testkit.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SfFormatsTest {

    private static final Instant T = Instant.parse("2013-05-07T22:07:19Z");

    @Test
    void restJsonWritesMillisAndAColonlessOffset() {
        assertEquals("2013-05-07T22:07:19.000+0000", SfFormats.jsonDateTime(T));
    }

    @Test
    void bulkCsvWritesMillisAndZ() {
        assertEquals("2013-05-07T22:07:19.000Z", SfFormats.csvDateTime(T));
    }

    @Test
    void parsesTheFormsClientsSend() {
        for (String s : new String[] {"2013-05-07T22:07:19Z", "2013-05-07T22:07:19.000Z", "2013-05-07T22:07:19+00:00",
                "2013-05-07T22:07:19.000+0000", "2013-05-07T23:07:19+01:00"}) {
            assertEquals(Optional.of(T), SfFormats.parseDateTime(s), s);
        }
        assertTrue(SfFormats.parseDateTime("2013-05-07T22:07:19").isEmpty());
        assertTrue(SfFormats.parseDateTime("yesterday").isEmpty());
    }

    @Test
    void namesReleasesBySeason() {
        assertEquals("Summer '14", SfFormats.releaseLabel(31));
        assertEquals("Spring '24", SfFormats.releaseLabel(60));
        assertEquals("Winter '25", SfFormats.releaseLabel(62));
    }
}
