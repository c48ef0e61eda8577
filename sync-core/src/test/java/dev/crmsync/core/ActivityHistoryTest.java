package dev.crmsync.core;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.PushResult;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.PersonActivity;
import dev.crmsync.store.PersonActivity.Kind;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.StoreOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 6: the events the engine produces, kept as each person's activity history by a
 * store that is an {@code ActivityHistory} (here the in-memory store itself, unwrapped), read back
 * with {@link SyncEngine#history}.
 */
class ActivityHistoryTest {

    private final BidiHarness h = new BidiHarness();

    private SyncEngine.Builder builder() {
        return h.builder().marketingStore(h.data);
    }

    private List<PersonActivity> history(SyncEngine engine, ObjectType type, String mid) {
        List<PersonActivity> all = new ArrayList<>();
        String cursor = null;
        do {
            var page = engine.history(type, mid, cursor, 3);
            all.addAll(page.activities());
            cursor = page.next();
        } while (cursor != null);
        return all;
    }

    private static List<Kind> kinds(List<PersonActivity> history) {
        return history.stream().map(PersonActivity::kind).toList();
    }

    private static PersonActivity newest(List<PersonActivity> history, Kind kind) {
        return history.stream().filter(a -> a.kind() == kind).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in " + history));
    }

    @Test
    void aPersonCreatedFromTheCrmAndDeletedThereHasBothInItsHistory() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            String mid = h.inStore(ObjectType.LEAD, lead).marketingId();
            assertEquals(List.of(Kind.CREATED_FROM_CRM), kinds(history(engine, ObjectType.LEAD, mid)));
            h.crm.delete(ObjectType.LEAD, lead);
            h.cycle(engine);
            List<PersonActivity> hist = history(engine, ObjectType.LEAD, mid);
            assertEquals(List.of(Kind.DELETED, Kind.CREATED_FROM_CRM), kinds(hist));
            assertEquals(lead, hist.get(0).crmId());
            assertTrue(hist.get(0).cycleId() != null, "written by a cycle");
            h.cycle(engine);
            assertEquals(2, history(engine, ObjectType.LEAD, mid).size(), "a quiet cycle writes no activity");
        }
    }

    @Test
    void fieldsUpdatedFromTheCrmAreNamedAndTheirValuesAreNowhere() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, lead, fields("Title", "Chief Secret Officer", "Phone", "555-0100"));
            h.cycle(engine);
            String mid = h.inStore(ObjectType.LEAD, lead).marketingId();
            PersonActivity updated = newest(history(engine, ObjectType.LEAD, mid), Kind.UPDATED_FROM_CRM);
            assertEquals(java.util.Set.of("Title", "Phone"), java.util.Set.copyOf(updated.fields()));
            assertFalse(updated.toString().contains("Secret") || updated.toString().contains("555"),
                    updated::toString);
        }
    }

    @Test
    void aMarketingEditWrittenToTheCrmIsUpdatedInCrmWithItsFields() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Title", "VP");
            h.cycle(engine);
            assertEquals(FieldValue.text("VP"), h.crmValue(ObjectType.LEAD, lead, "Title"));
            String mid = h.inStore(ObjectType.LEAD, lead).marketingId();
            List<PersonActivity> hist = history(engine, ObjectType.LEAD, mid);
            assertEquals(List.of(Kind.UPDATED_IN_CRM, Kind.CREATED_FROM_CRM), kinds(hist));
            assertEquals(List.of("Title"), hist.get(0).fields());
        }
    }

    @Test
    void aPushedNewPersonIsCreatedInCrm() {
        MarketingRecord person = h.store.saveLocal(ObjectType.LEAD, null, fields("LastName", "Roe", "Company", "X"));
        try (SyncEngine engine = builder().build()) {
            PushResult r = engine.pushNow(ObjectType.LEAD, List.of(person.marketingId())).get(0);
            CrmId id = ((PushResult.Created) r).crmId();
            List<PersonActivity> hist = history(engine, ObjectType.LEAD, person.marketingId());
            assertEquals(List.of(Kind.CREATED_IN_CRM), kinds(hist));
            assertEquals(id, hist.get(0).crmId());
            assertEquals(null, hist.get(0).cycleId(), "a host action, outside a cycle");
        }
    }

    @Test
    void aConflictResolvedNamesItsField() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Title", "Marketing's");
            h.crm.update(ObjectType.LEAD, lead, fields("Title", "Sales'"));
            h.cycle(engine);
            String mid = h.inStore(ObjectType.LEAD, lead).marketingId();
            PersonActivity c = newest(history(engine, ObjectType.LEAD, mid), Kind.CONFLICT_RESOLVED);
            assertEquals(List.of("Title"), c.fields());
        }
    }

    @Test
    void aRejectedWriteIsInTheHistoryWithItsReasonCodeAndEachAttemptOnce() {
        CrmId lead = h.lead("Doe", "Acme");
        h.crm.addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Title must not be 'bad'",
                v -> FieldValue.text("bad").equals(v.get("Title")));
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.edit(ObjectType.LEAD, lead, "Title", "bad");
            h.run(engine);                                     // partial: the CRM refused the record
            String mid = h.inStore(ObjectType.LEAD, lead).marketingId();
            List<PersonActivity> hist = history(engine, ObjectType.LEAD, mid);
            PersonActivity rej = newest(hist, Kind.REJECTED);
            assertEquals("FIELD_CUSTOM_VALIDATION_EXCEPTION", rej.reason());
            assertEquals(lead, rej.crmId());
            assertFalse(rej.toString().contains("must not be"), "the CRM's message is not kept, only its code");
            assertEquals(1, hist.stream().filter(a -> a.kind() == Kind.REJECTED).count());
        }
    }

    @Test
    void aConvertedLeadsHistoryIsTheContactsWithTheConversionOnTop() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, lead, fields("Title", "CEO"));
            h.cycle(engine);
            String mid = h.inStore(ObjectType.LEAD, lead).marketingId();
            CrmId contact = h.crm.convertLead(lead, null).contactId();
            h.cycle(engine);
            h.cycle(engine);
            assertEquals(contact, h.byMid(ObjectType.CONTACT, mid).crmId());
            List<PersonActivity> hist = history(engine, ObjectType.CONTACT, mid);
            assertEquals(Kind.CONVERTED, hist.get(0).kind(), hist::toString);
            assertEquals(lead, hist.get(0).related());
            assertTrue(kinds(hist).containsAll(List.of(Kind.UPDATED_FROM_CRM, Kind.CREATED_FROM_CRM)),
                    "the lead's history carried over: " + hist);
            assertTrue(hist.stream().allMatch(a -> a.type().equals(ObjectType.CONTACT)));
            assertEquals(List.of(), history(engine, ObjectType.LEAD, mid));
        }
    }

    @Test
    void personsMergedInTheCrmHaveTheirHistoriesConcatenatedInTimeOrder() {
        CrmId a = h.lead("Ames", "Acme");
        h.tick();
        CrmId b = h.lead("Bell", "Acme");
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);                                   // both created
            h.crm.update(ObjectType.LEAD, b, fields("Title", "B1"));
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, a, fields("Title", "A1"));
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, b, fields("Phone", "1"));
            h.cycle(engine);
            String ma = h.inStore(ObjectType.LEAD, a).marketingId();
            String mb = h.inStore(ObjectType.LEAD, b).marketingId();
            List<PersonActivity> before = new ArrayList<>(history(engine, ObjectType.LEAD, ma));
            before.addAll(history(engine, ObjectType.LEAD, mb));
            h.crm.merge(ObjectType.LEAD, a, List.of(b));
            h.cycle(engine);
            List<PersonActivity> hist = history(engine, ObjectType.LEAD, ma);
            PersonActivity merged = newest(hist, Kind.MERGED);
            assertEquals(b, merged.related());
            assertEquals(a, merged.crmId());
            java.util.Set<String> keys = new java.util.HashSet<>(hist.stream().map(PersonActivity::key).toList());
            assertTrue(keys.containsAll(before.stream().map(PersonActivity::key).toList()),
                    "every activity of both persons: " + hist);
            for (int i = 1; i < hist.size(); i++) {
                assertFalse(hist.get(i).at().isAfter(hist.get(i - 1).at()), "newest first, interleaved by time: " + hist);
            }
            List<String> interleaved = hist.stream().filter(x -> before.stream().anyMatch(y -> y.key().equals(x.key())))
                    .map(x -> x.crmId().equals(a) ? "a" : "b").toList();
            assertEquals(List.of("b", "a", "b", "b", "a"), interleaved, "b's Phone, a's Title, b's Title, both created");
            assertEquals(List.of(), history(engine, ObjectType.LEAD, mb));
        }
    }

    @Test
    void mergePersonsMovesTheLosersHistoriesToTheSurvivor() {
        CrmId a = h.lead("Ames", "Acme");
        CrmId b = h.lead("Bell", "Acme");
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, b, fields("Title", "B1"));
            h.cycle(engine);
            String ma = h.inStore(ObjectType.LEAD, a).marketingId();
            String mb = h.inStore(ObjectType.LEAD, b).marketingId();
            assertEquals(PersonMerge.Outcome.MERGED, engine.mergePersons(ObjectType.LEAD, ma, List.of(mb), false)
                    .outcome());
            List<PersonActivity> hist = history(engine, ObjectType.LEAD, ma);
            assertEquals(List.of(Kind.MERGED, Kind.UPDATED_FROM_CRM, Kind.CREATED_FROM_CRM, Kind.CREATED_FROM_CRM),
                    kinds(hist));
            assertEquals(List.of(), history(engine, ObjectType.LEAD, mb));
            h.cycle(engine);
            assertEquals(1, history(engine, ObjectType.LEAD, ma).stream().filter(x -> x.kind() == Kind.MERGED).count(),
                    "the CRM's merge, read back, is not a second merge");
        }
    }

    @Test
    void anAccountFieldChangeWritesAnActivityOnEachLinkedContact() {
        CrmId account = h.crm.insert(ObjectType.ACCOUNT, fields("Name", "Acme", "Industry", "Banking"));
        CrmId c1 = h.contact("One", "AccountId", account);
        CrmId c2 = h.contact("Two", "AccountId", account);
        CrmId other = h.contact("Three");
        try (SyncEngine engine = builder().objectTypes(ObjectType.ACCOUNT, ObjectType.CONTACT).build()) {
            h.cycle(engine);
            h.crm.update(ObjectType.ACCOUNT, account, fields("Industry", "Chemicals"));
            h.cycle(engine);
            for (CrmId c : List.of(c1, c2)) {
                PersonActivity a = history(engine, ObjectType.CONTACT, h.inStore(ObjectType.CONTACT, c).marketingId())
                        .get(0);
                assertEquals(Kind.ACCOUNT_CHANGED, a.kind());
                assertEquals(List.of("Industry"), a.fields());
                assertEquals(account, a.related());
            }
            assertEquals(List.of(Kind.CREATED_FROM_CRM),
                    kinds(history(engine, ObjectType.CONTACT, h.inStore(ObjectType.CONTACT, other).marketingId())));
            h.cycle(engine);
            assertEquals(2, history(engine, ObjectType.CONTACT, h.inStore(ObjectType.CONTACT, c1).marketingId()).size(),
                    "once per change");
        }
    }

    @Test
    void anAccountWithMoreThan5000ContactsChangesItsDataButWritesNoActivity() {
        CrmId big = h.crm.insert(ObjectType.ACCOUNT, fields("Name", "Big", "Industry", "Banking"));
        CrmId small = h.crm.insert(ObjectType.ACCOUNT, fields("Name", "Small", "Industry", "Banking"));
        for (int i = 0; i <= SyncEngine.ACCOUNT_CHANGE_ACTIVITY_LIMIT; i++) {     // 5,001
            h.contact("C" + i, "AccountId", big);
        }
        CrmId alone = h.contact("Alone", "AccountId", small);
        try (SyncEngine engine = builder().objectTypes(ObjectType.ACCOUNT, ObjectType.CONTACT).build()) {
            h.cycle(engine);
            h.crm.update(ObjectType.ACCOUNT, big, fields("Industry", "Chemicals"));
            h.crm.update(ObjectType.ACCOUNT, small, fields("Industry", "Chemicals"));
            h.cycle(engine);
            assertEquals(FieldValue.text("Chemicals"), h.storeValue(ObjectType.ACCOUNT, big, "Industry"),
                    "the data still updates");
            long changed = 0;
            for (MarketingRecord c : h.data.findByCrmIds(ObjectType.CONTACT,
                    h.crm.records(ObjectType.CONTACT).stream().map(r -> r.id()).toList()).values()) {
                changed += history(engine, ObjectType.CONTACT, c.marketingId()).stream()
                        .filter(a -> a.kind() == Kind.ACCOUNT_CHANGED).count();
            }
            assertEquals(1, changed, "only the small account's one contact");
            assertEquals(Kind.ACCOUNT_CHANGED, history(engine, ObjectType.CONTACT,
                    h.inStore(ObjectType.CONTACT, alone).marketingId()).get(0).kind());
        }
    }

    @Test
    void aCycleThatDiesBeforeItsCheckpointWritesNoActivityTwiceWhenRunAgain() {
        CrmId a = h.lead("Ames", "Acme");
        CrmId b = h.lead("Bell", "Acme");
        h.state.faults().failNext(StoreOperation.SAVE_CHECKPOINT, 1, Fault.crash());
        try (SyncEngine engine = builder().build()) {
            h.run(engine);
        } catch (RuntimeException crashed) {
            // the simulated crash: the process died mid-cycle
        }
        try (SyncEngine engine = builder().build()) {
            h.cycle(engine);
            h.cycle(engine);
            for (CrmId id : List.of(a, b)) {
                assertEquals(List.of(Kind.CREATED_FROM_CRM),
                        kinds(history(engine, ObjectType.LEAD, h.inStore(ObjectType.LEAD, id).marketingId())));
            }
        }
    }

    @Test
    void historyNeedsAStoreThatKeepsOneAndValidatesItsArguments() {
        try (SyncEngine plain = h.builder().build()) {       // the instrumented store keeps no history
            assertThrows(IllegalStateException.class, () -> plain.history(ObjectType.LEAD, "1", null, 10));
        }
        try (SyncEngine engine = builder().build()) {
            assertThrows(IllegalArgumentException.class, () -> engine.history(ObjectType.ACCOUNT, "1", null, 10));
            assertThrows(IllegalArgumentException.class, () -> engine.history(ObjectType.LEAD, " ", null, 10));
            assertThrows(IllegalArgumentException.class, () -> engine.history(ObjectType.LEAD, "1", null, 0));
            assertThrows(NullPointerException.class, () -> engine.history(null, "1", null, 10));
            assertEquals(List.of(), engine.history(ObjectType.LEAD, "404", null, 10).activities());
        }
    }

    @Test
    void aStoreWithoutHistoryGetsNoActivityCalls() {
        CrmId lead = h.lead("Doe", "Acme");
        try (SyncEngine engine = h.builder().build()) {
            h.cycle(engine);
            h.crm.update(ObjectType.LEAD, lead, fields("Title", "CEO"));
            h.cycle(engine);
        }
        assertEquals(Map.of(), h.data.referencing(ObjectType.CONTACT, "AccountId", List.of(lead), 1));
        String mid = h.inStore(ObjectType.LEAD, lead).marketingId();
        assertEquals(List.of(), h.data.history(ObjectType.LEAD, mid, null, 10).activities(),
                "the engine wrote none: the store it was given (the instrumented wrapper) keeps no history");
    }
}
