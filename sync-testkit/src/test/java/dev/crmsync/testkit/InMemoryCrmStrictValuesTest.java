package dev.crmsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fake refuses what Salesforce refuses, per describe, with Salesforce's codes: one test per
 * bad value (issue 10). Before, it took {@code 1e23}, {@code 2^31}, {@code 1.5} in an integer
 * field, a malformed e-mail, an unknown restricted picklist value and {@code 1E+400}.
 */
class InMemoryCrmStrictValuesTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2024-06-01T12:00:00Z"));
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(3).build();
    private CrmId lead;

    @BeforeEach
    void schema() {
        crm.addField(ObjectType.LEAD, FieldSchema.builder("Score__c", FieldType.DOUBLE).precision(5, 2).build());
        crm.addField(ObjectType.LEAD, FieldSchema.of("Due__c", FieldType.DATE));
        crm.addField(ObjectType.LEAD, FieldSchema.of("Seen__c", FieldType.DATETIME));
        crm.addField(ObjectType.LEAD, FieldSchema.builder("Tier__c", FieldType.PICKLIST)
                .picklist(List.of("Gold", "Silver"), true).build());
        crm.addField(ObjectType.LEAD, FieldSchema.builder("Tags__c", FieldType.MULTIPICKLIST)
                .picklist(List.of("a", "b"), true).build());
        crm.addField(ObjectType.LEAD, FieldSchema.builder("Region__c", FieldType.STRING).nillable(false).build());
        lead = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"),
                "Company", FieldValue.text("Acme"), "Region__c", FieldValue.text("EU")));
    }

    private CrmWriteResult update(String field, FieldValue v) {
        List<CrmWriteResult> r = crm.write(ObjectType.LEAD, List.of(new CrmWrite.Update(lead, Map.of(field, v))));
        assertEquals(1, r.size());
        return r.get(0);
    }

    private static FieldValue value(String field, String raw) {
        return switch (field) {
            case "AnnualRevenue", "NumberOfEmployees", "Score__c" -> FieldValue.number(new BigDecimal(raw));
            case "Due__c" -> FieldValue.date(LocalDate.parse(raw));
            case "Seen__c" -> FieldValue.dateTime(Instant.parse(raw));
            default -> FieldValue.text(raw);
        };
    }

    @ParameterizedTest(name = "{0} = {1} -> {2}")
    @CsvSource({
            "AnnualRevenue, 1e23, NUMBER_OUTSIDE_VALID_RANGE",
            "NumberOfEmployees, 2147483648, NUMBER_OUTSIDE_VALID_RANGE",
            "NumberOfEmployees, 1.5, NUMBER_OUTSIDE_VALID_RANGE",
            "NumberOfEmployees, 123456789, NUMBER_OUTSIDE_VALID_RANGE",
            "Score__c, 1234.5, NUMBER_OUTSIDE_VALID_RANGE",
            "Due__c, 1699-12-31, FIELD_INTEGRITY_EXCEPTION",
            "Due__c, 4001-01-01, FIELD_INTEGRITY_EXCEPTION",
            "Seen__c, 4000-12-31T00:00:01Z, FIELD_INTEGRITY_EXCEPTION",
            "Email, doe-at-example.com, INVALID_EMAIL_ADDRESS",
            "Email, doe@example, INVALID_EMAIL_ADDRESS",
            "Tier__c, Platinum, INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "Tags__c, a;c, INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"})
    void aBadValueIsRejectedWithSalesforcesCodeNamingTheField(String field, String raw, String code) {
        CrmWriteResult.Rejected r = assertInstanceOf(CrmWriteResult.Rejected.class, update(field, value(field, raw)));
        assertEquals(code, r.code());
        assertEquals(List.of(field), r.fields());
        assertTrue(r.message().startsWith(field + ":"), r.message());
        assertEquals(FieldValue.NULL, crm.get(ObjectType.LEAD, lead).orElseThrow().get(field), "nothing written");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "AnnualRevenue, 123456789012345678",
            "NumberOfEmployees, 99999999",
            "Score__c, 999.999",
            "Due__c, 1700-01-01",
            "Due__c, 4000-12-31",
            "Seen__c, 4000-12-31T00:00:00Z",
            "Email, doe+x@mail.example.com",
            "Tier__c, Gold",
            "Tags__c, a;b"})
    void aValueWithinTheDescribeIsWritten(String field, String raw) {
        assertInstanceOf(CrmWriteResult.Written.class, update(field, value(field, raw)));
    }

    @Test
    void aTextTooLongIsRejected() {
        CrmWriteResult.Rejected r = assertInstanceOf(CrmWriteResult.Rejected.class,
                update("Title", FieldValue.text("x".repeat(129))));
        assertEquals("STRING_TOO_LONG", r.code());
        assertEquals(List.of("Title"), r.fields());
    }

    @Test
    void aNumberNoDoubleHoldsFailsTheWholeRequestAsSalesforcesJsonParserDoes() {
        CrmId other = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Roe"),
                "Company", FieldValue.text("Acme"), "Region__c", FieldValue.text("EU")));
        List<CrmWrite> batch = List.of(new CrmWrite.Update(other, Map.of("Title", FieldValue.text("ok"))),
                new CrmWrite.Update(lead, Map.of("AnnualRevenue", FieldValue.number(new BigDecimal("1E+400")))));
        SyncException e = assertThrows(SyncException.class, () -> crm.write(ObjectType.LEAD, batch));
        assertTrue(e.getMessage().contains("JSON_PARSER_ERROR"), e.getMessage());
        assertTrue(!e.isRetriable());
        assertEquals(FieldValue.NULL, crm.get(ObjectType.LEAD, other).orElseThrow().get("Title"),
                "nothing of the request was written");
        assertEquals(1L, crm.log().count(CrmOperation.WRITE), "counted as a call");
    }

    @ParameterizedTest
    @CsvSource({"-5000", "99999"})
    void aDateWithoutAFourDigitYearFailsTheWholeRequest(int year) {
        SyncException e = assertThrows(SyncException.class,
                () -> update("Due__c", FieldValue.date(LocalDate.of(year, 1, 1))));
        assertTrue(e.getMessage().contains("JSON_PARSER_ERROR"), e.getMessage());
    }

    @Test
    void aCreateWithoutAFieldTheDescribeRequiresIsRejected() {
        Map<String, FieldValue> f = new HashMap<>(Map.of("LastName", FieldValue.text("Roe"),
                "Company", FieldValue.text("Acme")));
        CrmWriteResult.Rejected r = assertInstanceOf(CrmWriteResult.Rejected.class,
                crm.write(ObjectType.LEAD, List.of(new CrmWrite.Create("ref", f))).get(0));
        assertEquals("REQUIRED_FIELD_MISSING", r.code());
        assertEquals(List.of("Region__c"), r.fields());
        f.put("Region__c", FieldValue.text("EU"));
        assertInstanceOf(CrmWriteResult.Written.class, crm.write(ObjectType.LEAD,
                List.of(new CrmWrite.Create("ref", f))).get(0));
    }

    @Test
    void theDescribeCarriesTheNewFacts() {
        FieldSchema score = crm.describe(ObjectType.LEAD).orElseThrow().field("Score__c").orElseThrow();
        assertEquals(5, score.precision());
        assertEquals(2, score.scale());
        FieldSchema tier = crm.describe(ObjectType.LEAD).orElseThrow().field("Tier__c").orElseThrow();
        assertTrue(tier.restrictedPicklist());
        assertEquals(List.of("Gold", "Silver"), tier.picklistValues());
        FieldSchema last = crm.describe(ObjectType.LEAD).orElseThrow().field("LastName").orElseThrow();
        assertTrue(last.requiredOnCreate());
        FieldSchema employees = crm.describe(ObjectType.LEAD).orElseThrow().field("NumberOfEmployees").orElseThrow();
        assertEquals(8, employees.precision());
    }
}
