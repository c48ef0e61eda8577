package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.internal.LeaseKeeper;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.store.LeaseAttempt;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.InstrumentedStores;
import dev.crmsync.testkit.fault.InstrumentedSyncStateStore;
import dev.crmsync.testkit.fault.StoreOperation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lease heartbeat ({@link LeaseKeeper}) on a manual executor and the in-memory store's manual clock. */
class LeaseHeartbeatTest {

    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Duration BEAT = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock(Instant.parse("2024-03-01T09:00:00Z"));
    private final InstrumentedSyncStateStore state = InstrumentedStores.create().state(new InMemorySyncStateStore(clock));
    private final ManualScheduledExecutor executor = new ManualScheduledExecutor();
    private final LeaseKeeper keeper = new LeaseKeeper(state, "engine", "i1", TTL, clock, executor);

    private void beat() {
        clock.advance(BEAT);
        executor.advance(BEAT);
    }

    @Test
    void aHeldLeaseIsRenewedEveryThirdOfItsTtl() {
        LeaseKeeper.Hold hold = keeper.acquire("crmsync:Lead").hold();
        assertNotNull(hold);
        for (int i = 0; i < 9; i++) {
            beat();
        }
        assertEquals(9, state.log().count(StoreOperation.RENEW_LEASE));
        assertEquals(List.of(BEAT), executor.scheduledDelays().stream().distinct().toList());
        assertEquals(clock.instant().plus(TTL), hold.lease().expiresAt());
        assertTrue(state.holdsLease(hold.lease()), "held three ttls after it was granted");
        hold.release();
        assertEquals(0, executor.pending(), "release stops the heartbeat");
        assertTrue(state.tryAcquireLease("crmsync:Lead", "engine", "i2", TTL).granted());
    }

    @Test
    void aHeartbeatThatFindsTheLeaseLostStopsAndTheTypeStopsAtItsNextBoundary() {
        LeaseKeeper.Hold hold = keeper.acquire("crmsync:Lead").hold();
        assertNotNull(hold);
        clock.advance(TTL);                                       // frozen past the ttl: no beat ran
        LeaseAttempt other = state.tryAcquireLease("crmsync:Lead", "engine", "i2", TTL);
        assertTrue(other.granted());
        executor.advance(BEAT);                                   // the late heartbeat finds it gone
        assertTrue(hold.lost());
        assertEquals(0, executor.pending(), "no more beats for a lost lease");
        RetriableSyncException e = assertThrows(RetriableSyncException.class, () -> hold.check(ObjectType.LEAD));
        assertTrue(e.getMessage().contains("crmsync:Lead") && e.getMessage().contains("lost"), e.getMessage());
        hold.release();
        assertTrue(state.holdsLease(((LeaseAttempt.Granted) other).lease()), "releasing a lost lease frees nothing");
    }

    @Test
    void aRenewalTheStoreFailsIsTriedAgainAtTheNextBeat() {
        LeaseKeeper.Hold hold = keeper.acquire("crmsync:Lead").hold();
        assertNotNull(hold);
        state.faults().failNext(StoreOperation.RENEW_LEASE, 1, Fault.retriable());
        beat();
        assertFalse(hold.lost(), "a failed call is not a lost lease");
        beat();
        assertEquals(2, state.log().count(StoreOperation.RENEW_LEASE));
        assertEquals(clock.instant().plus(TTL), hold.lease().expiresAt(), "the second beat renewed it");
        hold.release();
    }

    @Test
    void anotherInstanceOfTheSameEngineIsRefusedAndAGivenExecutorIsNeverShutDown() {
        LeaseKeeper.Hold hold = keeper.acquire("crmsync:Lead").hold();
        assertNotNull(hold);
        LeaseKeeper twin = new LeaseKeeper(state, "engine", "i2", TTL, clock, executor);
        LeaseKeeper.Acquired refused = twin.acquire("crmsync:Lead");
        assertEquals(null, refused.hold());
        assertEquals(hold.lease(), refused.holder());
        twin.close();
        keeper.close();
        assertFalse(executor.isShutdown(), "the host's executor stays up");
        hold.release();
        assertInstanceOf(LeaseKeeper.Hold.class, twin.acquire("crmsync:Lead").hold());
    }
}
