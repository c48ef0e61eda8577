package dev.crmsync.testkit.salesforce;

import static dev.crmsync.testkit.salesforce.FakeSf.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.ObjectType;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fake's describes compared field by field with a real org's. The expected fields are
 * written out here, one line each, from the real describes in {@code shared/salesforce-samples}
 * ({@code describe-account.json}, a capture; {@code describe-custom-object-whizbang.json}, a
 * client library's edited one): {@code name type length precision scale digits flags compound
 * referenceTo}, the flags being N nillable, C createable, U updateable, F filterable, S sortable,
 * G groupable, X externalId, D defaultedOnCreate, K calculated, R restrictedPicklist. Where the
 * fake differs on purpose, the difference and its reason are listed, and the test holds the fake
 * to exactly that.
 */
class RealOrgDescribeTest {

    private final FakeSf sf = FakeSf.start();

    @AfterEach
    void stop() {
        sf.close();
    }

    /** Account's standard fields in a real org (the sample org's namespaced package fields left out). */
    private static final List<String> REAL_ACCOUNT = List.of(
            "Id id 18 0 0 0 FSGD - -",
            "IsDeleted boolean 0 0 0 0 FSGD - -",
            "MasterRecordId reference 18 0 0 0 NFSG - Account",
            "Name string 255 0 0 0 CUFSG Name -",
            "Type picklist 255 0 0 0 NCUFSG - -",
            "RecordTypeId reference 18 0 0 0 NCUFSG - RecordType",
            "ParentId reference 18 0 0 0 NCUFSG - Account",
            "BillingStreet textarea 255 0 0 0 NCUFSG BillingAddress -",
            "BillingCity string 40 0 0 0 NCUFSG BillingAddress -",
            "BillingState string 80 0 0 0 NCUFSG BillingAddress -",
            "BillingPostalCode string 20 0 0 0 NCUFSG BillingAddress -",
            "BillingCountry string 80 0 0 0 NCUFSG BillingAddress -",
            "BillingLatitude double 0 18 15 0 NCUFS BillingAddress -",
            "BillingLongitude double 0 18 15 0 NCUFS BillingAddress -",
            "BillingGeocodeAccuracy picklist 40 0 0 0 NCUFSGR BillingAddress -",
            "BillingAddress address 0 0 0 0 NF - -",
            "ShippingStreet textarea 255 0 0 0 NCUFSG ShippingAddress -",
            "ShippingCity string 40 0 0 0 NCUFSG ShippingAddress -",
            "ShippingState string 80 0 0 0 NCUFSG ShippingAddress -",
            "ShippingPostalCode string 20 0 0 0 NCUFSG ShippingAddress -",
            "ShippingCountry string 80 0 0 0 NCUFSG ShippingAddress -",
            "ShippingLatitude double 0 18 15 0 NCUFS ShippingAddress -",
            "ShippingLongitude double 0 18 15 0 NCUFS ShippingAddress -",
            "ShippingGeocodeAccuracy picklist 40 0 0 0 NCUFSGR ShippingAddress -",
            "ShippingAddress address 0 0 0 0 NF - -",
            "Phone phone 40 0 0 0 NCUFSG - -",
            "Fax phone 40 0 0 0 NCUFSG - -",
            "AccountNumber string 40 0 0 0 NCUFSG - -",
            "Website url 255 0 0 0 NCUFSG - -",
            "PhotoUrl url 255 0 0 0 NFSG - -",
            "Sic string 20 0 0 0 NCUFSG - -",
            "Industry picklist 255 0 0 0 NCUFSG - -",
            "AnnualRevenue currency 0 18 0 0 NCUFS - -",
            "NumberOfEmployees int 0 0 0 8 NCUFSG - -",
            "Ownership picklist 255 0 0 0 NCUFSG - -",
            "TickerSymbol string 20 0 0 0 NCUFSG - -",
            "Description textarea 32000 0 0 0 NCU - -",
            "Rating picklist 255 0 0 0 NCUFSG - -",
            "Site string 80 0 0 0 NCUFSG - -",
            "OwnerId reference 18 0 0 0 CUFSGD - User",
            "CreatedDate datetime 0 0 0 0 FSD - -",
            "CreatedById reference 18 0 0 0 FSGD - User",
            "LastModifiedDate datetime 0 0 0 0 FSD - -",
            "LastModifiedById reference 18 0 0 0 FSGD - User",
            "SystemModstamp datetime 0 0 0 0 FSD - -",
            "LastActivityDate date 0 0 0 0 NFSG - -",
            "LastViewedDate datetime 0 0 0 0 NFS - -",
            "LastReferencedDate datetime 0 0 0 0 NFS - -",
            "Jigsaw string 20 0 0 0 NCUFSG - -",
            "JigsawCompanyId string 20 0 0 0 NFSG - -",
            "AccountSource picklist 255 0 0 0 NCUFSG - -",
            "SicDesc string 80 0 0 0 NCUFSG - -");

