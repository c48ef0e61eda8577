package dev.crmsync.core;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.PushResult;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncSide;
import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.fault.Fault;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * One bad record never stops a type (issue 10, defects 1 and 6): a value the CRM would refuse is
 * rejected before a request, a batch the CRM refuses as a whole is narrowed down to the records it
 * refuses, and {@code pushNow} answers a whole-call failure with a retriable result.
 */
class PoisonValuesTest {

    private static final String POISON = "poison";

    private final BidiHarness h = new BidiHarness();
    private final List<FailedRecord> rejected = new ArrayList<>();
    /** Sizes of the write batches the proxy saw, in order, and whether each was refused. */
    private final List<Integer> batches = new ArrayList<>();
    private final List<Boolean> refused = new ArrayList<>();
    /** Describe calls the proxy saw. */
    private int describes;
    /** Run once, on the first write call the proxy sees (then cleared). */
    private Runnable onFirstWrite;

    private SyncEngine.Builder builder() {
        return h.builder().maxAttempts(2).listener(new SyncListener() {
            @Override
            public void onRecordRejected(FailedRecord failure) {
                rejected.add(failure);
            }
        });
    }

    /**
     * A CRM that refuses a whole write request (as Salesforce answers 400 to a body it cannot
     * parse) when any record of it carries the poison title, whatever the rest: a source the
     * engine's own value checks cannot see through.
     */
    private CrmSource refusingPoison() {
        return (CrmSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {CrmSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("describe")) {
                        describes++;
                    }
                    if (method.getName().equals("write") && onFirstWrite != null) {
                        Runnable r = onFirstWrite;
                        onFirstWrite = null;
                        r.run();
                    }
                    if (method.getName().equals("write")) {
                        List<?> writes = (List<?>) args[1];
                        boolean poison = writes.stream().anyMatch(w -> FieldValue.text(POISON)
                                .equals(((CrmWrite) w).fields().get("Title")));
                        batches.add(writes.size());
                        refused.add(poison);
                        if (poison) {
                            throw new SyncException("JSON_PARSER_ERROR (HTTP 400)");
                        }
                    }
                    try {
                        return method.invoke(h.crm, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Calls halving needs to isolate one refused record at {@code pos} of a batch of {@code n}. */
    private static int callsToIsolate(int n, int pos) {
        if (n == 1) {
            return 1;
        }
        int mid = n / 2;
        return 1 + (pos < mid ? callsToIsolate(mid, pos) + 1 : 1 + callsToIsolate(n - mid, pos - mid));
    }

    @Test
    void aBatchTheCrmRefusesAsAWholeIsNarrowedDownToItsPoisonRecord() {
        List<CrmId> leads = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            leads.add(h.lead("L" + i, "Acme"));
        }
        CrmId bad = leads.get(137);
        try (SyncEngine engine = builder().crmSource(refusingPoison()).build()) {
            h.cycle(engine);
            FeedCursor before = h.state.checkpoint(ObjectType.LEAD).map(Checkpoint::marketingCursor).orElseThrow();
            for (CrmId id : leads) {
                h.edit(ObjectType.LEAD, id, "Title", id.equals(bad) ? POISON : "fine");
            }
            batches.clear();
            refused.clear();
            SyncReport r = h.run(engine);
            assertSynced(r);
            assertEquals(1, r.totals().failed(), r::toTable);

            assertEquals(200, batches.get(0), "one batch of 200 first");
            int pos = -1;
            // the poison record's position in that batch, from the order the engine sent it
            // (the first single-record refused batch is the poison one; its index follows from the halving)
            for (int p = 0; p < 200 && pos < 0; p++) {
                if (callsToIsolate(200, p) == batches.size() && pathMatches(200, p)) {
                    pos = p;
                }
            }
            assertTrue(pos >= 0, () -> "the calls follow the halving down to one record: " + batches);
            assertEquals(137, pos, "the batch holds the edits in feed order");
            assertEquals(15, batches.size(), () -> "write calls: " + batches);
            assertEquals(callsToIsolate(200, pos), batches.size(), () -> "write calls: " + batches);
            assertTrue(batches.size() <= 1 + 2 * 8, "bounded by 1 + 2·⌈log2 200⌉");
            assertEquals(refused.stream().filter(x -> x).count(), 1 + (batches.size() - 1) / 2,
                    "one refused call per level");
            assertEquals(1, batches.get(batches.size() - 1) == 1 && refused.get(refused.size() - 1) ? 1
                    : batches.stream().filter(b -> b == 1).count(), "the last refused call held the poison record alone");

            FeedCursor after = h.state.checkpoint(ObjectType.LEAD).map(Checkpoint::marketingCursor).orElseThrow();
            assertFalse(before.equals(after), "the checkpoint moved");
            for (CrmId id : leads) {
                assertEquals(id.equals(bad) ? FieldValue.NULL : FieldValue.text("fine"),
                        h.crmValue(ObjectType.LEAD, id, "Title"), id::value);
            }
            FailedRecord f = h.state.failure(ObjectType.LEAD, RecordKey.crm(bad), SyncSide.CRM).orElseThrow();
            assertEquals("CRM_REQUEST_REFUSED", f.code());
            assertFalse(f.retriable());
            assertFalse(f.message().contains(POISON), "the reason never quotes the value");

            batches.clear();
            assertSynced(h.run(engine));
            assertEquals(List.of(), batches, "not retried while unchanged");

            // changed again, still poison: the second attempt parks it (maxAttempts 2)
            h.edit(ObjectType.LEAD, bad, "Title", POISON, "Phone", "1");
            assertSynced(h.run(engine));
            assertEquals(List.of(1), batches, "a batch of one, refused");
            assertTrue(h.state.failure(ObjectType.LEAD, RecordKey.crm(bad), SyncSide.CRM).orElseThrow().parked());
            h.edit(ObjectType.LEAD, leads.get(0), "Title", "later");
            assertSynced(h.run(engine));
        }
        assertEquals(FieldValue.text("later"), h.crmValue(ObjectType.LEAD, leads.get(0), "Title"),
                "later edits of the type still reach the CRM");
    }

    /** True if the recorded batch sizes are exactly the halving path to position {@code pos}. */
    private boolean pathMatches(int n, int pos) {
        List<Integer> expected = new ArrayList<>();
        List<Boolean> expRefused = new ArrayList<>();
        path(n, pos, expected, expRefused);
        return expected.equals(batches) && expRefused.equals(refused);
    }

    private static void path(int n, int pos, List<Integer> sizes, List<Boolean> refusedOut) {
        sizes.add(n);
        refusedOut.add(true);
        if (n == 1) {
            return;
        }
        int mid = n / 2;
        if (pos < mid) {
            path(mid, pos, sizes, refusedOut);
            sizes.add(n - mid);
            refusedOut.add(false);
        } else {
            sizes.add(mid);
            refusedOut.add(false);
            path(n - mid, pos - mid, sizes, refusedOut);
        }
    }

    @Test
    void twoPoisonRecordsRefusedAloneBeforeAnyGoodOneAreRejectedAndTheRestIsWritten() {
        // found by WholeCallFailureProperties: two poison records first in a batch looked like an outage
        List<CrmId> leads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            leads.add(h.lead("L" + i, "Acme"));
        }
        try (SyncEngine engine = builder().crmSource(refusingPoison()).pageSize(10).storeBatchSize(10).build()) {
            h.cycle(engine);
            for (int i = 0; i < leads.size(); i++) {
                h.edit(ObjectType.LEAD, leads.get(i), "Title", i < 2 ? POISON : "fine");
            }
            batches.clear();
            refused.clear();
            SyncReport r = h.run(engine);
            assertSynced(r);
            assertEquals(2, r.totals().failed(), r::toTable);
            // 6, 3, 1 (refused alone), 2, 1 (refused alone), then the probe, 1, accepted: no outage; then 3 accepted
            assertEquals(List.of(6, 3, 1, 2, 1, 1, 3), batches, () -> "write calls: " + batches);
            for (int i = 0; i < leads.size(); i++) {
                assertEquals(i < 2 ? FieldValue.NULL : FieldValue.text("fine"),
                        h.crmValue(ObjectType.LEAD, leads.get(i), "Title"), leads.get(i)::value);
            }
        }
    }

    @Test
    void threePoisonRecordsAtTheHeadOfABatchAreRejectedAndTheRestIsWritten() {
        // found by WholeCallFailureProperties under -Pnightly: a third refusal after two looked like an
        // outage, so the type failed at the same records every cycle
        List<CrmId> leads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            leads.add(h.lead("L" + i, "Acme"));
        }
        try (SyncEngine engine = builder().crmSource(refusingPoison()).pageSize(10).storeBatchSize(10).build()) {
            h.cycle(engine);
            describes = 0;
            assertSynced(h.run(engine));
            int quietDescribes = describes;
            for (int i = 0; i < leads.size(); i++) {
                h.edit(ObjectType.LEAD, leads.get(i), "Title", i < 3 ? POISON : "fine again");
            }
            batches.clear();
            describes = 0;
            SyncReport r = h.run(engine);
            assertSynced(r);
            assertEquals(3, r.totals().failed(), r::toTable);
            // 6, 3, 1 (refused alone), 2, 1 (refused alone): the probe (a describe) answers; 1 (refused alone), 3
            assertEquals(List.of(6, 3, 1, 2, 1, 1, 3), batches, () -> "write calls: " + batches);
            assertEquals(quietDescribes + 1, describes, "one describe probed the CRM");
            for (int i = 0; i < leads.size(); i++) {
                assertEquals(i < 3 ? FieldValue.NULL : FieldValue.text("fine again"),
                        h.crmValue(ObjectType.LEAD, leads.get(i), "Title"), leads.get(i)::value);
            }
        }
    }

    @Test
    void aWholeBatchOfPoisonRecordsIsRejectedRecordByRecordAndTheTypeCompletes() {
        List<CrmId> leads = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            leads.add(h.lead("L" + i, "Acme"));
        }
        CrmId later = h.lead("Later", "Acme");
        try (SyncEngine engine = builder().crmSource(refusingPoison()).pageSize(10).storeBatchSize(10).build()) {
            h.cycle(engine);
            for (CrmId id : leads) {
                h.edit(ObjectType.LEAD, id, "Title", POISON);
            }
            batches.clear();
            SyncReport r = h.run(engine);
            assertSynced(r);
            assertEquals(5, r.totals().failed(), r::toTable);
            assertEquals(List.of(5, 2, 1, 1, 3, 1, 2, 1, 1), batches, "every part once: 2n - 1 calls");
            assertEquals(5, rejected.size());
            h.edit(ObjectType.LEAD, later, "Title", "fine");
            batches.clear();
            assertSynced(h.run(engine));
            assertEquals(List.of(1), batches, "the type goes on; the poison records wait for a change");
        }
        assertEquals(FieldValue.text("fine"), h.crmValue(ObjectType.LEAD, later, "Title"));
    }

