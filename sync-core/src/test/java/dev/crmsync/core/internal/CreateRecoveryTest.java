package dev.crmsync.core.internal;

import static dev.crmsync.core.internal.StageFixtures.T;
import static dev.crmsync.core.internal.StageFixtures.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.internal.CreateRecovery.Match;
import dev.crmsync.core.internal.CreateRecovery.MemberClaim;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.ValueFingerprint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The create-recovery matchers: which marketing record a CRM record unknown to the store was created for. */
class CreateRecoveryTest {

    private static final CrmId CAMPAIGN = CrmId.of("701000000000001");
    private static final CrmId OTHER_CAMPAIGN = CrmId.of("701000000000002");
    private static final CrmId LEAD = CrmId.of("00Q000000000001");
    private static final CrmId OTHER_LEAD = CrmId.of("00Q000000000002");
    private static final CrmId MEMBER = CrmId.of("00v000000000001");

    private static SyncRecord crmMember(CrmId campaign, CrmId lead, String status) {
        Map<String, FieldValue> f = new LinkedHashMap<>();
        f.put(MemberCreates.CAMPAIGN_ID, FieldValue.ref(campaign));
        f.put(MemberCreates.LEAD_ID, lead == null ? FieldValue.NULL : FieldValue.ref(lead));
        f.put("Status", FieldValue.text(status));
        return new SyncRecord(ObjectType.CAMPAIGN_MEMBER, MEMBER, f, T, false);
    }

    private static MarketingRecord member(String marketingId) {
        return new MarketingRecord(ObjectType.CAMPAIGN_MEMBER, marketingId, null, Map.of(), false, null, T);
    }

    private static Map<String, ValueFingerprint> sent(CrmId campaign, CrmId lead, String status) {
        Map<String, ValueFingerprint> s = new LinkedHashMap<>();
        s.put(MemberCreates.CAMPAIGN_ID, ValueFingerprint.of(FieldValue.ref(campaign)));
        s.put(MemberCreates.LEAD_ID, ValueFingerprint.of(FieldValue.ref(lead)));
        s.put("Status", ValueFingerprint.of(FieldValue.text(status)));
        return s;
    }

    private static MemberClaim created(String mid, String status) {
        return new MemberClaim(member(mid), CAMPAIGN, MemberCreates.LEAD_ID, LEAD, sent(CAMPAIGN, LEAD, status));
    }

    private static MemberClaim duplicate(String mid) {
        return new MemberClaim(member(mid), CAMPAIGN, MemberCreates.LEAD_ID, LEAD, null);
    }

    @Test
    void aPersonRecordHoldingEveryValueTheCreateSendsIsThatCreatesRecord() {
        SyncRecord c = StageFixtures.crm(v("A", "a", "Short", "s", "Extra", "x"), T);
        assertTrue(CreateRecovery.madeBy(c, v("A", "a", "Short", "s")));
    }

    @Test
    void aPersonRecordMissingOneValueTheCreateSendsIsNotItsRecord() {
        SyncRecord c = StageFixtures.crm(v("A", "a", "Short", "edited"), T);
        assertFalse(CreateRecovery.madeBy(c, v("A", "a", "Short", "s")));
    }

    @Test
    void aRecordThatCannotBeCreatedMatchesNoCrmRecord() {
        assertFalse(CreateRecovery.madeBy(StageFixtures.crm(v("A", "a"), T), null));
    }

    @Test
    void theMemberWhoseCreateSentEveryValueTheCrmMemberHoldsWins() {
        MemberClaim partly = created("m1", "Sent");
        MemberClaim fully = created("m2", "Responded");
        Match m = CreateRecovery.bestMember(crmMember(CAMPAIGN, LEAD, "Responded"), List.of(partly, fully));
        assertSame(fully.record(), assertInstanceOf(Match.LostCreate.class, m).record());
    }

    @Test
    void aCreateComesBeforeADuplicateOfTheSameMember() {
        MemberClaim dup = duplicate("m1");
        MemberClaim create = created("m2", "Edited since by a CRM user");
        Match m = CreateRecovery.bestMember(crmMember(CAMPAIGN, LEAD, "Responded"), List.of(dup, create));
        Match.LostCreate lost = assertInstanceOf(Match.LostCreate.class, m);
        assertSame(create.record(), lost.record());
        assertEquals(create.sent(), lost.sent());
    }