    /** Account picklists' values in a real org, in describe order. */
    private static final Map<String, List<String>> REAL_ACCOUNT_PICKLISTS = Map.of(
            "Type", List.of("Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller",
                    "Installation Partner", "Technology Partner", "Other"),
            "Industry", List.of("Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
                    "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
                    "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government", "Healthcare",
                    "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media", "Not For Profit",
                    "Recreation", "Retail", "Shipping", "Technology", "Telecommunications", "Transportation",
                    "Utilities", "Other"),
            "Ownership", List.of("Public", "Private", "Subsidiary", "Other"),
            "Rating", List.of("Hot", "Warm", "Cold"),
            "AccountSource", List.of("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"),
            "BillingGeocodeAccuracy", List.of("Address", "NearAddress", "Block", "Street", "ExtendedZip", "Zip",
                    "Neighborhood", "City", "County", "State", "Unknown"),
            "ShippingGeocodeAccuracy", List.of("Address", "NearAddress", "Block", "Street", "ExtendedZip", "Zip",
                    "Neighborhood", "City", "County", "State", "Unknown"));

    /** Where the fake's Account differs on purpose: the fake's line, and why. */
    private static final Map<String, String[]> ACCOUNT_DIFFERENCES = Map.of(
            "Name", new String[] {"Name string 255 0 0 0 CUFSG - -",
                "the sample org has person accounts (Name is the compound of a person's name there); "
                        + "the fake has none"});

    /** The custom object {@code Whizbang} of the edited sample (its field names without {@code __c}, as the sample has them). */
    private static final List<String> REAL_WHIZBANG = List.of(
            "Id id 18 0 0 0 FSGD - -",
            "OwnerId reference 18 0 0 0 CUFSGD - Group,User",
            "IsDeleted boolean 0 0 0 0 FSGD - -",
            "Name string 80 0 0 0 NCUFSGD - -",
            "CreatedDate datetime 0 0 0 0 FSD - -",
            "CreatedById reference 18 0 0 0 FSGD - User",
            "LastModifiedDate datetime 0 0 0 0 FSD - -",
            "LastModifiedById reference 18 0 0 0 FSGD - User",
            "SystemModstamp datetime 0 0 0 0 FSD - -",
            "Auto_Number string 30 0 0 0 FSD - -",
            "Checkbox_Field boolean 0 0 0 0 CUFSGD - -",
            "Currency_Field currency 0 18 0 0 NCUFS - -",
            "Date_Field date 0 0 0 0 NCUFSG - -",
            "DateTime_Field datetime 0 0 0 0 NCUFS - -",
            "Email_Field email 80 0 0 0 NCUFSG - -",
            "Number_Field double 0 18 0 0 NCUFS - -",
            "Percent_Field percent 0 18 0 0 NCUFS - -",
            "Phone_Field phone 40 0 0 0 NCUFSG - -",
            "Picklist_Field picklist 255 0 0 0 NCUFSG - -",
            "Picklist_Multiselect_Field multipicklist 4099 0 0 0 NCUF - -",
            "Dependent_Picklist_Field picklist 255 0 0 0 NCUFSG - -",
            "Text_Field string 80 0 0 0 NCUFSG - -",
            "TextArea_Field textarea 255 0 0 0 NCUFSG - -",
            "TextAreaLong_Field textarea 32768 0 0 0 NCU - -",
            "TextAreaRich_Field textarea 32768 0 0 0 NCU - -",
            "URL_Field url 255 0 0 0 NCUFSG - -",
            "OtherDateTime_Field datetime 0 0 0 0 NCUFS - -",
            "CreateableButNotUpdateableField datetime 0 0 0 0 NCFS - -",
            "UpdateableButNotCreateableField datetime 0 0 0 0 NUFS - -");

