package dev.crmsync.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.core.report.SyncCounts;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.model.CredentialsRefusedException;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.crm.Cursor;
import dev.crmsync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

/** The health's rules, cycle by cycle: N cycles without completing, a spent quota, and back to UP. */
class SyncStatusTest {

    private static final Instant T = Instant.parse("2024-03-01T09:00:00Z");
    private static final SyncCounts NONE = new SyncCounts(0, 0, 0, 0, 0, 0, 0);

    private final SyncStatus status = new SyncStatus(3);
    private final SyncHealthIndicator health = new SyncHealthIndicator(status);

    private void cycle(CycleOutcome outcome, TypeOutcome account) {
        status.onCycleStarted("c", List.of(ObjectType.ACCOUNT));
        TypeReport type = new TypeReport(ObjectType.ACCOUNT, account, NONE, Duration.ZERO, List.of());
        status.onTypeDone(type);
        status.onCycleDone(new SyncReport("c", T, T, outcome, List.of(type), Map.of()));
    }

    @Test
    void aTypeIsDownAfterTheConfiguredCyclesWithoutCompletingAndUpWhenItCompletes() {
        for (int i = 1; i <= 2; i++) {
            cycle(new CycleOutcome.Partial(List.of("x")), new TypeOutcome.Failed("store down", true));
            assertEquals(Status.UP, health.health().getStatus(), "after " + i + " cycles");
        }
        cycle(new CycleOutcome.Partial(List.of("x")), new TypeOutcome.Failed("store down", true));
        assertEquals(Status.DOWN, health.health().getStatus());
        assertEquals(List.of("NOT_COMPLETING:Account"), status.snapshot().problems());
        assertEquals(3, status.snapshot().type("Account").orElseThrow().cyclesWithoutCompletion());

        cycle(new CycleOutcome.Complete(), new TypeOutcome.Synced());
        assertEquals(Status.UP, health.health().getStatus());
        assertTrue(status.snapshot().healthy());
    }

    @Test
    void aSpentQuotaIsDownUntilACycleEndsOtherwise() {
        cycle(new CycleOutcome.Quota("daily limit"), new TypeOutcome.Stopped("API quota exhausted"));
        assertEquals(Status.DOWN, health.health().getStatus());
        assertEquals(List.of(SyncStatus.API_QUOTA_EXHAUSTED), status.snapshot().problems());
        cycle(new CycleOutcome.Complete(), new TypeOutcome.Synced());
        assertEquals(Status.UP, health.health().getStatus());
    }

    @Test
    void aFailedCycleCountsOnceForATypeItReachedAndOnceForOneItDidNot() {
        cycle(new CycleOutcome.Complete(), new TypeOutcome.Synced());
        status.onCycleStarted("c2", List.of(ObjectType.USER, ObjectType.ACCOUNT));
        TypeReport user = new TypeReport(ObjectType.USER, new TypeOutcome.Failed("x", false), NONE, Duration.ZERO,
                List.of());
        status.onTypeDone(user);
        status.onCycleDone(new SyncReport("c2", T, T, new CycleOutcome.Failed("x"), List.of(user), Map.of()));
        assertEquals(1, status.snapshot().type("User").orElseThrow().cyclesWithoutCompletion());
        assertEquals(1, status.snapshot().type("Account").orElseThrow().cyclesWithoutCompletion());
        assertEquals("not run", status.snapshot().type("Account").orElseThrow().outcome());
    }

    @Test
    void theLatestCountedBacklogIsKeptAndARunThatCountedNothingDoesNotEraseIt() {
        dev.crmsync.core.report.Backlog counted = new dev.crmsync.core.report.Backlog(T, java.util.OptionalLong.of(4),
                java.util.OptionalLong.empty(), false, dev.crmsync.core.report.Backlog.Trend.GROWING,
                java.util.OptionalLong.of(1));
        status.onCycleStarted("c", List.of(ObjectType.ACCOUNT));
        status.onTypeDone(new TypeReport(ObjectType.ACCOUNT, new TypeOutcome.Synced(), NONE, Duration.ZERO, List.of(),
                Map.of(), counted));
        assertEquals(counted, status.snapshot().type("Account").orElseThrow().backlog());
        cycle(new CycleOutcome.Partial(List.of("x")), new TypeOutcome.Failed("store down", true));
        assertEquals(counted, status.snapshot().type("Account").orElseThrow().backlog(),
                "a run that failed before it counted leaves the last count");
    }

