package dev.crmsync.core.internal;

import static dev.crmsync.core.internal.StageFixtures.LATER;
import static dev.crmsync.core.internal.StageFixtures.T;
import static dev.crmsync.core.internal.StageFixtures.v;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The structural-changes stage: CRM merges, lead conversions and deletions found in a batch. */
class BidiStructureTest {

    private static final CrmId SURVIVOR = CrmId.of("00Q000000000001");
    private static final CrmId LOSER = CrmId.of("00Q000000000002");
    private static final CrmId CONVERTED = CrmId.of("00Q000000000003");
    private static final CrmId CONTACT = CrmId.of("003000000000001");

    private static SyncRecord lead(CrmId id, Map<String, FieldValue> f, boolean deleted) {
        return new SyncRecord(ObjectType.LEAD, id, f, T, deleted);
    }

    private static MarketingRecord person(String mid, Map<String, FieldValue> f) {
        return new MarketingRecord(ObjectType.LEAD, mid, null, f, false, T, T);
    }

    @Test
    void aDeletedRecordNamingAMasterIsMergedIntoItAndAConvertedLeadIsConverted() {
        Map<CrmId, SyncRecord> crm = new LinkedHashMap<>();
        crm.put(LOSER, lead(LOSER, Map.of(SyncRecord.MASTER_RECORD_ID, FieldValue.ref(SURVIVOR)), true));
        crm.put(CONVERTED, lead(CONVERTED, Map.of(SyncRecord.IS_CONVERTED, FieldValue.bool(true),
                SyncRecord.CONVERTED_CONTACT_ID, FieldValue.ref(CONTACT)), false));
        BidiBatch w = new BidiBatch(List.of(LOSER, CONVERTED), crm, Map.of(), Map.of(), Set.of());
        BidiStructure.Changes changes = BidiStructure.find(w, ObjectType.LEAD);
        assertEquals(Map.of(SURVIVOR, List.of(LOSER)), changes.merges());
        assertEquals(List.of(CONVERTED), changes.conversions().stream().map(SyncRecord::id).toList());
        assertEquals(Set.of(LOSER, CONVERTED), changes.touched());
        assertEquals(Set.of(SURVIVOR), BidiStructure.survivorsOutside(w), "the survivor is to be read too");
        BidiStructure.Changes asContacts = BidiStructure.find(w, ObjectType.CONTACT);
        assertEquals(Map.of(SURVIVOR, List.of(LOSER)), asContacts.merges(), "merges are found for every type");
        assertEquals(List.of(), asContacts.conversions(), "conversions only for leads");
    }

    @Test
    void aMergeFillsTheSurvivorsEmptyFieldsFromTheEarlierLoserFirst() {
        Map<String, FieldValue> filled = BidiStructure.filled(List.of(
                person("s", v("A", "kept", "Short", null)),
                person("l1", v("A", "lost", "Short", "first")),
                person("l2", v("Short", "second", "B", "b"))));
        assertEquals(v("Short", "first", "B", "b"), filled);
    }

    @Test
    void onlyDeletionsOfHeldLiveRecordsNotChangedSinceAreFlagged() {
        Deletion held = new Deletion(SURVIVOR, LATER);
        Deletion flagged = new Deletion(LOSER, LATER);
        Deletion revived = new Deletion(CONVERTED, T);
        Deletion unknown = new Deletion(CONTACT, LATER);
        Map<CrmId, MarketingRecord> store = Map.of(
                SURVIVOR, new MarketingRecord(ObjectType.LEAD, "1", SURVIVOR, Map.of(), false, T, T),
                LOSER, new MarketingRecord(ObjectType.LEAD, "2", LOSER, Map.of(), true, T, T),
                CONVERTED, new MarketingRecord(ObjectType.LEAD, "3", CONVERTED, Map.of(), false, LATER, T));
        assertEquals(List.of(held), BidiStructure.toFlag(List.of(held, flagged, revived, unknown), store));
    }
}
