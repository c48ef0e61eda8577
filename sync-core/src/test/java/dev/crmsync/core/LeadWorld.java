package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.PushResult;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.core.report.TypeOutcome;
import dev.crmsync.core.report.TypeReport;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.Lease;
import dev.crmsync.store.LeaseAttempt;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.SyncStateStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A Lead-only bidirectional world for the property generators of issue 10 (whole-call failures,
 * poison values, a second engine instance): the fakes of {@link BidiHarness}, a model of both
 * sides' edits, and a CRM wrapper that sees every engine write. The host edits the marketing data
 * directly ({@link BidiHarness#data}), so that faults injected on the engine's store and the
 * store-write counts touch the engine's calls only.
 *
 * <p>The wrapper keeps, per CRM record and edited field, every value the field held in order (CRM
 * users' edits and the engine's accepted writes) and records a <em>stale write</em> when the
 * engine sends a value the field held before and no longer holds: every value of the world is a
 * fresh tag, so such a write can only put back an older value over a newer edit (the lost CRM
 * edits of the live run).
 */
final class LeadWorld {

    static final ObjectType LEAD = ObjectType.LEAD;
    /** Fields both sides edit; their values are fresh tags. */
    static final List<String> EDIT_FIELDS = List.of("Title", "Phone");
    /** Fields poison values go into (besides the edited ones), with the values that fix them. */
    static final Map<String, FieldValue> FIXES = new LinkedHashMap<>();

    static {
        FIXES.put("AnnualRevenue", FieldValue.number(new java.math.BigDecimal("1000")));
        FIXES.put("NumberOfEmployees", FieldValue.number(10));
        FIXES.put("Score__c", FieldValue.number(new java.math.BigDecimal("12.5")));
        FIXES.put("Due__c", FieldValue.date(java.time.LocalDate.of(2024, 1, 1)));
        FIXES.put("Note__c", FieldValue.text("ok"));
        FIXES.put("Tier__c", FieldValue.text("Gold"));
        FIXES.put("Email", FieldValue.text("a@example.com"));
    }

    static final List<String> SYNCED;

    static {
        List<String> s = new ArrayList<>(List.of("LastName", "Company"));
        s.addAll(EDIT_FIELDS);
        s.addAll(FIXES.keySet());
        SYNCED = List.copyOf(s);
    }

    /** An edit as the model remembers it: the value and the epoch (engine runs so far). */
    record Edit(FieldValue value, int epoch) {
    }

    /** A record's field: by CRM id for CRM edits, by marketing id for host edits. */
    record Key(String id, String field) {
    }

    final BidiHarness h = new BidiHarness();
    final Map<Key, Edit> crmEdits = new HashMap<>();
    final Map<Key, Edit> mktEdits = new HashMap<>();
    /** Persons the host created (marketing ids). */
    final Set<String> hostPersons = new HashSet<>();
    /** The last {@code pushNow} answer per marketing id. */
    final Map<String, PushResult> pushes = new HashMap<>();
    /** Per CRM record and edited field, the values it held, oldest first. */
    final Map<Key, List<FieldValue>> history = new HashMap<>();
    /** Stale writes the engine sent (see the class documentation). */
    final List<String> staleWrites = new ArrayList<>();
    /** The CRM every engine of the world talks to: {@link BidiHarness#crm}, watched. */
    final CrmSource crm;
    /** Write batches the CRM refuses as a whole request (none by default). */
    private Predicate<List<? extends CrmWrite>> refuseWhole = w -> false;
    int epoch;
    int counter;

    LeadWorld(long seed) {
        h.crm.addField(LEAD, FieldSchema.builder("Score__c", FieldType.DOUBLE).precision(5, 2).build());
        h.crm.addField(LEAD, FieldSchema.of("Due__c", FieldType.DATE));
        h.crm.addField(LEAD, FieldSchema.builder("Note__c", FieldType.STRING).length(20).build());
        h.crm.addField(LEAD, FieldSchema.builder("Tier__c", FieldType.PICKLIST)
                .picklist(List.of("Gold", "Silver"), true).build());
        h.crm.faults().seed(seed);
        h.store.faults().seed(seed);
        h.state.faults().seed(seed);
        crm = watched(h.crm);
    }

    /** @param refuse which write batches the CRM refuses as a whole ({@code JSON_PARSER_ERROR}, HTTP 400) */
    void refuseWholeRequests(Predicate<List<? extends CrmWrite>> refuse) {
        this.refuseWhole = refuse;
    }

    /** @return a builder of an engine of this world (Lead only), engine id "bidi-test" */
    SyncEngine.Builder builder() {
        return h.builder().crmSource(crm).objectTypes(List.of(LEAD)).fields(LEAD, SYNCED).maxAttempts(2)
                .pageSize(3).storeBatchSize(2).defaultCompany("Unknown").defaultLastName("Unknown");
    }

    FieldValue tag() {
        return FieldValue.text("v" + (++counter));
    }

    static <T> T pick(List<T> list, int pick) {
        return list.isEmpty() ? null : list.get(Math.floorMod(pick, list.size()));
    }

    /** @return every stored lead, read past the engine's faults */
    List<MarketingRecord> stored() {
        return h.data.records(LEAD);
    }

    List<MarketingRecord> linked() {
        return stored().stream().filter(r -> r.crmId() != null && !r.crmDeleted()).toList();
    }

    List<MarketingRecord> unlinked() {
        return stored().stream().filter(r -> r.crmId() == null).toList();
    }

    // ---- the two sides' edits ------------------------------------------------------------------

    CrmId crmNewLead() {
        FieldValue title = tag();
        CrmId id = h.crm.insert(LEAD, BidiHarness.fields("LastName", "L" + (++counter), "Company", "Acme",
                "Title", title));
        history.computeIfAbsent(new Key(id.value(), "Title"), k -> new ArrayList<>()).add(title);
        history.computeIfAbsent(new Key(id.value(), "Phone"), k -> new ArrayList<>()).add(FieldValue.NULL);
        return id;
    }

    /** A CRM user sets a field of a lead to a fresh tag (or to {@code value} if not null). */
    void crmEdit(CrmId id, String field, FieldValue value) {
        FieldValue v = value != null ? value : tag();
        h.crm.update(LEAD, id, Map.of(field, v));
        if (EDIT_FIELDS.contains(field)) {
            crmEdits.put(new Key(id.value(), field), new Edit(v, epoch));
            history.computeIfAbsent(new Key(id.value(), field), k -> new ArrayList<>()).add(v);
        }
    }

    void crmEdit(int pick, int field) {
        SyncRecord r = pick(h.crm.records(LEAD), pick);
        if (r != null) {
            crmEdit(r.id(), pick(EDIT_FIELDS, field), null);
        }
    }

    /** The host creates a person, with more fields (poison ones, say) if given. */
    MarketingRecord mktNewLead(Map<String, FieldValue> more) {
        Map<String, FieldValue> f = BidiHarness.fields("LastName", "M" + (++counter), "Company", "Local",
                "Title", tag());
        f.putAll(more);
        MarketingRecord r = h.data.saveLocal(LEAD, null, f);
        hostPersons.add(r.marketingId());
        return r;
    }

    /** The host sets fields of a stored lead; an edited field's value counts as the host's edit. */
    void mktEdit(MarketingRecord r, Map<String, FieldValue> values) {
        h.data.saveLocal(LEAD, r.marketingId(), values);
        values.forEach((f, v) -> {
            if (EDIT_FIELDS.contains(f)) {
                mktEdits.put(new Key(r.marketingId(), f), new Edit(v, epoch));
            }
        });
    }

    void mktEdit(int pick, int field) {
        MarketingRecord r = pick(stored(), pick);
        if (r != null) {
            mktEdit(r, Map.of(pick(EDIT_FIELDS, field), tag()));
        }
    }

    // ---- engine runs ----------------------------------------------------------------------------

    /** A cycle of a fresh engine, a second later; whatever its outcome. */
    SyncReport cycle(SyncEngine.Builder b) {
        epoch++;
        h.clock.advance(Duration.ofSeconds(1));
        try (SyncEngine engine = b.build()) {
            return engine.runCycle();
        }
    }

    SyncReport cycle() {
        return cycle(builder());
    }

    /** A cycle that must sync the type. */
    SyncReport cleanCycle() {
        SyncReport r = cycle();
        TypeReport t = r.type(LEAD).orElseThrow();
        assertTrue(t.outcome() instanceof TypeOutcome.Synced, r::toTable);
        return r;
    }

    /** {@code pushNow} of the unlinked person picked, by a fresh engine of the builder. */
    PushResult push(SyncEngine.Builder b, int pick) {
        return push(b, pick(unlinked(), pick));
    }

    /** {@code pushNow} of a person, by a fresh engine of the builder; null for no person. */
    PushResult push(SyncEngine.Builder b, MarketingRecord r) {
        if (r == null) {
            return null;
        }
        epoch++;
        try (SyncEngine engine = b.build()) {
            PushResult result = engine.pushNow(LEAD, List.of(r.marketingId())).get(0);
            pushes.put(r.marketingId(), result);
            if (result instanceof PushResult.Created) {
                mktEdits.keySet().removeIf(k -> k.id().equals(r.marketingId()));
            }
            return result;
        }
    }

    /**
     * The host pushes every person not yet in the CRM again; asserts each is created (or waits as
     * an unconfirmed create, which the next cycles resolve), but for those in {@code held}, which
     * must not be created. Then lets ten minutes pass, more than any wait for a lost create's answer.
     */
    void pushUnlinked(Set<String> held, String ctx) {
        for (MarketingRecord r : unlinked()) {
            PushResult p = push(builder(), r);
            if (held.contains(r.marketingId())) {
                assertFalse(p instanceof PushResult.Created, () -> "held person " + r.marketingId() + " was created: "
                        + p + ctx);
            } else {
                assertTrue(p instanceof PushResult.Created || p instanceof PushResult.Unconfirmed,
                        () -> "push of " + r.marketingId() + ": " + p + ctx);
            }
        }
        h.clock.advance(Duration.ofMinutes(10));
    }

    /** Faults stop; the host re-drives what waits for a change. */
    void stopFaults() {
        h.crm.faults().clear();
        h.store.faults().clear();
        h.state.faults().clear();
        try (SyncEngine engine = builder().build()) {
            engine.redriveAll(LEAD);
            engine.redriveAll();
        }
    }

    // ---- the laws -------------------------------------------------------------------------------

    /**
     * Asserts the sync laws: every live CRM lead is stored with every synced field equal, but for
     * the marketing ids in {@code held} (records a poison value keeps apart); the edited fields
     * hold the value the policy dictates (Lead: marketing wins a conflict); no marketing id is in
     * the CRM twice; every host person is still stored, and linked once a push created it; no stale write was sent; the
     * type's checkpoint has passed every host change.
     */
    void assertConverged(Set<String> held, String ctx) {
        assertConverged(held, Set.of(), ctx);
    }

    /** As {@link #assertConverged(Set, String)}, also leaving apart the CRM leads in {@code heldCrm}. */
    void assertConverged(Set<String> held, Set<CrmId> heldCrm, String ctx) {
        Map<String, CrmId> byMid = new HashMap<>();
        for (SyncRecord c : h.crm.records(LEAD)) {
            MarketingRecord m = h.data.findByCrmIds(LEAD, List.of(c.id())).get(c.id());
            FieldValue mid = c.get(BidiHarness.MARKETING_ID_FIELD);
            if (mid instanceof FieldValue.Text t) {
                CrmId other = byMid.put(t.value(), c.id());
                assertTrue(other == null, () -> "marketing record " + t.value() + " was created twice in the CRM: "
                        + other + " and " + c.id() + ctx);
            }
            if (heldCrm.contains(c.id())) {
                continue;
            }
            assertNotNull(m, () -> "lead " + c.id() + " is live in the CRM but not in the store (lost)" + ctx);
            if (held.contains(m.marketingId())) {
                continue;
            }
            for (String f : SYNCED) {
                assertEquals(c.get(f), m.get(f), () -> "lead " + c.id() + " (marketing id " + m.marketingId()
                        + ") field " + f + " differs between the CRM and the store" + ctx);
            }
            for (String f : EDIT_FIELDS) {
                assertPolicyValue(c, m, f, ctx);
            }
        }
        for (String mid : hostPersons) {
            if (!held.contains(mid)) {
                MarketingRecord m = h.data.findByMarketingId(LEAD, mid).orElseThrow(() -> new AssertionError(
                        "host person " + mid + " was lost" + ctx));
                if (pushes.get(mid) instanceof PushResult.Created || pushes.get(mid) instanceof PushResult.Unconfirmed) {
                    assertNotNull(m.crmId(), () -> "host person " + mid + " was pushed but is not linked" + ctx);
                }
            }
        }
        assertEquals(List.of(), staleWrites, () -> "the engine put older values back over newer CRM edits" + ctx);
        FeedCursor cp = h.state.checkpoint(LEAD).map(Checkpoint::marketingCursor).orElseThrow();
        List<MarketingRecord> after = h.data.changesSince(LEAD, cp, 10).records();
        assertTrue(after.isEmpty(), () -> "host changes past the type's checkpoint: "
                + after.stream().map(MarketingRecord::marketingId).toList() + ctx);
    }

    private void assertPolicyValue(SyncRecord c, MarketingRecord m, String f, String ctx) {
        Edit ce = crmEdits.get(new Key(c.id().value(), f));
        Edit me = mktEdits.get(new Key(m.marketingId(), f));
        if (ce == null && me == null) {
            return;
        }
        Set<FieldValue> allowed = new HashSet<>();
        if (ce == null) {
            allowed.add(me.value());
        } else if (me == null) {
            allowed.add(ce.value());
        } else {
            allowed.add(me.value());                          // Lead: the marketing side wins a conflict
            if (ce.epoch() != me.epoch()) {                   // a run between them: the later one may stand
                allowed.add(ce.epoch() > me.epoch() ? ce.value() : me.value());
            }
        }
        FieldValue actual = c.get(f);
        assertTrue(allowed.contains(actual), () -> "lead " + c.id() + " (marketing id " + m.marketingId() + ") field "
                + f + " is " + actual + ", the policy dictates one of " + allowed + " (CRM edit " + ce
                + ", marketing edit " + me + ")" + ctx);
    }

    /** Asserts a cycle writes nothing on either side. */
    void assertQuiet(String ctx) {
        long crmWrites = h.crmWrites();
        long storeWrites = h.storeWrites();
        SyncReport quiet = cleanCycle();
        assertEquals(crmWrites, h.crmWrites(), () -> "CRM writes in the quiet cycle\n" + quiet.toTable() + ctx);
        assertEquals(storeWrites, h.storeWrites(), () -> "store writes in the quiet cycle\n" + quiet.toTable() + ctx);
    }

    // ---- the watched CRM ------------------------------------------------------------------------

    private CrmSource watched(CrmSource target) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("write") && args != null && args.length == 2) {
                @SuppressWarnings("unchecked")
                List<? extends CrmWrite> writes = (List<? extends CrmWrite>) args[1];
                if (refuseWhole.test(writes)) {
                    throw new SyncException("JSON_PARSER_ERROR: the request body could not be parsed (HTTP 400)");
                }
                checkStale(writes);
                Object result = invoke(target, method, args);
                @SuppressWarnings("unchecked")
                List<CrmWriteResult> results = (List<CrmWriteResult>) result;
                for (int i = 0; i < results.size(); i++) {
                    if (results.get(i) instanceof CrmWriteResult.Written w) {
                        for (String f : EDIT_FIELDS) {
                            FieldValue v = writes.get(i).fields().get(f);
                            if (v != null || w.created()) {
                                history.computeIfAbsent(new Key(w.id().value(), f), k -> new ArrayList<>())
                                        .add(v == null ? FieldValue.NULL : v);
                            }
                        }
                    }
                }
                return result;
            }
            return invoke(target, method, args);
        };
        return (CrmSource) Proxy.newProxyInstance(CrmSource.class.getClassLoader(), new Class<?>[] {CrmSource.class},
                handler);
    }

    private void checkStale(List<? extends CrmWrite> writes) {
        for (CrmWrite w : writes) {
            if (w instanceof CrmWrite.Update u) {
                for (String f : EDIT_FIELDS) {
                    FieldValue v = u.fields().get(f);
                    List<FieldValue> held = history.getOrDefault(new Key(u.id().value(), f), List.of());
                    if (v != null && !held.isEmpty() && !held.get(held.size() - 1).equals(v) && held.contains(v)) {
                        staleWrites.add("lead " + u.id() + " field " + f + ": sent " + v + " over "
                                + held.get(held.size() - 1) + " (held " + held + ")");
                    }
                }
            }
        }
    }

    static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    // ---- an engine's wiring, counted, with a hook at one call -----------------------------------

    /**
     * One engine's view of the world: its CRM, store and state store, through proxies that count
     * its calls (change streams included) and run a hook once, before the first call numbered
     * {@link #at} or later that is neither inside a state-store transaction (what a real database
     * makes atomic), nor a CRM write (the instant between the engine's last look at its lease and
     * the request leaving, which no CRM fencing can close: Salesforce has no conditional collection
     * writes), nor between a CRM write's answer and the state-store call that records it (a freeze
     * there, with a CRM user's edit of the same field before another instance takes over, is the
     * ambiguity of a crash at that instant: see {@code BidiMerge.settlePending}); and that
     * remember the type's lease while the engine holds it.
     */
    final class Wire {
        private long calls;
        private long hookAt = -1;
        private Runnable hook;
        private Lease held;
        private int txDepth;
        private boolean answerUnrecorded;
        boolean fired;

        /** @param n the call (1 = the first) at or after which {@code r} runs, once */
        Wire at(long n, Runnable r) {
            hookAt = n;
            hook = r;
            return this;
        }

        long calls() {
            return calls;
        }

        /** @return the lease this engine holds, as last granted or renewed, or null */
        Lease held() {
            return held;
        }

        SyncEngine.Builder builder() {
            return LeadWorld.this.builder().crmSource(wrap(CrmSource.class, crm))
                    .marketingStore(wrap(BidirectionalStore.class, h.store))
                    .syncStateStore(wrap(SyncStateStore.class, h.state));
        }

        <T> T wrap(Class<T> type, T target) {
            InvocationHandler handler = (proxy, method, args) -> {
                if (method.getDeclaringClass() == Object.class) {
                    return method.invoke(target, args);
                }
                calls++;
                boolean crmWrite = type == CrmSource.class && method.getName().equals("write");
                if (hook != null && calls >= hookAt && txDepth == 0 && !crmWrite && !answerUnrecorded) {
                    Runnable r = hook;
                    hook = null;
                    fired = true;
                    r.run();
                }
                boolean tx = method.getName().equals("inTransaction");
                if (tx) {
                    txDepth++;
                }
                Object result;
                try {
                    result = invoke(target, method, args);
                } finally {
                    if (tx) {
                        txDepth--;
                    }
                }
                if (crmWrite) {
                    answerUnrecorded = true;
                } else if (type == SyncStateStore.class && txDepth == 0) {
                    answerUnrecorded = false;
                }
                if (result instanceof LeaseAttempt.Granted g) {
                    held = g.lease();
                } else if (method.getName().equals("renewLease") && result instanceof java.util.Optional<?> o) {
                    held = (Lease) o.orElse(null);
                } else if (method.getName().equals("releaseLease")) {
                    held = null;
                }
                if (result instanceof ChangeStream stream) {
                    return wrap(ChangeStream.class, stream);
                }
                return result;
            };
            return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
        }
    }

    /** Asserts nothing: a helper to read a type's outcome. */
    static TypeOutcome outcome(SyncReport r) {
        return r.type(LEAD).map(TypeReport::outcome).orElse(null);
    }

    static void assertNotComplete(SyncReport r, String ctx) {
        assertFalse(r.isComplete(), () -> "a cycle that skipped a type reported COMPLETE\n" + r.toTable() + ctx);
    }
}
