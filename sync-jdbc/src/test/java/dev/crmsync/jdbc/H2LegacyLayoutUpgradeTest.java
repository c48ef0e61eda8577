package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.RecordKey;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** {@link LegacyLayoutUpgradeTest} on embedded H2, and a row of the old layout no code can read. */
class H2LegacyLayoutUpgradeTest extends LegacyLayoutUpgradeTest {
    @Override
    protected DataSource emptyDatabase() {
        return TestDatabases.freshH2();
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.H2;
    }

    @Test
    void aRowWhoseFieldsAreNotTheOldJsonMovesAsWrittenAndIsReportedUnreadableNamingItsKeyAndColumn() throws Exception {
        DataSource ds = emptyDatabase();
        oldSchema(ds);
        Instant t = Instant.parse("2024-03-01T09:00:00Z");
        CrmId good = CrmId.of("00Q000000000001");
        CrmId bad = CrmId.of("00Q000000000002");
        oldRecord(ds, 1, ObjectType.LEAD, good, Map.of("LastName", FieldValue.text("Doe")), false, t, t, 1);
        oldRecord(ds, 2, ObjectType.LEAD, bad, Map.of("LastName", FieldValue.text("Poe")), false, t, t, 2);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE crmsync_record SET fields = '{not json' WHERE marketing_id = 2");   // a host's SQL, long ago
        }
        JdbcStores stores = TestDatabases.stores(ds).build();
        assertEquals(List.of("0"), column(ds, "SELECT COUNT(*) FROM crmsync_record"), "both moved: nothing lost");
        assertEquals(List.of("{not json"), column(ds, "SELECT _other FROM salesforce.lead WHERE _marketing_id = 2"),
                "kept as written");
        assertEquals(Map.of("LastName", FieldValue.text("Doe")),
                stores.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(good, bad)).get(good).fields());
        assertTrue(!stores.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(bad)).containsKey(bad),
                "lookups leave the unreadable row out");
        ChangePage page = stores.marketingStore().changesSince(ObjectType.LEAD, FeedCursor.START, 10);
        assertEquals(1, page.unreadable().size(), page::toString);
        assertEquals(RecordKey.crm(bad), page.unreadable().get(0).key());
        assertEquals("_other", page.unreadable().get(0).column());
    }
}
