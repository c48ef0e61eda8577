package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.salesforce.RecordedRequest;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine over the fake server, whose Lead and Contact describe a real org's compound addresses
 * with their components (street, city, ..., latitude, longitude, geocode accuracy): the components
 * are read and written like any field, the compound is never selected, stored or written.
 */
class CompoundFieldsEndToEndTest {

    private static final Pattern COMPOUND = Pattern.compile("\\b(Address|MailingAddress)\\b");

    private final FakeOrg org = new FakeOrg();
    private final InMemoryMarketingStore store = new InMemoryMarketingStore(org.clock);
    private final InMemorySyncStateStore state = new InMemorySyncStateStore();
    private SalesforceCrmSource sf;
    private SyncEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
        if (sf != null) {
            sf.close();
        }
        org.close();
    }

    private SyncReport cycle() {
        org.clock.advance(Duration.ofMinutes(5));
        return engine.runCycle();
    }

    @Test
    void addressComponentsSyncBothWaysAndTheCompoundNeverTravels() {
        CrmId lead = org.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"),
                "Company", FieldValue.text("Acme"), "Street", FieldValue.text("1 Main St"),
                "City", FieldValue.text("Anchorage"), "Latitude", FieldValue.number(new BigDecimal("61.217062")),
                "GeocodeAccuracy", FieldValue.text("Address")));
        CrmId contact = org.crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("Roe"),
                "MailingCity", FieldValue.text("Oslo")));
        sf = org.open(org.source());
        engine = SyncEngine.builder().crmSource(sf).marketingStore(store).syncStateStore(state).clock(org.clock)
                .objectTypes(ObjectType.LEAD, ObjectType.CONTACT).defaultCompany("Unknown")
                // Marketo ignores the Contact's mailing address by default: this test is about compound
                // fields, so it syncs every readable Contact field, the mailing address included
                .ignoredFields(ObjectType.CONTACT, List.of()).build();
        SyncReport first = cycle();
        assertTrue(first.isComplete(), first::toTable);

        MarketingRecord m = store.findByCrmIds(ObjectType.LEAD, List.of(lead)).get(lead);
        assertEquals(FieldValue.text("Anchorage"), m.get("City"));
        assertEquals(0, new BigDecimal("61.217062").compareTo(((FieldValue.Number) m.get("Latitude")).value()));
        assertEquals(FieldValue.text("Address"), m.get("GeocodeAccuracy"));
        assertTrue(m.get("Address").isNull(), "the compound is not stored");
        MarketingRecord c = store.findByCrmIds(ObjectType.CONTACT, List.of(contact)).get(contact);
        assertEquals(FieldValue.text("Oslo"), c.get("MailingCity"));

        store.saveLocal(ObjectType.LEAD, m.marketingId(), Map.of("City", FieldValue.text("Juneau")));
        SyncReport second = cycle();
        assertTrue(second.isComplete(), second::toTable);
        assertEquals(FieldValue.text("Juneau"), org.crm.get(ObjectType.LEAD, lead).orElseThrow().get("City"));

        List<RecordedRequest> writes = org.requests("/composite/sobjects");
        assertFalse(writes.isEmpty());
        for (RecordedRequest w : writes) {
            assertFalse(w.body().contains("\"Address\"") || w.body().contains("\"MailingAddress\""), w.body());
        }
        for (RecordedRequest r : org.requests("/(query|queryAll|jobs/query)")) {
            String soql = r.queryParameter("q").orElse(r.body());
            assertFalse(COMPOUND.matcher(soql).find(), soql);
        }
    }
}
