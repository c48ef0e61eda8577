package dev.crmsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The built-in policies and their composition per type and field. */
class ConflictPolicyTest {

    private static final CrmId ID = CrmId.of("00Q000000000001");
    private static final Instant T = Instant.parse("2024-03-01T09:00:00Z");

    private static Conflict conflict(ObjectType type, String field, FieldValue crm, FieldValue mkt, Instant crmAt,
                                     Instant mktAt) {
        return new Conflict(type, ID, "7", field, FieldValue.text("base"), crm, mkt, crmAt, mktAt);
    }

    private static Conflict conflict(ObjectType type, String field) {
        return conflict(type, field, FieldValue.text("crm"), FieldValue.text("mkt"), T, T);
    }

    @Test
    void marketoDefaultsGiveLeadsToMarketingAndContactsToTheCrm() {
        ConflictPolicy p = ConflictPolicy.marketoDefaults();
        assertEquals(Resolution.MARKETING, p.resolve(conflict(ObjectType.LEAD, "Title")));
        assertEquals(Resolution.CRM, p.resolve(conflict(ObjectType.CONTACT, "Title")));
    }

    @Test
    void marketoDefaultsGiveCampaignsAndMembersToTheCrm() {
        ConflictPolicy p = ConflictPolicy.marketoDefaults();
        assertEquals(Resolution.CRM, p.resolve(conflict(ObjectType.CAMPAIGN, "Status")));
        assertEquals(Resolution.CRM, p.resolve(conflict(ObjectType.CAMPAIGN_MEMBER, "Status")));
    }

    @Test
    void marketoDefaultsPushCampaignTypeAndActualCostOneWay() {
        ConflictPolicy p = ConflictPolicy.marketoDefaults();
        assertEquals(FieldRule.ALWAYS_MARKETING, p.fieldRule(ObjectType.CAMPAIGN, "Type"));
        assertEquals(FieldRule.ALWAYS_MARKETING, p.fieldRule(ObjectType.CAMPAIGN, "ActualCost"));
        assertEquals(FieldRule.MERGE, p.fieldRule(ObjectType.CAMPAIGN, "Name"));
        assertEquals(FieldRule.MERGE, p.fieldRule(ObjectType.LEAD, "Type"), "only the campaign's fields");
    }

    @Test
    void crmWinsAndMarketingWinsAreConstant() {
        assertEquals(Resolution.CRM, ConflictPolicy.crmWins().resolve(conflict(ObjectType.LEAD, "Title")));
        assertEquals(Resolution.MARKETING, ConflictPolicy.marketingWins().resolve(conflict(ObjectType.CONTACT, "Title")));
    }

    @Test
    void lastWriterWinsTakesTheLaterSide() {
        ConflictPolicy p = ConflictPolicy.lastWriterWins();
        FieldValue a = FieldValue.text("a");
        FieldValue b = FieldValue.text("b");
        assertEquals(Resolution.MARKETING, p.resolve(conflict(ObjectType.LEAD, "Title", a, b, T, T.plusSeconds(1))));
        assertEquals(Resolution.CRM, p.resolve(conflict(ObjectType.LEAD, "Title", a, b, T.plusSeconds(1), T)));
    }

    @Test
    void lastWriterWinsBreaksATieForTheCrm() {
        assertEquals(Resolution.CRM, ConflictPolicy.lastWriterWins().resolve(conflict(ObjectType.LEAD, "Title")));
        assertEquals(Resolution.CRM, ConflictPolicy.twoWay().resolve(conflict(ObjectType.LEAD, "Title")));
    }

    @Test
    void manualParksEveryConflict() {
        assertInstanceOf(Resolution.Park.class, ConflictPolicy.manual().resolve(conflict(ObjectType.LEAD, "Title")));
    }

    @Test
    void preferCrmUnlessBlankFallsBackToMarketingOnlyWhenTheCrmIsBlank() {
        ConflictPolicy p = ConflictPolicy.preferCrmUnlessBlank();
        assertEquals(Resolution.CRM, p.resolve(conflict(ObjectType.LEAD, "Title")));
        assertEquals(Resolution.MARKETING, p.resolve(conflict(ObjectType.LEAD, "Title", FieldValue.text(" "),
                FieldValue.text("x"), T, T)));
        assertEquals(Resolution.MARKETING, p.resolve(conflict(ObjectType.LEAD, "Title", FieldValue.NULL,
                FieldValue.text("x"), T, T)));
        assertEquals(Resolution.CRM, p.resolve(conflict(ObjectType.LEAD, "DoNotCall", FieldValue.bool(false),
                FieldValue.bool(true), T, T)), "false is a value");
    }

