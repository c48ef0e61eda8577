package dev.crmsync.store.memory;

import static dev.crmsync.testkit.contract.ContractFixtures.fields;
import static dev.crmsync.testkit.contract.ContractFixtures.lead;
import static dev.crmsync.testkit.contract.ContractFixtures.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.ObjectType;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.testkit.contract.ContractFixtures;
import dev.crmsync.testkit.contract.MarketingStoreContract;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs the contract kit against {@link InMemoryMarketingStore}, plus its own extras (size, cursor errors). */
class InMemoryMarketingStoreTest extends MarketingStoreContract {

    @Override
    protected MarketingStore createStore() {
        return new InMemoryMarketingStore(Clock.fixed(ContractFixtures.T0, ZoneOffset.UTC));
    }

    private InMemoryMarketingStore mem() {
        return (InMemoryMarketingStore) store;
    }

    @Test
    void sizeCountsRecordsOfAType() {
        store.upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "LastName", "A"),
                rec(ObjectType.LEAD, lead(2), "LastName", "B")));
        mem().saveLocal(ObjectType.LEAD, null, fields("LastName", "C"));
        mem().merge(ObjectType.LEAD, lead(1), List.of(lead(2)), fields());
        assertEquals(2, mem().size(ObjectType.LEAD));
        assertEquals(0, mem().size(ObjectType.CONTACT));
    }

    @Test
    void invalidCursorIsRefusedWithItsValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mem().changesSince(ObjectType.LEAD, FeedCursor.of("garbage"), 10));
        assertTrue(e.getMessage().contains("garbage"));
    }
}