    @Test
    void aDuplicateMatchesWhenNoCreateDoes() {
        MemberClaim dup = duplicate("m1");
        Match m = CreateRecovery.bestMember(crmMember(CAMPAIGN, LEAD, "Responded"), List.of(dup));
        assertSame(dup.record(), assertInstanceOf(Match.Duplicate.class, m).record());
    }

    @Test
    void amongEqualClaimsTheFirstWins() {
        MemberClaim first = created("m1", "Sent");
        MemberClaim second = created("m2", "Sent");
        Match m = CreateRecovery.bestMember(crmMember(CAMPAIGN, LEAD, "Sent"), List.of(first, second));
        assertSame(first.record(), assertInstanceOf(Match.LostCreate.class, m).record());
    }

    @Test
    void aMemberOfAnotherCampaignOrPersonMatchesNothing() {
        List<MemberClaim> claims = List.of(created("m1", "Sent"), duplicate("m2"));
        assertInstanceOf(Match.None.class, CreateRecovery.bestMember(crmMember(OTHER_CAMPAIGN, LEAD, "Sent"), claims));
        assertInstanceOf(Match.None.class, CreateRecovery.bestMember(crmMember(CAMPAIGN, OTHER_LEAD, "Sent"), claims));
    }

    @Test
    void aCrmMemberWithoutTheLeadReferenceTheCreateSentIsNotItsRecord() {
        // a contact's own membership: the claim's person matches through ContactId, but the create sent a LeadId
        MemberClaim claim = new MemberClaim(member("m1"), CAMPAIGN, MemberCreates.CONTACT_ID, LEAD,
                sent(CAMPAIGN, LEAD, "Sent"));
        Map<String, FieldValue> f = new LinkedHashMap<>();
        f.put(MemberCreates.CAMPAIGN_ID, FieldValue.ref(CAMPAIGN));
        f.put(MemberCreates.CONTACT_ID, FieldValue.ref(LEAD));
        f.put("Status", FieldValue.text("Sent"));
        SyncRecord contactsOwn = new SyncRecord(ObjectType.CAMPAIGN_MEMBER, MEMBER, f, T, false);
        assertInstanceOf(Match.None.class, CreateRecovery.bestMember(contactsOwn, List.of(claim)));
    }

    @Test
    void theBaseOfALostCreateIsTheSentValueOnWhicheverSideStillHoldsIt() {
        Map<String, ValueFingerprint> sent = Map.of("A", ValueFingerprint.of(FieldValue.text("a")),
                "Short", ValueFingerprint.of(FieldValue.text("s")));
        Map<String, FieldValue> base = CreateRecovery.sentBase(List.of("A", "Short"),
                StageFixtures.crm(v("A", "a", "Short", "crm edit"), T), StageFixtures.mkt(v("A", "host edit", "Short", "s")),
                sent);
        assertEquals(v("A", "a", "Short", "s"), base);
    }

    @Test
    void aDefaultTheCreateFilledIsLeftForTheStoreToTake() {
        Map<String, ValueFingerprint> sent = Map.of("A", ValueFingerprint.of(FieldValue.text("[not provided]")));
        Map<String, FieldValue> base = CreateRecovery.sentBase(List.of("A"),
                StageFixtures.crm(v("A", "[not provided]"), T), StageFixtures.mkt(v("A", null)), sent);
        assertTrue(base.isEmpty(), "a blank base: the merge sends the CRM's value to the store");
    }

    @Test
    void aFieldChangedOnBothSidesSinceTheCreateGetsABaseEqualToNeither() {
        Map<String, ValueFingerprint> sent = Map.of("A", ValueFingerprint.of(FieldValue.text("a")));
        Map<String, FieldValue> base = CreateRecovery.sentBase(List.of("A"),
                StageFixtures.crm(v("A", "crm edit"), T), StageFixtures.mkt(v("A", "host edit")), sent);
        FieldValue b = base.get("A");
        assertFalse(b.equals(FieldValue.text("crm edit")) || b.equals(FieldValue.text("host edit")) || b.isNull());
    }
}
