package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.PushResult;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bidirectional sync over real HTTP: {@link SyncEngine} + {@link SalesforceCrmSource} + the fake
 * Salesforce server: marketing changes reach Salesforce through sObject Collections, conflicts
 * follow Marketo's defaults, pushes create leads, rejections carry Salesforce's status codes,
 * and a quiet cycle sends no write.
 */
class SalesforceBidirectionalEndToEndTest {

    private final FakeOrg org = new FakeOrg();
    private final InMemoryMarketingStore store = new InMemoryMarketingStore(org.clock);
    private final InMemorySyncStateStore state = new InMemorySyncStateStore();
    private final List<FailedRecord> rejected = new ArrayList<>();
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

    private void start() {
        sf = org.open(org.source());
        engine = SyncEngine.builder().crmSource(sf).marketingStore(store).syncStateStore(state).clock(org.clock)
                .objectTypes(ObjectType.LEAD, ObjectType.CONTACT).defaultCompany("Unknown")
                .listener(new dev.crmsync.core.SyncListener() {
                    @Override
                    public void onRecordRejected(FailedRecord failure) {
                        rejected.add(failure);
                    }
                }).build();
    }

    private SyncReport cycle() {
        org.clock.advance(Duration.ofMinutes(5));
        return engine.runCycle();
    }

    private MarketingRecord stored(ObjectType type, CrmId id) {
        return store.findByCrmIds(type, List.of(id)).get(id);
    }

    private long writeRequests() {
        return org.requests("/composite/sobjects").size();
    }

    @Test
    void aMarketingChangeReachesSalesforceAndAConflictFollowsMarketosDefaults() {
        CrmId lead = org.leads(1).get(0);
        CrmId contact = org.crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("Roe"),
                "Title", FieldValue.text("t0")));
        start();
        assertTrue(cycle().isComplete());
        store.saveLocal(ObjectType.LEAD, stored(ObjectType.LEAD, lead).marketingId(), Map.of("Title",
                FieldValue.text("marketing")));
        org.crm.update(ObjectType.LEAD, lead, Map.of("Title", FieldValue.text("crm")));
        store.saveLocal(ObjectType.CONTACT, stored(ObjectType.CONTACT, contact).marketingId(), Map.of("Title",
                FieldValue.text("marketing")));
        org.crm.update(ObjectType.CONTACT, contact, Map.of("Title", FieldValue.text("crm")));
        SyncReport r = cycle();
        assertTrue(r.isComplete(), r::toTable);
        assertEquals(FieldValue.text("marketing"), org.crm.get(ObjectType.LEAD, lead).orElseThrow().get("Title"));
        assertEquals(FieldValue.text("crm"), stored(ObjectType.CONTACT, contact).get("Title"));
        long writes = writeRequests();
        assertTrue(cycle().isComplete());
        assertTrue(cycle().isComplete());
        assertEquals(writes, writeRequests(), "quiet cycles send no write");
    }

    @Test
    void aHostDeleteOfLinkedLeadsDeletesThemInSalesforceWithOneCallAndARepeatIsHarmless() {
        List<CrmId> leads = org.leads(3);
        start();
        assertTrue(cycle().isComplete());
        assertTrue(cycle().isComplete());
        for (CrmId id : leads.subList(0, 2)) {
            assertTrue(store.deleteLocal(ObjectType.LEAD, stored(ObjectType.LEAD, id).marketingId()));
        }
        long writes = writeRequests();
        SyncReport r = cycle();
        assertTrue(r.isComplete(), r::toTable);
        assertEquals(1, writeRequests() - writes, "one DELETE /composite/sobjects for both");
        assertTrue(org.crm.get(ObjectType.LEAD, leads.get(0)).orElseThrow().deleted());
        assertTrue(org.crm.get(ObjectType.LEAD, leads.get(1)).orElseThrow().deleted());
        assertFalse(org.crm.get(ObjectType.LEAD, leads.get(2)).orElseThrow().deleted());
        // sent again (an answer lost after Salesforce deleted), a delete of a deleted record counts as deleted
        List<dev.crmsync.crm.CrmWriteResult> again = sf.delete(ObjectType.LEAD, leads.subList(0, 2));
        assertTrue(again.stream().allMatch(w -> w instanceof dev.crmsync.crm.CrmWriteResult.Written), again::toString);
        assertTrue(cycle().isComplete());
        assertEquals(null, stored(ObjectType.LEAD, leads.get(0)), "not copied back");
    }

    @Test
    void pushNowCreatesALeadInSalesforce() {
        start();
        MarketingRecord p = store.saveLocal(ObjectType.LEAD, null, Map.of("LastName", FieldValue.text("Doe"),
                "Email", FieldValue.text("doe@example.com")));
        PushResult r = engine.pushNow(p.marketingId()).get(0);
        CrmId id = assertInstanceOf(PushResult.Created.class, r).crmId();
        assertEquals(FieldValue.text("Unknown"), org.crm.get(ObjectType.LEAD, id).orElseThrow().get("Company"));
        assertEquals(id, store.findByMarketingId(ObjectType.LEAD, p.marketingId()).orElseThrow().crmId());
    }

    @Test
    void aRejectionCarriesSalesforcesStatusCodeButNotItsMessage() {
        CrmId lead = org.leads(1).get(0);
        org.crm.addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Title is reserved",
                v -> FieldValue.text("CEO").equals(v.get("Title")));
        start();
        cycle();
        store.saveLocal(ObjectType.LEAD, stored(ObjectType.LEAD, lead).marketingId(), Map.of("Title",
                FieldValue.text("CEO")));
        cycle();
        assertEquals(1, rejected.size(), rejected::toString);
        assertEquals("FIELD_CUSTOM_VALIDATION_EXCEPTION", rejected.get(0).code());
        // Salesforce's message may quote the record's values: the failure keeps the code (and blamed fields) only
        assertEquals("the CRM answered FIELD_CUSTOM_VALIDATION_EXCEPTION", rejected.get(0).message());
        assertEquals(RecordKey.crm(lead), rejected.get(0).key());
    }
}