    /** Where the fake's custom object differs on purpose. */
    private static final Map<String, String[]> WHIZBANG_DIFFERENCES = Map.of(
            "OwnerId", new String[] {"OwnerId reference 18 0 0 0 CUFSGD - User",
                "the fake has no queues (Group), so a custom object's owner is always a user"},
            "Auto_Number", new String[] {"Auto_Number string 30 0 0 0 FSGD - -",
                "a field schema has no auto-number flag: the fake describes it as read-only text, which can be grouped"});

    /** The Whizbang fields as an integrator defines them on the fake's CRM (what an org's setup holds). */
    private static List<FieldSchema> whizbangFields() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(FieldSchema.builder("Name", FieldType.STRING).length(80).defaultedOnCreate(true).build());
        f.add(FieldSchema.builder("Auto_Number", FieldType.STRING).length(30).createable(false).updateable(false)
                .nillable(false).defaultedOnCreate(true).build());
        f.add(FieldSchema.of("Checkbox_Field", FieldType.BOOLEAN));
        f.add(FieldSchema.builder("Currency_Field", FieldType.CURRENCY).precision(18, 0).build());
        f.add(FieldSchema.of("Date_Field", FieldType.DATE));
        f.add(FieldSchema.of("DateTime_Field", FieldType.DATETIME));
        f.add(FieldSchema.builder("Email_Field", FieldType.EMAIL).length(80).build());
        f.add(FieldSchema.builder("Number_Field", FieldType.DOUBLE).precision(18, 0).build());
        f.add(FieldSchema.builder("Percent_Field", FieldType.PERCENT).precision(18, 0).build());
        f.add(FieldSchema.builder("Phone_Field", FieldType.PHONE).length(40).build());
        f.add(FieldSchema.builder("Picklist_Field", FieldType.PICKLIST).picklist(List.of("one", "two", "three"), false)
                .build());
        f.add(FieldSchema.builder("Picklist_Multiselect_Field", FieldType.MULTIPICKLIST).length(4099)
                .picklist(List.of("four", "five", "six"), false).build());
        f.add(FieldSchema.builder("Dependent_Picklist_Field", FieldType.PICKLIST).build());
        f.add(FieldSchema.builder("Text_Field", FieldType.STRING).length(80).build());
        f.add(FieldSchema.builder("TextArea_Field", FieldType.TEXTAREA).length(255).build());
        f.add(FieldSchema.builder("TextAreaLong_Field", FieldType.TEXTAREA).length(32_768).build());
        f.add(FieldSchema.builder("TextAreaRich_Field", FieldType.TEXTAREA).length(32_768).build());
        f.add(FieldSchema.builder("URL_Field", FieldType.URL).length(255).build());
        f.add(FieldSchema.of("OtherDateTime_Field", FieldType.DATETIME));
        f.add(FieldSchema.builder("CreateableButNotUpdateableField", FieldType.DATETIME).updateable(false).build());
        f.add(FieldSchema.builder("UpdateableButNotCreateableField", FieldType.DATETIME).createable(false).build());
        return f;
    }

    private JsonNode describe(String type) {
        HttpResponse<String> r = sf.get(sf.v("/sobjects/" + type + "/describe"));
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    /** One describe field as a line of the tables above. */
    private static String line(JsonNode f) {
        StringBuilder flags = new StringBuilder();
        String[][] keys = {{"N", "nillable"}, {"C", "createable"}, {"U", "updateable"}, {"F", "filterable"},
            {"S", "sortable"}, {"G", "groupable"}, {"X", "externalId"}, {"D", "defaultedOnCreate"},
            {"K", "calculated"}, {"R", "restrictedPicklist"}};
        for (String[] k : keys) {
            if (f.path(k[1]).asBoolean()) {
                flags.append(k[0]);
            }
        }
        List<String> refs = new ArrayList<>();
        f.path("referenceTo").forEach(x -> refs.add(x.asText()));
        String compound = f.path("compoundFieldName").isNull() || f.path("compoundFieldName").isMissingNode()
                ? "-" : f.path("compoundFieldName").asText();
        return String.join(" ", f.path("name").asText(), f.path("type").asText(), f.path("length").asText(),
                f.path("precision").asText(), f.path("scale").asText(), f.path("digits").asText(),
                flags.isEmpty() ? "-" : flags.toString(), compound, refs.isEmpty() ? "-" : String.join(",", refs));
    }

    private static Map<String, String> lines(JsonNode describe) {
        Map<String, String> out = new LinkedHashMap<>();
        describe.path("fields").forEach(f -> out.put(f.path("name").asText(), line(f)));
        return out;
    }

    /**
     * The fake's fields against the real ones: each real field is there with the real attributes,
     * or with exactly the listed difference; the fake has no field the real describe lacks.
     */
    private static void compare(List<String> real, Map<String, String[]> differences, Map<String, String> fake) {
        Map<String, String> mismatches = new TreeMap<>();
        Set<String> realNames = new java.util.HashSet<>();
        for (String expected : real) {
            String name = expected.substring(0, expected.indexOf(' '));
            realNames.add(name);
            String want = differences.containsKey(name) ? differences.get(name)[0] : expected;
            String got = fake.get(name);
            if (!want.equals(got)) {
                mismatches.put(name, "want " + want + " | got " + got);
            }
        }
        fake.keySet().stream().filter(n -> !realNames.contains(n))
                .forEach(n -> mismatches.put(n, "not in the real describe: " + fake.get(n)));
        assertEquals(Map.of(), mismatches);
        List<String> order = real.stream().map(l -> l.substring(0, l.indexOf(' '))).toList();
        assertEquals(order, List.copyOf(fake.keySet()), "the fields in a real org's describe order");
    }

    @Test
    void accountIsDescribedAsARealOrgDescribesIt() {
        JsonNode d = describe("Account");
        compare(REAL_ACCOUNT, ACCOUNT_DIFFERENCES, lines(d));
        Map<String, List<String>> picklists = new LinkedHashMap<>();
        d.path("fields").forEach(f -> {
            if (f.path("type").asText().equals("picklist")) {
                List<String> values = new ArrayList<>();
                f.path("picklistValues").forEach(v -> values.add(v.path("value").asText()));
                picklists.put(f.path("name").asText(), values);
            }
        });
        assertEquals(REAL_ACCOUNT_PICKLISTS, picklists);
    }

    @Test
    void aCustomObjectIsDescribedAsARealOrgDescribesIt() {
        sf.crm.defineType(ObjectType.of("Whizbang__c"), whizbangFields());
        JsonNode d = describe("Whizbang__c");
        compare(REAL_WHIZBANG, WHIZBANG_DIFFERENCES, lines(d));
        assertTrue(d.path("custom").asBoolean());
        assertEquals(3, d.path("keyPrefix").asText().length());
        masterRecordTypeOnly(d);
    }

    @Test
    void recordTypeInfosHoldTheMasterRecordType() {
        // the sample org has a second, custom record type too; the fake's objects have only Master
        masterRecordTypeOnly(describe("Account"));
        for (String type : List.of("Lead", "Contact", "Opportunity", "Campaign", "CampaignMember", "Task", "Event")) {
            masterRecordTypeOnly(describe(type));
        }
        assertEquals(0, describe("User").path("recordTypeInfos").size(), "User has no record types");
    }

    private static void masterRecordTypeOnly(JsonNode d) {
        JsonNode infos = d.path("recordTypeInfos");
        assertEquals(1, infos.size(), d.path("name").asText());
        JsonNode m = infos.get(0);
        assertEquals("012000000000000AAA", m.path("recordTypeId").asText());
        assertEquals("Master", m.path("developerName").asText());
        assertTrue(m.path("master").asBoolean() && m.path("available").asBoolean() && m.path("active").asBoolean()
                && m.path("defaultRecordTypeMapping").asBoolean());
        assertTrue(m.path("urls").path("layout").asText().endsWith("/describe/layouts/012000000000000AAA"));
    }

    /**
     * The objects no real describe sample exists for: each carries Id, IsDeleted, SystemModstamp,
     * the four audit fields (read-only, never null) and the standard fields the REST reference
     * names for it.
     */
    @Test
    void theOtherStandardObjectsCarryTheSystemAuditAndReferencedFields() {
        Map<String, List<String>> named = Map.of(
                "Lead", List.of("MasterRecordId", "IsConverted", "ConvertedContactId", "ConvertedAccountId",
                        "ConvertedOpportunityId", "OwnerId", "Address", "Street", "Latitude", "GeocodeAccuracy"),
                "Contact", List.of("MasterRecordId", "AccountId", "OwnerId", "MailingAddress", "MailingLatitude"),
                "Opportunity", List.of("AccountId", "OwnerId"),
                "Campaign", List.of("OwnerId"),
                "CampaignMember", List.of("CampaignId", "LeadId", "ContactId"),
                "Task", List.of("WhoId", "WhatId", "OwnerId", "IsArchived"),
                "Event", List.of("WhoId", "WhatId", "OwnerId", "IsArchived"),
                "User", List.of("Username", "IsActive"));
        for (Map.Entry<String, List<String>> e : named.entrySet()) {
            Map<String, String> fields = lines(describe(e.getKey()));
            assertEquals("Id id 18 0 0 0 FSGD - -", fields.get("Id"), e.getKey());
            assertEquals("IsDeleted boolean 0 0 0 0 FSGD - -", fields.get("IsDeleted"), e.getKey());
            assertEquals("SystemModstamp datetime 0 0 0 0 FSD - -", fields.get("SystemModstamp"), e.getKey());
            assertEquals("CreatedDate datetime 0 0 0 0 FSD - -", fields.get("CreatedDate"), e.getKey());
            assertEquals("LastModifiedDate datetime 0 0 0 0 FSD - -", fields.get("LastModifiedDate"), e.getKey());
            assertEquals("CreatedById reference 18 0 0 0 FSGD - User", fields.get("CreatedById"), e.getKey());
            assertEquals("LastModifiedById reference 18 0 0 0 FSGD - User", fields.get("LastModifiedById"),
                    e.getKey());
            for (String name : e.getValue()) {
                assertTrue(fields.containsKey(name), e.getKey() + " lacks " + name);
            }
        }
        // compounds and their components as on Account
        Map<String, String> lead = lines(describe("Lead"));
        assertEquals("Street textarea 255 0 0 0 NCUFSG Address -", lead.get("Street"));
        assertEquals("Latitude double 0 18 15 0 NCUFS Address -", lead.get("Latitude"));
        assertEquals("Address address 0 0 0 0 NF - -", lead.get("Address"));
        assertEquals("MailingAddress address 0 0 0 0 NF - -", lines(describe("Contact")).get("MailingAddress"));
    }
}
