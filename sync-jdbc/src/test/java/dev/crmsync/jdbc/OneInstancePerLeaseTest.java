package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Lease;
import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.GatedSleeper;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two engine instances with the same engine id, each with its own {@link JdbcStores} over one
 * database (two processes): one holds a type's lease at a time, the other is refused and told who
 * holds it; a released lease is taken at once; a dead instance's lease lapses within the ttl by
 * the <em>database's</em> clock — the engines' manual clocks stand still in 2024 and play no part.
 * The database's time is moved by the store's test offset ({@code shiftClockForTest}), not waited for.
 */
abstract class OneInstancePerLeaseTest {

    private static final Duration PROMPT = Duration.ofSeconds(10);
    private static final String ENGINE_ID = "jdbc-twin";
    private static final Duration TTL = Duration.ofSeconds(30);

    /** @return a data source on an empty database (or schema) */
    protected abstract DataSource emptyDatabase();

    private final ManualClock clock = new ManualClock(Instant.parse("2024-03-01T09:00:00Z"));
    private final GatedSleeper gate = new GatedSleeper();
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).sleeper(gate).build();
    private JdbcStores first;
    private JdbcStores second;
    private Thread cycle;

    @BeforeEach
    void twoProcessesOverOneDatabase() {
        DataSource ds = emptyDatabase();
        first = TestDatabases.stores(ds).build();
        second = TestDatabases.stores(ds).build();
        for (int i = 0; i < 4; i++) {
            crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Account " + i)));
        }
        clock.advance(Duration.ofMinutes(1));
    }

    @AfterEach
    void releaseTheGate() throws InterruptedException {
        gate.release();
        if (cycle != null) {
            cycle.join(PROMPT.toMillis());
        }
    }

    private SyncEngine engine(JdbcStores stores) {
        return SyncEngine.builder().crmSource(crm).marketingStore(stores.marketingStore())
                .syncStateStore(stores.syncStateStore()).clock(clock).engineId(ENGINE_ID)
                .objectTypes(ObjectType.ACCOUNT).leaseTtl(TTL).build();
    }

    @Test
    void aSecondInstanceIsRefusedNamingTheHolderAndTakesTheLeaseOnceTheFirstClosed() throws InterruptedException {
        SyncEngine a = engine(first);
        crm.faults().latency(CrmOperation.READ_PAGE, Duration.ofMinutes(30));
        AtomicReference<SyncReport> aReport = new AtomicReference<>();
        cycle = new Thread(() -> aReport.set(a.runCycle()), "first-process");
        cycle.start();
        assertTrue(gate.awaitWaiting(1, PROMPT), "the first instance is inside a CRM call, holding the lease");

        try (SyncEngine b = engine(second)) {
            SyncReport refused = b.runCycle();
            TypeOutcome.Blocked blocked = assertInstanceOf(TypeOutcome.Blocked.class,
                    refused.type(ObjectType.ACCOUNT).orElseThrow().outcome(), refused::toTable);
            Lease holder = blocked.holder();
            assertEquals(ENGINE_ID, holder.owner());
            assertEquals(a.instanceToken(), holder.instance());
            assertTrue(blocked.reason().contains(a.instanceToken()) && blocked.reason().contains("since"),
                    blocked.reason());
            assertFalse(refused.isComplete(), refused::toTable);
            assertNotEquals(a.instanceToken(), b.instanceToken());

            crm.faults().clear();
            gate.release();
            cycle.join(PROMPT.toMillis());
            assertTrue(aReport.get().isComplete(), aReport.get()::toTable);
            a.close();                                           // released its lease at the end of the type

            SyncReport taken = b.runCycle();
            assertInstanceOf(TypeOutcome.Synced.class, taken.type(ObjectType.ACCOUNT).orElseThrow().outcome(),
                    taken::toTable);
            assertNotEquals(aReport.get().cycleId(), taken.cycleId(), "cycle ids of the two instances differ");
        }
    }

    @Test
    void aDeadInstancesLeaseLapsesWithinTheTtlByTheDatabaseClock() {
        // what a process killed with -9 leaves behind: a lease row it will never renew nor release
        assertTrue(first.syncStateStore().tryAcquireLease("crmsync:Account", ENGINE_ID, "killed-instance", TTL)
                .granted());
        try (SyncEngine restarted = engine(second)) {
            assertInstanceOf(TypeOutcome.Blocked.class,
                    restarted.runCycle().type(ObjectType.ACCOUNT).orElseThrow().outcome());

            second.syncStateStore().shiftClockForTest(TTL.minusSeconds(5));
            assertInstanceOf(TypeOutcome.Blocked.class,
                    restarted.runCycle().type(ObjectType.ACCOUNT).orElseThrow().outcome(),
                    "still held 5 s before it lapses");

            second.syncStateStore().shiftClockForTest(Duration.ofSeconds(5));
            SyncReport taken = restarted.runCycle();
            assertTrue(taken.isComplete(), taken::toTable);
            assertEquals(4, taken.totals().created());
        }
    }
}
