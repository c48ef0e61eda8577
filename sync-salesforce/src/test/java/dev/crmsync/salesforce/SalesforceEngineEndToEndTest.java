package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.CycleOutcome;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
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
 * {@link SyncEngine} + {@link SalesforceCrmSource} + the fake Salesforce server over HTTP +
 * {@link InMemoryMarketingStore}: full copies (REST and Bulk), incremental cycles, deletions,
 * merges and conversions seen through queryAll, token expiry, retries, quota stop and resume, and
 * schema drift. (The bidirectional path, writes to the CRM included, is in
 * {@link SalesforceBidirectionalEndToEndTest}.)
 */
class SalesforceEngineEndToEndTest {

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

    private void start(SalesforceCrmSource.Builder source, ObjectType... types) {
        sf = org.open(source);
        engine = SyncEngine.builder().crmSource(sf).marketingStore(store).syncStateStore(state).clock(org.clock)
                .objectTypes(types).build();
    }

    private SyncReport cycle() {
        org.clock.advance(Duration.ofMinutes(5));
        return engine.runCycle();
    }

    private MarketingRecord stored(ObjectType type, CrmId id) {
        MarketingRecord r = store.findByCrmIds(type, List.of(id)).get(id);
        assertTrue(r != null, "store holds " + type + " " + id);
        return r;
    }

    private void assertStoreMatchesCrm(ObjectType type) {
        List<SyncRecord> crm = org.crm.records(type);
        assertEquals(crm.size(), store.size(type), type + " count");
        for (SyncRecord r : crm) {
            MarketingRecord m = stored(type, r.id());
            for (Map.Entry<String, FieldValue> f : m.fields().entrySet()) {
                assertEquals(org.expected(r, f.getKey()), f.getValue(), type + " " + r.id() + " " + f.getKey());
            }
        }
    }

    private static long reads(SyncReport report) {
        return report.crmCalls().getOrDefault("queryAll", 0L) + report.crmCalls().getOrDefault("queryMore", 0L);
    }

    @Test
    void firstFullCopyOverRestUsesFullPages() {
        org.leads(4_500);
        for (int i = 0; i < 30; i++) {
            org.crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Account " + i)));
        }
        start(org.source(), ObjectType.ACCOUNT, ObjectType.LEAD);
        SyncReport report = cycle();
        assertInstanceOf(CycleOutcome.Complete.class, report.outcome(), report.toTable());
        assertStoreMatchesCrm(ObjectType.LEAD);
        assertStoreMatchesCrm(ObjectType.ACCOUNT);
        assertEquals(3 + 1, reads(report), "ceil(4500/2000) + ceil(30/2000) queries: " + report.crmCalls());
        assertFalse(report.crmCalls().containsKey("bulk.create"));
    }

    @Test
    void firstFullCopyOfALargeTypeGoesThroughBulk() {
        org.leads(10_500);
        start(org.source().bulkMaxRecordsPerResult(4_000), ObjectType.LEAD);
        SyncReport report = cycle();
        assertInstanceOf(CycleOutcome.Complete.class, report.outcome(), report.toTable());
        assertEquals(1L, report.crmCalls().get("bulk.create"));
        assertEquals(3L, report.crmCalls().get("bulk.results"), "8,500 rows in chunks of 4,000");
        assertStoreMatchesCrm(ObjectType.LEAD);
        assertEquals(0, org.server.openBulkJobs());
    }

    @Test
    void laterCyclesMoveOnlyWhatChanged() {
        List<CrmId> ids = org.leads(300);
        start(org.source(), ObjectType.LEAD);
        cycle();
        org.clock.advance(Duration.ofMinutes(1));
        for (int i = 0; i < 3; i++) {
            org.crm.update(ObjectType.LEAD, ids.get(i), Map.of("Title", FieldValue.text("Changed " + i)));
        }
        org.crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Newcomer"), "Company", FieldValue.text("N")));
        SyncReport second = cycle();
        assertInstanceOf(CycleOutcome.Complete.class, second.outcome(), second.toTable());
        assertEquals(1, second.totals().created());
        assertEquals(3, second.totals().updated());
        assertEquals(1, reads(second));
        assertEquals(FieldValue.text("Changed 2"), stored(ObjectType.LEAD, ids.get(2)).get("Title"));
        SyncReport quiet = cycle();
        assertEquals(0, quiet.totals().moved(), "a quiet cycle writes nothing");
    }

