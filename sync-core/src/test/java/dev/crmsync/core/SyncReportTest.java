package dev.crmsync.core;

import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.core.report.SyncCounts;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.core.report.TypeReport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.ObjectType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncReportTest {

    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

    private static SyncReport sample() {
        return new SyncReport("engine-1", T0, T0.plusMillis(1_250), new CycleOutcome.Partial(List.of("Account failed: timeout")),
                List.of(new TypeReport(ObjectType.USER, new TypeOutcome.Synced(), new SyncCounts(10, 8, 1, 1, 0, 0, 0),
                                Duration.ofMillis(5), List.of()),
                        new TypeReport(ObjectType.ACCOUNT, new TypeOutcome.Failed("timeout", true),
                                new SyncCounts(4, 2, 0, 0, 1, 1, 0), Duration.ofMillis(7), List.of("a note"))),
                Map.of("readPage", 3L, "describe", 2L));
    }

    @Test
    void totalsAddUpTheTypes() {
        SyncCounts t = sample().totals();
        assertEquals(new SyncCounts(14, 10, 1, 1, 1, 1, 0), t);
        assertEquals(12, t.moved());
        assertEquals(5, sample().crmCallsTotal());
        assertEquals(Duration.ofMillis(1_250), sample().duration());
    }

    @Test
    void tableShowsEveryTypeTheTotalAndTheReasons() {
        String table = sample().toTable();
        assertTrue(table.contains("PARTIAL"), table);
        assertTrue(table.contains("1.250 s"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("User") && l.contains("done") && l.matches(".*\\b10\\b.*")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("Account") && l.contains("failed")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("Total") && l.contains("14")), table);
        assertTrue(table.contains("Account failed: timeout"), table);
        assertTrue(table.contains("a note"), table);
        assertTrue(table.contains("readPage=3"), table);
    }

    @Test
    void typeLooksUpByObjectType() {
        assertEquals(ObjectType.ACCOUNT, sample().type(ObjectType.ACCOUNT).orElseThrow().type());
        assertTrue(sample().type(ObjectType.LEAD).isEmpty());
    }

    @Test
    void reportIsImmutable() {
        List<TypeReport> types = new ArrayList<>();
        SyncReport r = new SyncReport("c", T0, T0, new CycleOutcome.Complete(), types, Map.of());
        types.add(new TypeReport(ObjectType.USER, new TypeOutcome.Synced(), SyncCounts.ZERO, Duration.ZERO, List.of()));
        assertTrue(r.types().isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> r.types().add(null));
    }

    @Test
    void finishBeforeStartIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SyncReport("c", T0, T0.minusSeconds(1), new CycleOutcome.Complete(), List.of(), Map.of()));
        assertTrue(e.getMessage().contains(T0.minusSeconds(1).toString()), e.getMessage());
    }

    @Test
    void negativeCountIsRejectedNamingTheCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SyncCounts(0, 0, 0, 0, -3, 0, 0));
        assertTrue(e.getMessage().contains("deleted") && e.getMessage().contains("-3"), e.getMessage());
    }
}
