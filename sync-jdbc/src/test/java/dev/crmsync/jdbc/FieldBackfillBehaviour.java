package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A field made readable after the first copy gets its column at the next cycle and its values for
 * every record already synced, read back with plain SQL; the lead's host-change feed sees nothing.
 */
abstract class FieldBackfillBehaviour {

    /** @return a data source on an empty database (or schema) */
    protected abstract DataSource emptyDatabase();

    @Test
    void aNewlyReadableFieldGetsItsColumnAndTheValuesOfEveryRecordSyncedBefore() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2024-03-01T09:00:00Z"));
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(9).build();
        crm.hideField(ObjectType.LEAD, "Rating");
        List<CrmId> ids = new ArrayList<>();
        String[] ratings = {"Hot", "Warm", "Cold"};
        for (int i = 0; i < 3; i++) {
            ids.add(crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("L" + i), "Company", FieldValue.text("Acme"),
                    "Rating", FieldValue.text(ratings[i]))));
        }
        clock.advance(Duration.ofHours(1));
        DataSource ds = emptyDatabase();
        JdbcStores stores = TestDatabases.stores(ds).clock(clock).build();
        String lead = stores.marketingStore().tableName(ObjectType.LEAD);
        try (SyncEngine e = SyncEngine.builder().crmSource(crm).marketingStore(stores.marketingStore())
                .syncStateStore(stores.syncStateStore()).clock(clock).engineId("backfill").objectTypes(ObjectType.LEAD)
                .build()) {
            clock.advance(Duration.ofSeconds(10));
            assertTrue(e.runCycle().isComplete());
            crm.showField(ObjectType.LEAD, "Rating");
            long writes = crm.log().count(CrmOperation.WRITE);
            clock.advance(Duration.ofSeconds(10));
            assertTrue(e.runCycle().isComplete());
            List<String> got = new ArrayList<>();
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT lastname, rating FROM " + lead + " ORDER BY lastname")) {
                while (rs.next()) {
                    got.add(rs.getString(1) + "=" + rs.getString(2));
                }
            }
            assertEquals(List.of("L0=Hot", "L1=Warm", "L2=Cold"), got);
            clock.advance(Duration.ofSeconds(10));
            assertTrue(e.runCycle().isComplete());
            assertEquals(writes, crm.log().count(CrmOperation.WRITE), "nothing echoes to the CRM");
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + lead + " WHERE _change_seq > 0")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "the back-fill's writes took no host-change position");
            }
        }
    }
}
