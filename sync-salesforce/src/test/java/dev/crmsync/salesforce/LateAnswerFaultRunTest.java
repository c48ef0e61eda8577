package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.PushResult;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.GatedSleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10, defect 2, over real HTTP: pushes whose create requests commit only after the client's
 * read timed out — the server holds them (a gate) past the socket timeout, then serves them — and
 * more cycles. Before the fix the next cycle sent the 60 creates again and the late commits made 60
 * duplicate leads and, read back, 60 duplicate persons. Now: with the marketing-id field an
 * External ID the creates are upserts (the client repeats them, the late commit updates what the
 * repeat made); without, the engine waits until the creates settled and links what landed. Either
 * way no marketing id appears twice, in the CRM or in the store.
 */
class LateAnswerFaultRunTest {

    private static final String MID = "Crmsync_Id__c";
    private static final int PERSONS = 60;

    private final GatedSleeper gate = new GatedSleeper();
    private final FakeOrg org = new FakeOrg(c -> { }, s -> s.sleeper(gate));
    private final InMemoryMarketingStore store = new InMemoryMarketingStore(org.clock);
    private final InMemorySyncStateStore state = new InMemorySyncStateStore();
    private SalesforceCrmSource sf;
    private SyncEngine engine;

    @AfterEach
    void close() {
        gate.release();
        if (engine != null) {
            engine.close();
        }
        if (sf != null) {
            sf.close();
        }
        org.close();
    }

    private SyncReport cycle(Duration after) {
        org.clock.advance(after);
        SyncReport r = engine.runCycle();
        assertTrue(r.isComplete(), r::toTable);
        return r;
    }

    @ParameterizedTest(name = "marketing-id field an External ID: {0}")
    @ValueSource(booleans = {true, false})
    void createsThatCommitAfterTheClientTimedOutAreNeverDuplicated(boolean externalId) throws Exception {
        org.crm.addField(ObjectType.LEAD, FieldSchema.builder(MID, FieldType.STRING).externalId(externalId).build());
        // a short read timeout: the held requests outlast it (the gate never opens before the test says)
        sf = org.open(org.source().socketTimeout(Duration.ofMillis(300)));
        engine = SyncEngine.builder().crmSource(sf).marketingStore(store).syncStateStore(state).clock(org.clock)
                .objectTypes(ObjectType.LEAD).marketingIdField(MID).defaultCompany("Unknown").build();
        List<String> mids = new ArrayList<>();
        for (int i = 0; i < PERSONS; i++) {
            mids.add(store.saveLocal(ObjectType.LEAD, null, Map.of("LastName", FieldValue.text("P" + i),
                    "Title", FieldValue.text("t" + i))).marketingId());
        }
        cycle(Duration.ofSeconds(1));

        // the push's write request is held past the client's timeout and commits later
        org.server.faults().answerLateNext("/composite/sobjects", 1, Duration.ofMinutes(1), Duration.ZERO);
        List<PushResult> pushed = engine.pushNow(ObjectType.LEAD, mids);
        assertTrue(gate.awaitWaiting(1, Duration.ofSeconds(30)), "the held request");
        long created = pushed.stream().filter(r -> r instanceof PushResult.Created).count();
        assertEquals(externalId ? PERSONS : 0, created, () -> pushed.get(0).toString());   // an upsert is repeated by the client

        cycle(Duration.ofSeconds(1));               // the commit has not landed yet
        long before = org.server.requestCount(null, "/composite/sobjects");
        gate.release();                             // now it lands, long after the client gave up
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (org.server.requestCount(null, "/composite/sobjects") <= before && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(org.server.requestCount(null, "/composite/sobjects") > before, "the held request was served");

        for (int i = 0; i < 3; i++) {
            cycle(Duration.ofSeconds(1));
        }
        cycle(Duration.ofMinutes(30));              // well past the settle time: nothing is sent again
        cycle(Duration.ofSeconds(1));

        Map<String, Integer> inCrm = new HashMap<>();
        for (SyncRecord r : org.crm.records(ObjectType.LEAD)) {
            if (r.get(MID) instanceof FieldValue.Text t) {
                inCrm.merge(t.value(), 1, Integer::sum);
            }
        }
        assertEquals(PERSONS, org.crm.count(ObjectType.LEAD), "leads in the CRM");
        assertEquals(PERSONS, inCrm.size(), inCrm::toString);
        assertTrue(inCrm.values().stream().allMatch(n -> n == 1), () -> "duplicate leads by marketing id: " + inCrm);
        List<MarketingRecord> persons = store.records(ObjectType.LEAD);
        assertEquals(PERSONS, persons.size(), "persons in the store");
        assertEquals(PERSONS, persons.stream().map(MarketingRecord::crmId).distinct().filter(java.util.Objects::nonNull)
                .count(), "every person linked to its own lead");
        long writes = org.server.requestCount(null, "/composite/sobjects");
        cycle(Duration.ofSeconds(1));
        assertEquals(writes, org.server.requestCount(null, "/composite/sobjects"), "a quiet cycle writes nothing");
    }
}