    @Test
    void deletionsAndMergesAreSeenThroughQueryAll() {
        List<CrmId> ids = org.leads(4);
        start(org.source(), ObjectType.LEAD);
        cycle();
        org.clock.advance(Duration.ofMinutes(1));
        org.crm.delete(ObjectType.LEAD, ids.get(0));
        org.crm.merge(ObjectType.LEAD, ids.get(1), List.of(ids.get(2)));
        SyncReport report = cycle();
        assertInstanceOf(CycleOutcome.Complete.class, report.outcome(), report.toTable());
        assertTrue(stored(ObjectType.LEAD, ids.get(0)).crmDeleted());
        assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of(ids.get(2))).isEmpty(),
                "the merge loser is merged into the survivor (bidirectional Lead, as Marketo)");
        assertFalse(stored(ObjectType.LEAD, ids.get(1)).crmDeleted());
        // the engine reads merge lineage through queryAll: MasterRecordId is selected on every read
        // (the source-level SalesforceReadTest checks that the loser arrives with MasterRecordId)
        for (var r : org.requests("/queryAll")) {
            assertTrue(r.queryParameter("q").orElseThrow().contains(SyncRecord.MASTER_RECORD_ID));
        }
        assertTrue(org.requests("/v62.0/query$").isEmpty(), "never plain query: it hides deleted rows");
    }

    @Test
    void aConvertedLeadAndItsNewContactReachTheStore() {
        CrmId lead = org.leads(1).get(0);
        start(org.source(), ObjectType.ACCOUNT, ObjectType.LEAD, ObjectType.CONTACT);
        cycle();
        org.clock.advance(Duration.ofMinutes(1));
        var conversion = org.crm.convertLead(lead, null);
        SyncReport report = cycle();
        assertInstanceOf(CycleOutcome.Complete.class, report.outcome(), report.toTable());
        // as Marketo: one marketing person, now a Contact linked to the contact (no lead left behind)
        assertTrue(store.findByCrmIds(ObjectType.LEAD, List.of(lead)).isEmpty());
        assertEquals(FieldValue.text("Lead 0"), stored(ObjectType.CONTACT, conversion.contactId()).get("LastName"));
        assertEquals(1, store.size(ObjectType.CONTACT));
        stored(ObjectType.ACCOUNT, conversion.accountId());
    }

    @Test
    void aTokenThatExpiresMidCopyIsRenewedAndTheCycleCompletes() {
        org.leads(5_000);
        start(org.source(), ObjectType.LEAD);
        org.server.faults().expireAccessTokensAfter(3);
        SyncReport report = cycle();
        assertInstanceOf(CycleOutcome.Complete.class, report.outcome(), report.toTable());
        assertEquals(2L, report.crmCalls().get("oauth.token"));
        assertStoreMatchesCrm(ObjectType.LEAD);
    }

    @Test
    void throttlingAndOutagesAreRetriedWithinTheCycle() {
        org.leads(2_500);
        start(org.source(), ObjectType.LEAD);
        org.server.faults().failNext("/queryAll", 1, 503, "SERVER_UNAVAILABLE", "Service Unavailable", Duration.ofSeconds(30));
        org.server.faults().failNext("/query/", 1, 429, "REQUEST_LIMIT_EXCEEDED", "Too many requests", Duration.ofSeconds(5));
        SyncReport report = cycle();
        assertInstanceOf(CycleOutcome.Complete.class, report.outcome(), report.toTable());
        assertStoreMatchesCrm(ObjectType.LEAD);
        assertTrue(org.sleeps.containsAll(List.of(Duration.ofSeconds(30), Duration.ofSeconds(5))), org.sleeps.toString());
    }

    @Test
    void theBudgetStopsTheCycleWithAQuotaOutcomeAndTheNextCycleResumes() {
        org.leads(5_000);
        start(org.source().pageSize(1_000).budget(new ApiBudget(1.0, 0.80)), ObjectType.LEAD);
        org.server.faults().usedApiCalls(11_995); // 5 calls left under 80 % of 15,000
        SyncReport first = cycle();
        assertInstanceOf(CycleOutcome.Quota.class, first.outcome(), first.toTable());
        int copied = store.size(ObjectType.LEAD);
        assertTrue(copied > 0 && copied < 5_000, "part of the copy is committed: " + copied);
        assertTrue(org.server.apiCallsUsed() <= 12_000, "the budget was never exceeded: " + org.server.apiCallsUsed());

        org.server.faults().usedApiCalls(0); // a new day
        SyncReport second = cycle();
        assertInstanceOf(CycleOutcome.Complete.class, second.outcome(), second.toTable());
        assertStoreMatchesCrm(ObjectType.LEAD);
        assertEquals(5_000 - copied, second.totals().created(), "resumed from the checkpoint, nothing copied twice");
    }

    @Test
    void theDailyLimitErrorStopsTheCycleCleanly() {
        org.leads(3_000);
        start(org.source(), ObjectType.LEAD);
        org.server.faults().failNext("/query/", 1, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", null);
        SyncReport first = cycle();
        assertInstanceOf(CycleOutcome.Quota.class, first.outcome(), first.toTable());
        assertEquals(2_000, store.size(ObjectType.LEAD), "the first page is committed");
        SyncReport second = cycle();
        assertInstanceOf(CycleOutcome.Complete.class, second.outcome(), second.toTable());
        assertStoreMatchesCrm(ObjectType.LEAD);
    }

    @Test
    void aCustomFieldAddedBetweenCyclesIsPickedUp() {
        List<CrmId> ids = org.leads(20);
        start(org.source(), ObjectType.LEAD);
        cycle();
        org.clock.advance(Duration.ofMinutes(1));
        org.crm.addField(ObjectType.LEAD, FieldSchema.of("Score__c", FieldType.DOUBLE));
        org.clock.advance(Duration.ofSeconds(1));
        org.crm.update(ObjectType.LEAD, ids.get(3), Map.of("Score__c", FieldValue.number(new BigDecimal("97.5"))));
        SyncReport report = cycle();
        assertInstanceOf(CycleOutcome.Complete.class, report.outcome(), report.toTable());
        assertEquals(FieldValue.number(new BigDecimal("97.5")), stored(ObjectType.LEAD, ids.get(3)).get("Score__c"));
        List<dev.crmsync.testkit.salesforce.RecordedRequest> describes = org.requests("/sobjects/Lead/describe");
        assertTrue(describes.size() >= 2 && describes.get(describes.size() - 1).header("If-Modified-Since").isPresent());
    }

    @Test
    void aCustomObjectIsDiscoveredAndCopied() {
        ObjectType invoice = ObjectType.of("Invoice__c");
        org.crm.defineType(invoice, List.of(FieldSchema.of("Name", FieldType.STRING),
                FieldSchema.of("Amount__c", FieldType.CURRENCY)));
        for (int i = 0; i < 5; i++) {
            org.crm.insert(invoice, Map.of("Name", FieldValue.text("INV-" + i), "Amount__c", FieldValue.number(i * 10)));
        }
        sf = org.open(org.source());
        engine = SyncEngine.builder().crmSource(sf).marketingStore(store).syncStateStore(state).clock(org.clock).build();
        SyncReport report = cycle();
        assertTrue(report.type(invoice).isPresent(), report.toTable());
        assertStoreMatchesCrm(invoice);
    }
}
