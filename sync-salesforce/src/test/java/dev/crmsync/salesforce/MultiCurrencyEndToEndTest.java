package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A multi-currency org behind the fake server: its describe, read by {@link SalesforceCrmSource},
 * shows {@code CurrencyIsoCode} as a restricted picklist of the active currencies, and the engine
 * stores each amount beside its code, in the record's own currency.
 */
class MultiCurrencyEndToEndTest {

    private final FakeOrg org = new FakeOrg(b -> b.multiCurrency("EUR", "USD", "GBP"), b -> { });
    private final InMemoryMarketingStore store = new InMemoryMarketingStore(org.clock);
    private final InMemorySyncStateStore state = new InMemorySyncStateStore();
    private SalesforceCrmSource sf;

    @AfterEach
    void close() {
        if (sf != null) {
            sf.close();
        }
        org.close();
    }

    @Test
    void currencyIsoCodeIsDescribedAsARestrictedPicklistAndStoredBesideTheAmount() {
        CrmId opp = org.crm.insert(ObjectType.OPPORTUNITY, Map.of("Name", FieldValue.text("Deal"),
                "Amount", FieldValue.number(new BigDecimal("99.90")), "CurrencyIsoCode", FieldValue.text("GBP")));
        sf = org.open(org.source());
        FieldSchema f = sf.describe(ObjectType.OPPORTUNITY).orElseThrow().field("CurrencyIsoCode").orElseThrow();
        assertEquals(FieldType.PICKLIST, f.type());
        assertEquals(List.of("EUR", "USD", "GBP"), f.picklistValues());
        assertTrue(f.restrictedPicklist());
        try (SyncEngine engine = SyncEngine.builder().crmSource(sf).marketingStore(store).syncStateStore(state)
                .clock(org.clock).objectTypes(ObjectType.OPPORTUNITY).build()) {
            org.clock.advance(Duration.ofMinutes(5));
            SyncReport r = engine.runCycle();
            assertTrue(r.isComplete(), r::toTable);
        }
        MarketingRecord m = store.findByCrmIds(ObjectType.OPPORTUNITY, List.of(opp)).get(opp);
        assertEquals(FieldValue.text("GBP"), m.get("CurrencyIsoCode"));
        assertEquals(0, new BigDecimal("99.90").compareTo(((FieldValue.Number) m.get("Amount")).value()));
    }
}