    @Test
    void eachRuleNamesItsFieldRule() {
        assertEquals(FieldRule.MERGE, ConflictPolicy.crmWins().fieldRule(ObjectType.LEAD, "Title"));
        assertEquals(FieldRule.ALWAYS_CRM, ConflictPolicy.alwaysCrm().fieldRule(ObjectType.LEAD, "Title"));
        assertEquals(FieldRule.ALWAYS_MARKETING, ConflictPolicy.alwaysMarketing().fieldRule(ObjectType.LEAD, "Title"));
        assertEquals(FieldRule.PREFER_CRM_UNLESS_BLANK,
                ConflictPolicy.preferCrmUnlessBlank().fieldRule(ObjectType.LEAD, "Title"));
        assertEquals(FieldRule.TWO_WAY, ConflictPolicy.twoWay().fieldRule(ObjectType.LEAD, "Title"));
        assertEquals(FieldRule.DONT_SYNC, ConflictPolicy.dontSync().fieldRule(ObjectType.LEAD, "Title"));
        ConflictPolicy lambda = c -> Resolution.CRM;
        assertEquals(FieldRule.MERGE, lambda.fieldRule(ObjectType.LEAD, "Title"), "the default of a lambda");
    }

    @Test
    void theMostSpecificEntryDecides() {
        ConflictPolicy p = ConflictPolicy.builder()
                .fallback(ConflictPolicy.marketingWins())
                .type(ObjectType.CONTACT, ConflictPolicy.crmWins())
                .field(ObjectType.CONTACT, "Email", ConflictPolicy.alwaysCrm())
                .field(ObjectType.CONTACT, "Phone", ConflictPolicy.manual())
                .build();
        assertEquals(Resolution.MARKETING, p.resolve(conflict(ObjectType.LEAD, "Title")), "fallback");
        assertEquals(Resolution.CRM, p.resolve(conflict(ObjectType.CONTACT, "Title")), "type");
        assertInstanceOf(Resolution.Park.class, p.resolve(conflict(ObjectType.CONTACT, "Phone")), "field");
        assertEquals(FieldRule.ALWAYS_CRM, p.fieldRule(ObjectType.CONTACT, "Email"));
        assertEquals(FieldRule.MERGE, p.fieldRule(ObjectType.CONTACT, "Title"));
    }

    @Test
    void theBuilderFallsBackToMarketosDefaults() {
        ConflictPolicy p = ConflictPolicy.builder().field(ObjectType.LEAD, "Email", ConflictPolicy.dontSync()).build();
        assertEquals(Resolution.MARKETING, p.resolve(conflict(ObjectType.LEAD, "Title")));
        assertEquals(Resolution.CRM, p.resolve(conflict(ObjectType.CONTACT, "Title")));
        assertEquals(FieldRule.DONT_SYNC, p.fieldRule(ObjectType.LEAD, "Email"));
    }

    @Test
    void aBuiltPolicyDoesNotChangeWithItsBuilder() {
        ConflictPolicy.Builder b = ConflictPolicy.builder().type(ObjectType.LEAD, ConflictPolicy.crmWins());
        ConflictPolicy p = b.build();
        b.type(ObjectType.LEAD, ConflictPolicy.marketingWins());
        assertEquals(Resolution.CRM, p.resolve(conflict(ObjectType.LEAD, "Title")));
    }

    @Test
    void theBuilderRefusesOneWayTypesAndBlankFieldsNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConflictPolicy.builder().type(ObjectType.ACCOUNT, ConflictPolicy.crmWins()));
        assertTrue(e.getMessage().contains("Account"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConflictPolicy.builder().field(ObjectType.LEAD, " ", ConflictPolicy.crmWins()));
        assertTrue(e.getMessage().contains("blank"), e.getMessage());
        assertThrows(NullPointerException.class, () -> ConflictPolicy.builder().fallback(null));
        assertThrows(NullPointerException.class, () -> ConflictPolicy.builder().type(ObjectType.LEAD, null));
    }
}
