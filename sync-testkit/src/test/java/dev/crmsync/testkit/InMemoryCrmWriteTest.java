package dev.crmsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** API writes: per-record results and the Salesforce status codes of each rejection. */
class InMemoryCrmWriteTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2024-06-01T12:00:00Z"));
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(3).build();

    private static Map<String, FieldValue> lead(String last) {
        return Map.of("LastName", FieldValue.text(last), "Company", FieldValue.text("Acme"));
    }

    private CrmWriteResult one(ObjectType type, CrmWrite w) {
        List<CrmWriteResult> r = crm.write(type, List.of(w));
        assertEquals(1, r.size());
        return r.get(0);
    }

    private CrmWriteResult.Rejected rejected(ObjectType type, CrmWrite w) {
        return assertInstanceOf(CrmWriteResult.Rejected.class, one(type, w));
    }

    private CrmWriteResult.Written written(ObjectType type, CrmWrite w) {
        return assertInstanceOf(CrmWriteResult.Written.class, one(type, w));
    }

    private static CrmWrite create(Map<String, FieldValue> f) {
        return new CrmWrite.Create("ref", f);
    }

    private static CrmWrite update(CrmId id, String field, FieldValue v) {
        return new CrmWrite.Update(id, Map.of(field, v));
    }

    @Test
    void createsOfOneBatchShareAStampAndGetIncreasingIds() {
        clock.advance(Duration.ofMillis(400));
        List<CrmWriteResult> r = crm.write(ObjectType.LEAD, List.of(create(lead("A")), create(lead("B"))));
        CrmWriteResult.Written a = assertInstanceOf(CrmWriteResult.Written.class, r.get(0));
        CrmWriteResult.Written b = assertInstanceOf(CrmWriteResult.Written.class, r.get(1));
        assertEquals(Instant.parse("2024-06-01T12:00:00Z"), a.modstamp());
        assertEquals(a.modstamp(), b.modstamp());
        assertTrue(a.id().compareTo(b.id()) < 0);
    }

    @Test
    void createGetsPicklistAndCheckboxDefaults() {
        CrmId id = written(ObjectType.LEAD, create(lead("A"))).id();
        var r = crm.get(ObjectType.LEAD, id).orElseThrow();
        assertEquals(FieldValue.text("Open - Not Contacted"), r.get("Status"));
        assertEquals(FieldValue.bool(false), r.get("IsConverted"));
        assertEquals(FieldValue.bool(false), r.get("DoNotCall"));
    }

    @Test
    void checkboxSetToNullBecomesFalse() {
        CrmId id = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("A"), "DoNotCall", FieldValue.bool(true)));
        written(ObjectType.LEAD, update(id, "DoNotCall", FieldValue.NULL));
        assertEquals(FieldValue.bool(false), crm.get(ObjectType.LEAD, id).orElseThrow().get("DoNotCall"));
    }

    @Test
    void unknownFieldIsInvalidField() {
        CrmWriteResult.Rejected r = rejected(ObjectType.LEAD, create(Map.of("LastName", FieldValue.text("A"),
                "Company", FieldValue.text("C"), "Nope__c", FieldValue.text("x"))));
        assertEquals("INVALID_FIELD", r.code());
        assertEquals(List.of("Nope__c"), r.fields());
    }

    @Test
    void hiddenFieldIsInvalidField() {
        crm.hideField(ObjectType.LEAD, "Title");
        Map<String, FieldValue> f = new HashMap<>(lead("A"));
        f.put("Title", FieldValue.text("x"));
        assertEquals("INVALID_FIELD", rejected(ObjectType.LEAD, create(f)).code());
    }

    @Test
    void createOnlyFieldCannotBeUpdated() {
        CrmId campaign = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("C")));
        CrmId other = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("D")));
        CrmId lead = crm.insert(ObjectType.LEAD, lead("A"));
        CrmId member = written(ObjectType.CAMPAIGN_MEMBER, create(Map.of("CampaignId", FieldValue.ref(campaign),
                "LeadId", FieldValue.ref(lead)))).id();
        CrmWriteResult.Rejected r = rejected(ObjectType.CAMPAIGN_MEMBER, update(member, "CampaignId", FieldValue.ref(other)));
        assertEquals("INVALID_FIELD_FOR_INSERT_UPDATE", r.code());
        assertEquals(List.of("CampaignId"), r.fields());
    }

    @Test
    void calculatedFieldCannotBeWritten() {
        CrmId id = written(ObjectType.CAMPAIGN, create(Map.of("Name", FieldValue.text("C")))).id();
        assertEquals("INVALID_FIELD_FOR_INSERT_UPDATE",
                rejected(ObjectType.CAMPAIGN, update(id, "NumberOfLeads", FieldValue.number(3))).code());
    }

    @Test
    void wrongValueTypeIsInvalidTypeOnField() {
        CrmId id = crm.insert(ObjectType.LEAD, lead("A"));
        CrmWriteResult.Rejected r = rejected(ObjectType.LEAD, update(id, "NumberOfEmployees", FieldValue.text("many")));
        assertEquals("INVALID_TYPE_ON_FIELD_IN_RECORD", r.code());
        assertEquals(List.of("NumberOfEmployees"), r.fields());
    }

    @Test
    void tooLongTextIsStringTooLong() {
        CrmId id = crm.insert(ObjectType.LEAD, lead("A"));
        CrmWriteResult.Rejected r = rejected(ObjectType.LEAD, update(id, "FirstName", FieldValue.text("x".repeat(41))));
        assertEquals("STRING_TOO_LONG", r.code());
        written(ObjectType.LEAD, update(id, "FirstName", FieldValue.text("x".repeat(40))));
    }

    @Test
    void blankingARequiredFieldIsRequiredFieldMissing() {
        CrmId id = crm.insert(ObjectType.LEAD, lead("A"));
        CrmWriteResult.Rejected r = rejected(ObjectType.LEAD, update(id, "Company", FieldValue.text("  ")));
        assertEquals("REQUIRED_FIELD_MISSING", r.code());
        assertEquals(List.of("Company"), r.fields());
    }

    @Test
    void contactNeedsOnlyLastName() {
        written(ObjectType.CONTACT, create(Map.of("LastName", FieldValue.text("A"))));
        assertEquals("REQUIRED_FIELD_MISSING",
                rejected(ObjectType.CONTACT, create(Map.of("FirstName", FieldValue.text("A")))).code());
    }

    @Test
    void campaignMemberNeedsALeadOrContact() {
        CrmId campaign = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("C")));
        CrmWriteResult.Rejected r = rejected(ObjectType.CAMPAIGN_MEMBER,
                create(Map.of("CampaignId", FieldValue.ref(campaign))));
        assertEquals("REQUIRED_FIELD_MISSING", r.code());
        assertEquals(List.of("LeadId", "ContactId"), r.fields());
    }

    @Test
    void addingAPersonToACampaignTwiceIsDuplicateValue() {
        CrmId campaign = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("C")));
        CrmId lead = crm.insert(ObjectType.LEAD, lead("A"));
        Map<String, FieldValue> m = Map.of("CampaignId", FieldValue.ref(campaign), "LeadId", FieldValue.ref(lead));
        written(ObjectType.CAMPAIGN_MEMBER, create(m));
        assertEquals("DUPLICATE_VALUE", rejected(ObjectType.CAMPAIGN_MEMBER, create(m)).code());
    }

    @Test
    void updateOfAnIdOfAnotherTypeIsMalformedId() {
        CrmId contact = crm.insert(ObjectType.CONTACT, Map.of("LastName", FieldValue.text("A")));
        assertEquals("MALFORMED_ID", rejected(ObjectType.LEAD, update(contact, "Title", FieldValue.text("x"))).code());
    }

    @Test
    void updateOfAnUnknownIdIsInvalidCrossReferenceKey() {
        CrmId id = crm.insert(ObjectType.LEAD, lead("A"));
        crm.delete(ObjectType.LEAD, id);
        crm.purgeRecycleBin();
        assertEquals("INVALID_CROSS_REFERENCE_KEY", rejected(ObjectType.LEAD, update(id, "Title", FieldValue.text("x"))).code());
    }

    @Test
    void updateOfADeletedRecordIsEntityIsDeleted() {
        CrmId id = crm.insert(ObjectType.LEAD, lead("A"));
        crm.delete(ObjectType.LEAD, id);
        assertEquals("ENTITY_IS_DELETED", rejected(ObjectType.LEAD, update(id, "Title", FieldValue.text("x"))).code());
    }

    @Test
    void referenceToAMissingDeletedOrWrongTypeRecordIsRejected() {
        CrmId campaign = crm.insert(ObjectType.CAMPAIGN, Map.of("Name", FieldValue.text("C")));
        CrmId lead = crm.insert(ObjectType.LEAD, lead("A"));
        crm.delete(ObjectType.LEAD, lead);
        assertEquals("ENTITY_IS_DELETED", rejected(ObjectType.CAMPAIGN_MEMBER, create(Map.of(
                "CampaignId", FieldValue.ref(campaign), "LeadId", FieldValue.ref(lead)))).code());
        assertEquals("FIELD_INTEGRITY_EXCEPTION", rejected(ObjectType.CAMPAIGN_MEMBER, create(Map.of(
                "CampaignId", FieldValue.ref(campaign), "LeadId", FieldValue.ref(campaign)))).code());
        assertEquals("INVALID_CROSS_REFERENCE_KEY", rejected(ObjectType.CAMPAIGN_MEMBER, create(Map.of(
                "CampaignId", FieldValue.ref("701000000000001"), "LeadId", FieldValue.ref(campaign)))).code());
    }

    @Test
    void validationRuleSeesTheRecordAsItWouldBeAfterTheWrite() {
        AtomicReference<Map<String, FieldValue>> seen = new AtomicReference<>();
        crm.addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "no gmail", f -> {
            seen.set(f);
            return f.getOrDefault("Email", FieldValue.NULL).asText() != null
                    && f.get("Email").asText().endsWith("@gmail.com");
        });
        CrmId id = crm.insert(ObjectType.LEAD, lead("A"));
        CrmWriteResult.Rejected r = rejected(ObjectType.LEAD, update(id, "Email", FieldValue.text("a@gmail.com")));
        assertEquals("FIELD_CUSTOM_VALIDATION_EXCEPTION", r.code());
        assertEquals("no gmail", r.message());
        assertFalse(r.retriable());
        assertEquals(FieldValue.text("A"), seen.get().get("LastName"), "the rule sees unchanged fields too");
        assertEquals(FieldValue.NULL, crm.get(ObjectType.LEAD, id).orElseThrow().get("Email"), "nothing written");
    }

    @Test
    void validationRulesDoNotApplyToCrmUserEdits() {
        crm.addValidationRule(ObjectType.LEAD, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "never", f -> true);
        crm.insert(ObjectType.LEAD, lead("A"));
        assertEquals(1, crm.count(ObjectType.LEAD));
    }

    @Test
    void duplicateRuleRejectsASecondRecordWithTheSameValue() {
        crm.addDuplicateRule(ObjectType.LEAD, "Email");
        crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("A"), "Company", FieldValue.text("C"),
                "Email", FieldValue.text("a@example.com")));
        Map<String, FieldValue> dup = new HashMap<>(lead("B"));
        dup.put("Email", FieldValue.text("A@Example.com"));
        CrmWriteResult.Rejected r = rejected(ObjectType.LEAD, create(dup));
        assertEquals("DUPLICATES_DETECTED", r.code());
        dup.put("Email", FieldValue.text("b@example.com"));
        written(ObjectType.LEAD, create(dup));
    }

    @Test
    void lockedRowFailsTheGivenNumberOfTimesRetriably() {
        CrmId id = crm.insert(ObjectType.LEAD, lead("A"));
        crm.lockRecord(id, 2);
        for (int i = 0; i < 2; i++) {
            CrmWriteResult.Rejected r = rejected(ObjectType.LEAD, update(id, "Title", FieldValue.text("x")));
            assertEquals("UNABLE_TO_LOCK_ROW", r.code());
            assertTrue(r.retriable());
        }
        written(ObjectType.LEAD, update(id, "Title", FieldValue.text("x")));
    }

    @Test
    void writeToConvertedLeadIsRejectedWhenRedirectIsOff() {
        InMemoryCrm strict = InMemoryCrm.builder().clock(clock).redirectConvertedLeadWrites(false).build();
        CrmId id = strict.insert(ObjectType.LEAD, lead("A"));
        strict.convertLead(id, null);
        CrmWriteResult r = strict.write(ObjectType.LEAD, List.of(update(id, "Title", FieldValue.text("x")))).get(0);
        assertEquals("CANNOT_UPDATE_CONVERTED_LEAD", assertInstanceOf(CrmWriteResult.Rejected.class, r).code());
    }

    @Test
    void redirectedWriteDropsLeadOnlyFields() {
        CrmId id = crm.insert(ObjectType.LEAD, lead("A"));
        CrmId contact = crm.convertLead(id, null).contactId();
        CrmWriteResult.Written w = written(ObjectType.LEAD, new CrmWrite.Update(id,
                Map.of("Company", FieldValue.text("Other"), "Title", FieldValue.text("CTO"))));
        assertEquals(contact, w.id());
        assertFalse(w.created());
        assertEquals(FieldValue.text("CTO"), crm.get(ObjectType.CONTACT, contact).orElseThrow().get("Title"));
        assertEquals(FieldValue.text("Acme"), crm.get(ObjectType.LEAD, id).orElseThrow().get("Company"));
    }

    @Test
    void batchLargerThanTheMaximumIsRefused() {
        List<CrmWrite> writes = new ArrayList<>();
        for (int i = 0; i < 201; i++) {
            writes.add(create(lead("L" + i)));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> crm.write(ObjectType.LEAD, writes));
        assertTrue(e.getMessage().contains("201"), e.getMessage());
        assertEquals(0L, crm.callCounts().get("write"), "a refused batch is not a call");
    }

    @Test
    void oneWayTypesAreNotWritable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> crm.write(ObjectType.ACCOUNT, List.of(create(Map.of("Name", FieldValue.text("A"))))));
        assertTrue(e.getMessage().contains("Account"), e.getMessage());
    }

    @Test
    void hiddenTypeFailsWritesWithInvalidType() {
        crm.hideType(ObjectType.CAMPAIGN);
        SyncException e = assertThrows(SyncException.class,
                () -> crm.write(ObjectType.CAMPAIGN, List.of(create(Map.of("Name", FieldValue.text("C"))))));
        assertTrue(e.getMessage().contains("INVALID_TYPE"), e.getMessage());
    }
}
