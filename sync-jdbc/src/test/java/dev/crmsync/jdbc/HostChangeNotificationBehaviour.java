package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.HostChangePusher;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.SyncListener;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.InMemoryCrm;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, the marketing side in seconds: a host's plain SQL edit reaches the CRM without a cycle —
 * the store tells ({@code LISTEN/NOTIFY} on PostgreSQL, the feed polled on H2 and MariaDB) and
 * {@link HostChangePusher} pushes; a burst in one transaction goes out in whole write calls; the
 * engine's own writes tell nothing. Waits are bounded by a timeout, never a sleep.
 */
abstract class HostChangeNotificationBehaviour {

    /** @return a data source on an empty database (or schema) */
    protected abstract DataSource emptyDatabase();

    private static void sql(DataSource ds, String statement) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate(statement);
        }
    }

    @Test
    void aHostEditInSqlReachesTheCrmWithoutACycleAndABurstInWholeCalls() throws Exception {
        InMemoryCrm crm = InMemoryCrm.builder().seed(3).build();
        List<CrmId> ids = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            ids.add(crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("L" + i), "Company",
                    FieldValue.text("Acme"))));
        }
        DataSource ds = emptyDatabase();
        JdbcStores stores = TestDatabases.stores(ds).build();
        String lead = stores.marketingStore().tableName(ObjectType.LEAD);
        BlockingQueue<Long> written = new LinkedBlockingQueue<>();
        try (SyncEngine engine = SyncEngine.builder().crmSource(crm).marketingStore(stores.marketingStore())
                .syncStateStore(stores.syncStateStore()).engineId("notify").objectTypes(ObjectType.LEAD)
                .listener(new SyncListener() {
                    @Override
                    public void onWrittenToCrm(ObjectType type, long records) {
                        written.add(records);
                    }
                }).build()) {
            assertTrue(engine.runCycle().isComplete());
            assertTrue(engine.runCycle().isComplete());
            try (HostChangePusher pusher = HostChangePusher.start(engine, stores.marketingStore(), Duration.ofMillis(20))) {
                long t0 = System.nanoTime();
                sql(ds, "UPDATE " + lead + " SET title = 'Set in SQL' WHERE _crm_id = '" + ids.get(0).value() + "'");
                Long first = written.poll(30, TimeUnit.SECONDS);
                long millis = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(1L, first, "one record written, without a cycle");
                assertEquals(FieldValue.text("Set in SQL"), crm.get(ObjectType.LEAD, ids.get(0)).orElseThrow().get("Title"));
                System.out.printf("host edit to CRM via notification: %d ms%n", millis);

                long writes = crm.log().count(CrmOperation.WRITE);
                sql(ds, "UPDATE " + lead + " SET title = 'Burst'");           // 250 rows in one transaction
                long total = 0;
                while (total < 250) {
                    Long n = written.poll(30, TimeUnit.SECONDS);
                    assertTrue(n != null, "the burst did not arrive; written so far: " + total);
                    total += n;
                }
                assertEquals(250, total);
                assertEquals(writes + 2, crm.log().count(CrmOperation.WRITE), "⌈250 / 200⌉ = 2 write calls");
                assertEquals(null, written.poll(200, TimeUnit.MILLISECONDS), "the engine's own writes told nothing more");
            }
            assertTrue(engine.runCycle().isComplete());
        }
        for (CrmId id : ids) {
            assertEquals(FieldValue.text("Burst"), crm.get(ObjectType.LEAD, id).orElseThrow().get("Title"));
        }
    }
}
