package dev.crmsync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.SyncReport;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuickstartTest {

    @Test
    void theReadmeExampleCopiesTheCrmIntoTheStore() {
        ManualClock clock = new ManualClock(Instant.parse("2024-06-01T12:00:00Z"));
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).build();
        crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Acme")));
        InMemoryMarketingStore store = new InMemoryMarketingStore(clock);

        SyncReport report = Quickstart.syncOnce(crm, store, new InMemorySyncStateStore());

        assertTrue(report.isComplete(), report::toTable);
        assertEquals(1, store.size(ObjectType.ACCOUNT));
    }
}
