package dev.crmsync.core;

import dev.crmsync.testkit.fault.InstrumentedSyncStateStore;
import dev.crmsync.testkit.fault.InstrumentedStores;
import dev.crmsync.testkit.fault.InstrumentedCompleteStore;
import dev.crmsync.testkit.CrmOperation;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import dev.crmsync.testkit.fault.StoreOperation;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The fakes wired for bidirectional tests: Lead, Contact, Campaign and CampaignMember, a marketing-id field. */
final class BidiHarness {

    static final Instant T0 = Instant.parse("2024-03-01T09:00:00Z");
    static final String MARKETING_ID_FIELD = "Marketing_Id__c";
    static final List<ObjectType> TYPES = List.of(ObjectType.LEAD, ObjectType.CONTACT, ObjectType.CAMPAIGN,
            ObjectType.CAMPAIGN_MEMBER);
    /** Store operations that change the marketing data. */
    static final Set<StoreOperation> STORE_WRITES = EnumSet.of(StoreOperation.UPSERT, StoreOperation.MARK_DELETED,
            StoreOperation.SAVE_LOCAL, StoreOperation.LINK, StoreOperation.MERGE, StoreOperation.RELINK);

    final ManualClock clock = new ManualClock(T0);
    final InMemoryCrm crm;
    /** The marketing data, unwrapped (for {@code size}). */
    final InMemoryMarketingStore data = new InMemoryMarketingStore(clock);
    /** What the engine and the host talk to: the data, counted and faulted. */
    final InstrumentedCompleteStore store = InstrumentedStores.create().complete(data);
    /** The engine state; its leases run on the harness's clock. */
    final InstrumentedSyncStateStore state = InstrumentedStores.create().state(new InMemorySyncStateStore(clock));
    /** Where the engines' lease heartbeats run: only when a test advances it. */
    final ManualScheduledExecutor renewals = new ManualScheduledExecutor();

    BidiHarness() {
        this(InMemoryCrm.builder());
    }

    BidiHarness(InMemoryCrm.Builder crmBuilder) {
        crm = crmBuilder.clock(clock).seed(7).build();
        for (ObjectType t : List.of(ObjectType.LEAD, ObjectType.CONTACT, ObjectType.CAMPAIGN)) {
            crm.addField(t, FieldSchema.of(MARKETING_ID_FIELD, FieldType.STRING));
        }
    }

    /** @return a builder wired to the fakes: the four bidirectional types, the marketing-id field */
    SyncEngine.Builder builder() {
        return SyncEngine.builder().crmSource(crm).marketingStore(store).syncStateStore(state).clock(clock)
                .engineId("bidi-test").objectTypes(TYPES).marketingIdField(MARKETING_ID_FIELD)
                .leaseRenewalExecutor(renewals);
    }

    SyncEngine engine() {
        return builder().build();
    }

    /** Runs a cycle, a second later than the last, and checks it completed. */
    SyncReport cycle(SyncEngine engine) {
        clock.advance(Duration.ofSeconds(1));
        SyncReport r = engine.runCycle();
        assertTrue(r.isComplete(), r::toTable);
        return r;
    }

    /** Runs a cycle, a second later than the last, whatever its outcome. */
    SyncReport run(SyncEngine engine) {
        clock.advance(Duration.ofSeconds(1));
        return engine.runCycle();
    }

    void tick() {
        clock.advance(Duration.ofSeconds(1));
    }

    static Map<String, FieldValue> fields(Object... kv) {
        Map<String, FieldValue> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            m.put((String) kv[i], v == null ? FieldValue.NULL : v instanceof FieldValue fv ? fv
                    : v instanceof CrmId id ? FieldValue.ref(id) : v instanceof Boolean b ? FieldValue.bool(b)
                    : v instanceof Integer n ? FieldValue.number(n) : FieldValue.text((String) v));
        }
        return m;
    }

    CrmId lead(String last, String company, Object... more) {
        Map<String, FieldValue> f = fields(more);
        f.put("LastName", FieldValue.text(last));
        f.put("Company", FieldValue.text(company));
        return crm.insert(ObjectType.LEAD, f);
    }

    CrmId contact(String last, Object... more) {
        Map<String, FieldValue> f = fields(more);
        f.put("LastName", FieldValue.text(last));
        return crm.insert(ObjectType.CONTACT, f);
    }

    CrmId campaign(String name) {
        return crm.insert(ObjectType.CAMPAIGN, fields("Name", name, "IsActive", true));
    }

    /** Adds a member status (not responded, not the default) to a campaign, as a CRM user would. */
    CrmId memberStatus(CrmId campaign, String label) {
        return crm.insert(ObjectType.CAMPAIGN_MEMBER_STATUS, fields("CampaignId", campaign, "Label", label,
                "SortOrder", 10 + (int) crm.count(ObjectType.CAMPAIGN_MEMBER_STATUS)));
    }

    SyncRecord inCrm(ObjectType type, CrmId id) {
        return crm.get(type, id).orElseThrow(() -> new AssertionError(type + " " + id + " not in the CRM"));
    }

    FieldValue crmValue(ObjectType type, CrmId id, String field) {
        return inCrm(type, id).get(field);
    }

    Optional<MarketingRecord> stored(ObjectType type, CrmId id) {
        return Optional.ofNullable(store.findByCrmIds(type, List.of(id)).get(id));
    }

    MarketingRecord inStore(ObjectType type, CrmId id) {
        return stored(type, id).orElseThrow(() -> new AssertionError(type + " " + id + " not in the store"));
    }

    MarketingRecord byMid(ObjectType type, String mid) {
        return store.findByMarketingId(type, mid).orElseThrow(() -> new AssertionError(type + " " + mid + " not in the store"));
    }

    FieldValue storeValue(ObjectType type, CrmId id, String field) {
        return inStore(type, id).get(field);
    }

    /** Sets values on the marketing side, as the host application does. */
    MarketingRecord edit(ObjectType type, CrmId id, Object... kv) {
        return store.saveLocal(type, inStore(type, id).marketingId(), fields(kv));
    }

    long crmWrites() {
        return crm.callCounts().getOrDefault(CrmOperation.WRITE.callName(), 0L);
    }

    long storeWrites() {
        long n = 0;
        for (StoreOperation op : STORE_WRITES) {
            n += store.log().count(op);
        }
        return n;
    }

    /** Asserts a cycle writes nothing on either side (CRM writes, store writes, bases). */
    void assertQuiet(SyncEngine engine) {
        long crmBefore = crmWrites();
        long storeBefore = storeWrites();
        long basesBefore = state.log().count(StoreOperation.SAVE_BASES);
        SyncReport r = cycle(engine);
        assertEquals(crmBefore, crmWrites(), () -> "CRM writes in a quiet cycle\n" + r.toTable());
        assertEquals(storeBefore, storeWrites(), () -> "store writes in a quiet cycle\n" + r.toTable());
        assertEquals(basesBefore, state.log().count(StoreOperation.SAVE_BASES), () -> "bases saved in a quiet cycle\n"
                + r.toTable());
    }
}
