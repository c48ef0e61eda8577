package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.testkit.InMemoryCrm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 11: in a multi-currency org {@code CurrencyIsoCode} syncs beside each amount, the
 * amount kept in the record's own currency (never converted); the code is a restricted picklist of
 * the org's active currencies, so a code the org does not have is refused before any CRM call.
 */
class MultiCurrencyTest {

    @Test
    void theFakeDescribesCurrencyIsoCodeAsARestrictedPicklistOfTheActiveCurrencies() {
        InMemoryCrm multi = InMemoryCrm.builder().multiCurrency("EUR", "USD", "JPY").build();
        FieldSchema f = multi.describe(ObjectType.OPPORTUNITY).orElseThrow().field("CurrencyIsoCode").orElseThrow();
        assertEquals(FieldType.PICKLIST, f.type());
        assertEquals(List.of("EUR", "USD", "JPY"), f.picklistValues());
        assertTrue(f.restrictedPicklist());
        assertFalse(f.nillable());
        assertTrue(f.defaultedOnCreate());
        assertEquals(3, f.length());
        assertTrue(multi.describe(ObjectType.LEAD).orElseThrow().field("CurrencyIsoCode").isPresent());
        InMemoryCrm single = InMemoryCrm.builder().build();
        assertTrue(single.describe(ObjectType.OPPORTUNITY).orElseThrow().field("CurrencyIsoCode").isEmpty(),
                "a single-currency org has no CurrencyIsoCode");
        assertThrows(IllegalArgumentException.class, () -> InMemoryCrm.builder().multiCurrency("eur"));
        assertThrows(IllegalArgumentException.class, () -> InMemoryCrm.builder().multiCurrency("EUR", "EUR"));
        assertThrows(NullPointerException.class, () -> InMemoryCrm.builder().multiCurrency(null));
    }

    @Test
    void anOpportunityAmountIsStoredInItsOwnCurrencyBesideItsCode() {
        EngineHarness h = new EngineHarness(b -> b.multiCurrency("EUR", "USD"));
        CrmId usd = h.crm.insert(ObjectType.OPPORTUNITY, Map.of("Name", FieldValue.text("Big deal"),
                "Amount", FieldValue.number("1000.50"), "CurrencyIsoCode", FieldValue.text("USD")));
        CrmId eur = h.crm.insert(ObjectType.OPPORTUNITY, Map.of("Name", FieldValue.text("Small deal"),
                "Amount", FieldValue.number("20")));
        try (SyncEngine engine = h.builder().objectTypes(ObjectType.OPPORTUNITY).build()) {
            engine.runCycle();
        }
        Map<CrmId, MarketingRecord> stored = h.store.findByCrmIds(ObjectType.OPPORTUNITY, List.of(usd, eur));
        assertEquals(FieldValue.number("1000.50"), stored.get(usd).get("Amount"), "not converted");
        assertEquals(FieldValue.text("USD"), stored.get(usd).get("CurrencyIsoCode"));
        assertEquals(FieldValue.text("EUR"), stored.get(eur).get("CurrencyIsoCode"), "the corporate currency by default");
    }

    @Test
    void aLeadsCurrencySyncsBothWaysAndAnInactiveCodeIsRefusedBeforeAnyCall() {
        BidiHarness h = new BidiHarness(InMemoryCrm.builder().multiCurrency("EUR", "USD", "JPY"));
        CrmId id = h.lead("Curie", "Radium", "AnnualRevenue", FieldValue.number("5000000"),
                "CurrencyIsoCode", "JPY");
        List<FailedRecord> rejected = new ArrayList<>();
        try (SyncEngine engine = h.builder().listener(new SyncListener() {
            @Override
            public void onRecordRejected(FailedRecord failure) {
                rejected.add(failure);
            }
        }).build()) {
            h.cycle(engine);
            assertEquals(FieldValue.number("5000000"), h.storeValue(ObjectType.LEAD, id, "AnnualRevenue"));
            assertEquals(FieldValue.text("JPY"), h.storeValue(ObjectType.LEAD, id, "CurrencyIsoCode"));

            h.edit(ObjectType.LEAD, id, "CurrencyIsoCode", "GBP");
            long writes = h.crmWrites();
            SyncReport r = h.run(engine);
            assertEquals(writes, h.crmWrites(), "refused before any call");
            assertEquals(1, rejected.size(), r::toTable);
            assertEquals("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", rejected.get(0).code());
            assertEquals(FieldValue.text("JPY"), h.crmValue(ObjectType.LEAD, id, "CurrencyIsoCode"));

            h.edit(ObjectType.LEAD, id, "CurrencyIsoCode", "USD");
            h.cycle(engine);
            assertEquals(FieldValue.text("USD"), h.crmValue(ObjectType.LEAD, id, "CurrencyIsoCode"));
            assertEquals(FieldValue.number("5000000"), h.crmValue(ObjectType.LEAD, id, "AnnualRevenue"),
                    "the amount is not converted when its currency changes");
        }
    }
}
