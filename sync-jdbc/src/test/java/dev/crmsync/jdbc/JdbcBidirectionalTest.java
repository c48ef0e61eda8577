package dev.crmsync.jdbc;

import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.InstrumentedStores;
import dev.crmsync.testkit.fault.SimulatedCrash;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.store.IdCursor;
import dev.crmsync.core.report.PushResult;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.SyncStateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The bidirectional sync over the JDBC stores on H2: three-way merges, pushes (a person the CRM
 * deleted pushed again keeps its marketing id under a new CRM id), conversions and merges, and a
 * process killed at any store call of a two-sided cycle, then run again.
 */
class JdbcBidirectionalTest {

    private static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
    private static final List<ObjectType> TYPES = List.of(ObjectType.LEAD, ObjectType.CONTACT, ObjectType.CAMPAIGN,
            ObjectType.CAMPAIGN_MEMBER);

    /** A CRM and JDBC stores with a fixed history. */
    static final class World {
        final ManualClock clock = new ManualClock(T0);
        final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(3).build();
        final JdbcStores stores = TestDatabases.stores(TestDatabases.freshH2()).clock(clock).build();
        final CrmId lead;
        final CrmId contact;
        final CrmId campaign;

        World() {
            lead = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"), "Company",
                    FieldValue.text("Acme"), "Title", FieldValue.text("t0"), "Phone", FieldValue.text("p0")));
            contact = crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("Roe"), "Title",
                    FieldValue.text("t0")));
            campaign = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("Spring")));
            crm.insert(ObjectType.CAMPAIGN_MEMBER, Map.of("CampaignId", FieldValue.ref(campaign), "LeadId",
                    FieldValue.ref(lead)));
        }

        SyncEngine engine(MarketingStore store, SyncStateStore state) {
            return SyncEngine.builder().crmSource(crm).marketingStore(store).syncStateStore(state).clock(clock)
                    .engineId("jdbc-bidi").objectTypes(TYPES).pageSize(2).storeBatchSize(2)
                    .defaultCompany("Unknown").build();
        }

        SyncEngine engine() {
            return engine(stores.marketingStore(), stores.syncStateStore());
        }

        SyncReport cycle() {
            clock.advance(Duration.ofSeconds(1));
            try (SyncEngine e = engine()) {
                return e.runCycle();
            }
        }

        MarketingRecord stored(ObjectType type, CrmId id) {
            return stores.marketingStore().findByCrmIds(type, List.of(id)).get(id);
        }

        /** Both sides edit the lead and the contact: different fields of the lead, the same field of the contact. */
        void editBothSides() {
            clock.advance(Duration.ofMinutes(1));
            crm.update(ObjectType.LEAD, lead, Map.of("Title", FieldValue.text("crm title")));
            stores.marketingStore().saveLocal(ObjectType.LEAD, stored(ObjectType.LEAD, lead).marketingId(),
                    Map.of("Phone", FieldValue.text("p1")));
            crm.update(ObjectType.CONTACT, contact, Map.of("Title", FieldValue.text("crm")));
            stores.marketingStore().saveLocal(ObjectType.CONTACT, stored(ObjectType.CONTACT, contact).marketingId(),
                    Map.of("Title", FieldValue.text("marketing")));
        }

        /** Both sides' values of every live record, as two converged worlds agree on them. */
        Map<String, String> content() {
            Map<String, String> out = new TreeMap<>();
            for (ObjectType type : TYPES) {
                for (SyncRecord r : crm.records(type)) {
                    MarketingRecord m = stored(type, r.id());
                    Map<String, FieldValue> f = new TreeMap<>();
                    r.fields().forEach((k, v) -> {
                        if (!v.isNull() && !k.startsWith("Last") && !k.startsWith("Converted")) {
                            f.put(k, v);
                        }
                    });
                    out.put(type + "/" + r.id() + " crm", f.toString());
                    Map<String, FieldValue> g = new TreeMap<>();
                    if (m != null) {
                        m.fields().forEach((k, v) -> {
                            if (!v.isNull() && !k.startsWith("Last") && !k.startsWith("Converted")) {
                                g.put(k, v);
                            }
                        });
                    }
                    out.put(type + "/" + r.id() + " store", m == null ? "absent" : g + (m.crmDeleted() ? " deleted" : ""));
                }
            }
            return out;
        }
    }

    @Test
    void twoSidedEditsMergeAndAQuietCycleWritesNothing() {
        World w = new World();
        assertTrue(w.cycle().isComplete());
        w.editBothSides();
        assertTrue(w.cycle().isComplete());
        assertEquals(FieldValue.text("crm title"), w.stored(ObjectType.LEAD, w.lead).get("Title"));
        assertEquals(FieldValue.text("p1"), w.crm.get(ObjectType.LEAD, w.lead).orElseThrow().get("Phone"));
        assertEquals(FieldValue.text("crm"), w.stored(ObjectType.CONTACT, w.contact).get("Title"), "Contact: CRM wins");
        long writes = w.crm.callCounts().get(CrmOperation.WRITE.callName());
        Map<String, String> before = w.content();
        SyncReport quiet = w.cycle();
        assertEquals(writes, w.crm.callCounts().get(CrmOperation.WRITE.callName()), quiet::toTable);
        assertEquals(0, quiet.totals().created() + quiet.totals().updated() + quiet.totals().deleted(), quiet::toTable);
        assertEquals(before, w.content());
    }

    @Test
    void aPersonTheCrmDeletedIsPushedAgainUnderANewIdKeepingItsMarketingId() {
        World w = new World();
        assertTrue(w.cycle().isComplete());
        String mid = w.stored(ObjectType.LEAD, w.lead).marketingId();
        w.crm.delete(ObjectType.LEAD, w.lead);
        w.cycle();
        PushResult r;
        try (SyncEngine e = w.engine()) {
            r = e.pushNow(mid).get(0);
        }
        CrmId again = assertInstanceOf(PushResult.Created.class, r).crmId();
        MarketingRecord p = w.stores.marketingStore().findByMarketingId(ObjectType.LEAD, mid).orElseThrow();
        assertEquals(again, p.crmId());
        assertTrue(!p.crmDeleted());
        assertTrue(w.cycle().isComplete());
    }

    @Test
    void conversionsAndMergesLeaveOnePersonEach() {
        World w = new World();
        CrmId loser = w.crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("Roe"),
                "Phone", FieldValue.text("555")));
        assertTrue(w.cycle().isComplete());
        String leadMid = w.stored(ObjectType.LEAD, w.lead).marketingId();
        InMemoryCrm.Conversion conv = w.crm.convertLead(w.lead, null);
        w.crm.merge(ObjectType.CONTACT, w.contact, List.of(loser));
        assertTrue(w.cycle().isComplete());
        assertTrue(w.cycle().isComplete());
        assertEquals(leadMid, w.stored(ObjectType.CONTACT, conv.contactId()).marketingId());
        assertEquals(List.of(), w.stores.marketingStore().crmIds(ObjectType.LEAD, IdCursor.START, 10));
        assertEquals(FieldValue.text("555"), w.stored(ObjectType.CONTACT, w.contact).get("Phone"));
        assertEquals(null, w.stored(ObjectType.CONTACT, loser));
    }

    @Test
    void aTwoSidedCycleKilledAtAnyStoreCallEndsAsIfUninterrupted() {
        World ref = new World();
        assertTrue(ref.cycle().isComplete());
        ref.editBothSides();
        InstrumentedStores counter = InstrumentedStores.create();
        ref.clock.advance(Duration.ofSeconds(1));
        try (SyncEngine e = ref.engine(counter.marketing(ref.stores.marketingStore()),
                counter.state(ref.stores.syncStateStore()))) {
            assertTrue(e.runCycle().isComplete());
        }
        assertTrue(ref.cycle().isComplete());
        Map<String, String> expected = ref.content();
        long calls = counter.log().total();
        assertTrue(calls > 20, "a cycle makes many store calls: " + calls);

        for (long k = 1; k <= calls; k++) {
            World w = new World();
            assertTrue(w.cycle().isComplete());
            w.editBothSides();
            InstrumentedStores kill = InstrumentedStores.create();
            kill.faults().failFromCall(k, Fault.crash());   // the process dies at call k: it and every later call fail
            w.clock.advance(Duration.ofSeconds(1));
            try (SyncEngine e = w.engine(kill.marketing(w.stores.marketingStore()), kill.state(w.stores.syncStateStore()))) {
                e.runCycle();
            } catch (SimulatedCrash expectedDeath) {
                // the process died
            }
            assertTrue(kill.faults().injectedCount() > 0, "killed at store call " + k);
            // the dead process never released its lease: the restart waits until it lapses (the database's clock)
            w.stores.syncStateStore().shiftClockForTest(SyncEngine.DEFAULT_LEASE_TTL);
            SyncReport first = w.cycle();
            SyncReport second = w.cycle();
            assertTrue(first.isComplete() && second.isComplete(), first.toTable() + second.toTable());
            assertEquals(expected, w.content(), "killed at store call " + k + " of " + calls);
        }
    }
}