    @Test
    void lagIsNowMinusTheNewestCrmStampAppliedAndUnknownBeforeOne() {
        ManualClock clock = new ManualClock(T);
        SyncStatus timed = new SyncStatus(3, clock);
        timed.onCheckpoint(Checkpoint.initial(ObjectType.ACCOUNT, T));   // nothing applied yet (the epoch cursor)
        assertTrue(timed.snapshot().type("Account").isEmpty(), "no lag known, nothing to report");
        Checkpoint applied = Checkpoint.initial(ObjectType.ACCOUNT, T)
                .withCrmCursor(new Cursor(T.minusSeconds(90), null), 1, T);
        timed.onCheckpoint(applied);
        // an older stamp later (a lookback re-read) does not move it back
        timed.onCheckpoint(Checkpoint.initial(ObjectType.ACCOUNT, T).withCrmCursor(
                new Cursor(T.minusSeconds(600), null), 1, T));
        clock.advance(Duration.ofSeconds(30));
        assertEquals(120L, timed.snapshot().type("Account").orElseThrow().lagSeconds());
        assertNull(timed.snapshot().lastCycleAt(), "no cycle finished yet");

        timed.onCycleStarted("c", List.of(ObjectType.ACCOUNT));
        timed.onTypeDone(new TypeReport(ObjectType.ACCOUNT, new TypeOutcome.Synced(), NONE, Duration.ZERO, List.of()));
        Instant end = T.plusSeconds(31);
        timed.onCycleDone(new SyncReport("c", T, end, new CycleOutcome.Complete(), List.of(), Map.of()));
        assertEquals(end, timed.snapshot().lastCycleAt());
        assertEquals(T.plusSeconds(30), timed.snapshot().type("Account").orElseThrow().lastCycleAt());
        assertThrows(NullPointerException.class, () -> new SyncStatus(3, null));
    }

    @Test
    void refusedCredentialsAreKnownByTheirCodeNotByTheWordsOfTheReason() {
        // worded like a token failure, but without the code: not a credentials problem
        cycle(new CycleOutcome.Failed("Salesforce OAuth token request (client credentials) failed with HTTP 503"),
                new TypeOutcome.Failed("Salesforce OAuth token request failed with HTTP 503", true));
        assertTrue(status.snapshot().problems().stream().noneMatch(SyncStatus.CREDENTIALS_REFUSED::equals));

        cycle(new CycleOutcome.Failed("every type failed", CredentialsRefusedException.CODE),
                new TypeOutcome.Failed("refused", false, CredentialsRefusedException.CODE));
        assertEquals(SyncStatus.CREDENTIALS_REFUSED, status.snapshot().problems().get(0));
        assertEquals(Status.DOWN, health.health().getStatus());

        // a type alone that says so is enough (another type may have failed otherwise)
        cycle(new CycleOutcome.Partial(List.of("x")),
                new TypeOutcome.Failed("refused", false, CredentialsRefusedException.CODE));
        assertEquals(SyncStatus.CREDENTIALS_REFUSED, status.snapshot().problems().get(0));

        cycle(new CycleOutcome.Complete(), new TypeOutcome.Synced());
        assertTrue(status.snapshot().healthy());
    }

    @Test
    void noCycleYetIsUnknownAndABadThresholdIsRefused() {
        assertEquals(Status.UNKNOWN, health.health().getStatus());
        assertThrows(IllegalArgumentException.class, () -> new SyncStatus(0));
        assertThrows(NullPointerException.class, () -> new SyncHealthIndicator(null));
    }
}
