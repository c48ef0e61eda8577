package dev.crmsync.kafka.connect.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.crmsync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.TransactionContext;
import org.junit.jupiter.api.Test;

/** The source tasks' shared poll loop: feeds in turn, rests, one transaction per page. */
class PollLoopTest {

    /** A feed that rests until a given time. */
    private static final class F implements PollLoop.Feed {
        final String name;
        Instant restUntil = Instant.MIN;

        F(String name) {
            this.name = name;
        }

        @Override
        public Instant restUntil() {
            return restUntil;
        }
    }

    /** Counts the transactions committed, with the record each ends at. */
    private static final class Tx implements TransactionContext {
        final List<SourceRecord> committed = new ArrayList<>();

        @Override
        public void commitTransaction() {
            throw new AssertionError("a page's transaction ends at its last record");
        }

        @Override
        public void commitTransaction(SourceRecord record) {
            committed.add(record);
        }

        @Override
        public void abortTransaction() {
            throw new AssertionError("never aborted");
        }

        @Override
        public void abortTransaction(SourceRecord record) {
            throw new AssertionError("never aborted");
        }
    }

    private static SourceRecord rec(String feed, int i) {
        return new SourceRecord(Map.of("feed", feed), Map.of("i", i), "t", null, feed + i);
    }

    @Test
    void feedsTakeTurnsARestingOneIsPassedOverEachPageIsOneTransactionAndAllRestingIsNull() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
        F a = new F("a");
        F b = new F("b");
        F c = new F("c");
        PollLoop<F> loop = new PollLoop<>(clock, List.of(a, b, c));
        Tx tx = new Tx();
        List<String> read = new ArrayList<>();
        c.restUntil = clock.instant().plusSeconds(60);
        PollLoop.PageReader<F> reader = (f, now) -> {
            read.add(f.name);
            if (f == b) {
                return List.of();       // nothing new: the loop goes on to the next feed in the same poll
            }
            f.restUntil = now.plusSeconds(30);
            return List.of(rec(f.name, 1), rec(f.name, 2));
        };
        List<SourceRecord> first = loop.poll(Duration.ofMillis(1), () -> tx, reader);
        assertEquals(List.of("a"), read);
        assertEquals(2, first.size());
        assertSame(first.get(1), tx.committed.get(0), "the transaction ends at the page's last record");

        assertNull(loop.poll(Duration.ofMillis(1), () -> tx, reader), "b has nothing, a and c rest");
        assertEquals(List.of("a", "b"), read, "c and a rest: passed over");
        assertEquals(1, tx.committed.size());

        clock.advance(Duration.ofSeconds(61));
        List<SourceRecord> next = loop.poll(Duration.ofMillis(1), () -> null, reader);
        assertEquals(List.of("a", "b", "b", "c"), read, "in turn from where the last poll stopped: c's rest ended");
        assertEquals("c1", next.get(0).value());
        assertEquals(1, tx.committed.size(), "no transaction context: nothing committed");

        loop.stop();
        clock.advance(Duration.ofSeconds(61));
        read.clear();
        PollLoop.PageReader<F> nothing = (f, now) -> {
            read.add(f.name);
            return List.of();
        };
        assertNull(loop.poll(Duration.ofHours(1), () -> tx, nothing), "stopped: returns after the first empty feed");
        assertEquals(1, read.size());
    }
}