    @Test
    void aBatchOfOnlyPoisonRecordsIsRejectedRecordByRecordNotFailedAsAnOutage() {
        CrmId a = h.lead("A", "Acme");
        CrmId b = h.lead("B", "Acme");
        CrmId c = h.lead("C", "Acme");
        try (SyncEngine engine = builder().crmSource(refusingPoison()).storeBatchSize(2).build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, a, "Title", POISON);
            h.edit(ObjectType.LEAD, b, "Title", POISON);
            batches.clear();
            SyncReport r = h.run(engine);
            assertSynced(r);
            assertEquals(2, r.totals().failed(), r::toTable);
            assertEquals(List.of(2, 1, 1), batches, "the batch of two poison records, then each alone");
            h.edit(ObjectType.LEAD, c, "Title", "fine");
            batches.clear();
            r = h.run(engine);
            assertSynced(r);
            assertEquals(List.of(1), batches, "the next change goes alone: the poison records wait for a change");
            FeedCursor cp = h.state.checkpoint(ObjectType.LEAD).map(Checkpoint::marketingCursor).orElseThrow();
            assertEquals(List.of(), h.store.changesSince(ObjectType.LEAD, cp, 10).records(), "the checkpoint moved");
        }
        assertEquals(FieldValue.text("fine"), h.crmValue(ObjectType.LEAD, c, "Title"));
        assertEquals("CRM_REQUEST_REFUSED", h.state.failure(ObjectType.LEAD, RecordKey.crm(a), SyncSide.CRM)
                .orElseThrow().code());
    }

    @Test
    void aWholeRequestFailureThatMayPassIsNotNarrowed() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Title", "x");
            h.crm.faults().failNext(CrmOperation.WRITE, 1, Fault.retriable());
            long before = h.crmWrites();
            SyncReport r = h.run(engine);
            assertFalse(r.isComplete(), r::toTable);
            assertEquals(before + 1, h.crmWrites(), "one call: a retriable failure is retried by the next cycle");
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("x"), h.crmValue(ObjectType.LEAD, lead, "Title"));
    }

    @Test
    void aCrmThatRefusesEverythingFailsTheTypeAfterABoundedNarrowingAndRejectsNoRecord() {
        List<CrmId> leads = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            leads.add(h.lead("L" + i, "Acme"));
        }
        try (SyncEngine engine = builder().crmSource(refusingPoison()).build()) {
            h.cycle(engine);
            for (CrmId id : leads) {
                h.edit(ObjectType.LEAD, id, "Title", "x");
            }
            // as an org whose API access was withdrawn once the cycle had begun: the writes are
            // refused, and so is the probe's describe
            h.crm.faults().failNextWhere(op -> op == CrmOperation.WRITE, 1_000, Fault.fatal());
            onFirstWrite = () -> h.crm.faults().failNextWhere(op -> op == CrmOperation.DESCRIBE, 1_000, Fault.fatal());
            long before = h.crmWrites();
            SyncReport r = h.run(engine);
            assertInstanceOf(TypeOutcome.Failed.class, r.type(ObjectType.LEAD).orElseThrow().outcome(), r::toTable);
            // 200, 100, 50, 25, 12, 6, 3, then 1 (refused alone), 2, 1 (refused alone again): the probe's
            // describe, refused too: an outage
            assertEquals(before + 10, h.crmWrites(), "two records refused alone, then the probe failed: stop");
            assertEquals(List.of(), rejected, "an outage rejects no record");
            h.crm.faults().clear();
            h.cycle(engine);
        }
        assertEquals(FieldValue.text("x"), h.crmValue(ObjectType.LEAD, leads.get(199), "Title"));
    }

    @Test
    void aFieldNoLongerWritableTurnsTheRefusalsIntoAnOutageNotRejectedRecords() {
        List<CrmId> leads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            leads.add(h.lead("L" + i, "Acme"));
        }
        try (SyncEngine engine = builder().crmSource(refusingPoison()).pageSize(10).storeBatchSize(10).build()) {
            h.cycle(engine);
            for (CrmId id : leads) {
                h.edit(ObjectType.LEAD, id, "Title", POISON);
            }
            // the field goes read-only in the CRM after the cycle's describe: every write naming it fails
            onFirstWrite = () -> h.crm.removeField(ObjectType.LEAD, "Title");
            batches.clear();
            describes = 0;
            SyncReport r = h.run(engine);
            assertInstanceOf(TypeOutcome.Failed.class, r.type(ObjectType.LEAD).orElseThrow().outcome(), r::toTable);
            assertEquals(List.of(6, 3, 1, 2, 1), batches, "two refused alone, then the probe: Title is gone");
            assertEquals(List.of(), rejected, "a schema change rejects no record");
        }
    }

    @Test
    void aCrmThatRefusesEveryWriteWhileItsDescribeAnswersIsolatesEveryRecordAndTheTypeGoesOn() {
        // indistinguishable from a batch of poison records: each is rejected with its reason, kept, re-drivable
        List<CrmId> leads = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            leads.add(h.lead("L" + i, "Acme"));
        }
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            for (CrmId id : leads) {
                h.edit(ObjectType.LEAD, id, "Title", "x");
            }
            h.crm.faults().failNextWhere(op -> op == CrmOperation.WRITE, 1_000, Fault.fatal());
            long before = h.crmWrites();
            SyncReport r = h.run(engine);
            assertSynced(r);
            assertEquals(20, r.totals().failed(), r::toTable);
            assertEquals(before + 2 * 20 - 1, h.crmWrites(), "every part once: 2n - 1 calls");
            assertEquals(20, rejected.size());
            h.crm.faults().clear();
            assertEquals(20, engine.redriveAll(ObjectType.LEAD));
            assertSynced(h.run(engine));
        }
        for (CrmId id : leads) {
            assertEquals(FieldValue.text("x"), h.crmValue(ObjectType.LEAD, id, "Title"), id::value);
        }
    }

    @Test
    void aStoreThatRefusesEverythingFailsTheTypeAndRejectsNoRecord() {
        List<CrmId> leads = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            leads.add(h.lead("L" + i, "Acme"));
        }
        try (SyncEngine engine = builder().build()) {
            h.store.faults().failNextWhere(op -> op == dev.crmsync.testkit.fault.StoreOperation.UPSERT, 1_000,
                    Fault.fatal());
            SyncReport r = h.run(engine);
            assertInstanceOf(TypeOutcome.Failed.class, r.type(ObjectType.LEAD).orElseThrow().outcome(), r::toTable);
            assertEquals(List.of(), rejected, "an outage rejects no record");
            h.store.faults().clear();
            h.cycle(engine);
        }
        assertEquals(20, h.data.size(ObjectType.LEAD));
    }

    @ParameterizedTest(name = "{0} = {1} -> {2}")
    @CsvSource({
            "AnnualRevenue, 1E+400, NUMBER_OUTSIDE_VALID_RANGE",
            "AnnualRevenue, 1e23, NUMBER_OUTSIDE_VALID_RANGE",
            "NumberOfEmployees, 2147483648, NUMBER_OUTSIDE_VALID_RANGE",
            "NumberOfEmployees, 1.5, NUMBER_OUTSIDE_VALID_RANGE",
            "Due__c, -5000, FIELD_INTEGRITY_EXCEPTION",
            "Due__c, 99999, FIELD_INTEGRITY_EXCEPTION",
            "Email, not an e-mail, INVALID_EMAIL_ADDRESS",
            "Tier__c, Platinum, INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "Title, long, STRING_TOO_LONG"})
    void aValueTheCrmWouldRefuseIsRejectedWithoutARequest(String field, String raw, String code) {
        h.crm.addField(ObjectType.LEAD, FieldSchema.of("Due__c", FieldType.DATE));
        h.crm.addField(ObjectType.LEAD, FieldSchema.builder("Tier__c", FieldType.PICKLIST)
                .picklist(List.of("Gold", "Silver"), true).build());
        CrmId bad = h.lead("Bad", "Acme");
        CrmId good = h.lead("Good", "Acme");
        FieldValue v = switch (field) {
            case "AnnualRevenue", "NumberOfEmployees" -> FieldValue.number(new BigDecimal(raw));
            case "Due__c" -> FieldValue.date(LocalDate.of(Integer.parseInt(raw), 1, 1));
            case "Title" -> FieldValue.text("x".repeat(129));
            default -> FieldValue.text(raw);
        };
        h.crm.log().recordCalls(true);
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, bad, field, v);
            h.edit(ObjectType.LEAD, good, "Title", "fine");
            long before = h.crmWrites();
            SyncReport r = h.run(engine);
            assertSynced(r);
            assertEquals(1, r.totals().failed(), r::toTable);
            assertEquals(before + 1, h.crmWrites(), "one write call, for the good record only");
            assertEquals(1, h.crm.log().calls().stream().filter(c -> c.operation() == CrmOperation.WRITE)
                    .reduce((a, b) -> b).orElseThrow().size(), "the batch held the good record alone");
        }
        FailedRecord f = rejected.get(0);
        assertEquals(code, f.code());
        assertEquals(RecordKey.crm(bad), f.key());
        assertTrue(f.message().contains(field), f::message);
        assertEquals(FieldValue.text("fine"), h.crmValue(ObjectType.LEAD, good, "Title"));
        assertEquals(v, h.storeValue(ObjectType.LEAD, bad, field), "nothing lost in the store");
    }

    @Test
    void aCreateWithAPoisonValueIsRejectedBeforeTheRequestAndTheOthersAreCreated() {
        MarketingRecord bad = h.store.saveLocal(ObjectType.LEAD, null, fields("LastName", "Bad", "Company", "Acme",
                "AnnualRevenue", FieldValue.number(new BigDecimal("1E+400"))));
        MarketingRecord good = h.store.saveLocal(ObjectType.LEAD, null, fields("LastName", "Good", "Company", "Acme"));
        try (SyncEngine engine = builder().build()) {
            List<PushResult> res = engine.pushNow(ObjectType.LEAD, List.of(bad.marketingId(), good.marketingId()));
            PushResult.Rejected rej = assertInstanceOf(PushResult.Rejected.class, res.get(0), res::toString);
            assertEquals("NUMBER_OUTSIDE_VALID_RANGE", rej.code());
            assertTrue(rej.message().contains("AnnualRevenue"), rej::message);
            assertInstanceOf(PushResult.Created.class, res.get(1), res::toString);
        }
        assertEquals(1, h.crm.count(ObjectType.LEAD));
    }

    @Test
    void pushNowAnswersAWholeCallFailureWithARetriableResultAndKeepsThePersonQueued() {
        MarketingRecord p = h.store.saveLocal(ObjectType.LEAD, null, fields("LastName", "Doe", "Company", "Acme"));
        RecordKey.Marketing key = RecordKey.marketing(p.marketingId());
        try (SyncEngine engine = builder().build()) {
            h.crm.faults().failNext(CrmOperation.WRITE, 1, Fault.retriable());
            PushResult r = engine.pushNow(ObjectType.LEAD, List.of(p.marketingId())).get(0);
            PushResult.Rejected rej = assertInstanceOf(PushResult.Rejected.class, r, r::toString);
            assertTrue(rej.retriable());
            assertEquals("CRM_CALL_FAILED", rej.code());
            assertTrue(h.state.intent(ObjectType.LEAD, key, EngineIntent.Kind.UNCONFIRMED_CREATE).isPresent(),
                    "the create sent stays on record (it may have reached the CRM)");

            h.crm.faults().failNext(CrmOperation.DESCRIBE, 1, Fault.fatal());
            MarketingRecord q = h.store.saveLocal(ObjectType.LEAD, null, fields("LastName", "Roe", "Company", "Acme"));
            PushResult r2 = engine.pushNow(ObjectType.LEAD, List.of(q.marketingId())).get(0);
            assertTrue(assertInstanceOf(PushResult.Rejected.class, r2, r2::toString).retriable());
        }
        assertEquals(0, h.crm.count(ObjectType.LEAD));
    }

    @Test
    void pushNowLinksTheCreatedIdEvenWhenTheFollowUpReadFails() {
        MarketingRecord p = h.store.saveLocal(ObjectType.LEAD, null, fields("LastName", "Doe", "Company", "Acme"));
        try (SyncEngine engine = builder().build()) {
            h.crm.faults().failNextWhere(op -> op == CrmOperation.FETCH, 2, Fault.fatal());
            PushResult r = engine.pushNow(ObjectType.LEAD, List.of(p.marketingId())).get(0);
            PushResult.Created created = assertInstanceOf(PushResult.Created.class, r, r::toString);
            assertEquals(created.crmId(), h.store.findByMarketingId(ObjectType.LEAD, p.marketingId()).orElseThrow()
                    .crmId(), "the id the CRM returned is linked before the follow-up read");
            assertTrue(h.state.intent(ObjectType.LEAD, RecordKey.marketing(p.marketingId()),
                    EngineIntent.Kind.UNCONFIRMED_CREATE).isEmpty(), "nothing left unconfirmed");
        }
        assertEquals(1, h.crm.count(ObjectType.LEAD));
    }

    private static void assertSynced(SyncReport r) {
        assertInstanceOf(TypeOutcome.Synced.class, r.type(ObjectType.LEAD).orElseThrow().outcome(), r::toTable);
    }
}
