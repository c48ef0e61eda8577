package dev.crmsync.testkit;

import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The default schemas of the standard object types, modelled on Salesforce's describe output
 * (a realistic subset), plus the key prefixes, required fields and create-time defaults.
 */
final class StandardSchemas {

    private StandardSchemas() {
    }

    /** Key prefixes of the standard types, as Salesforce assigns them. */
    static final Map<String, String> KEY_PREFIX = Map.of(
            "Lead", "00Q", "Contact", "003", "Account", "001", "User", "005", "Opportunity", "006",
            "OpportunityContactRole", "00K", "Campaign", "701", "CampaignMember", "00v",
            "Task", "00T", "Event", "00U");

    /** Fields an API create must set (and an API update must not blank). */
    static final Map<String, List<String>> REQUIRED = Map.of(
            "Lead", List.of("LastName", "Company"),
            "Contact", List.of("LastName"),
            "Campaign", List.of("Name"),
            "CampaignMember", List.of("CampaignId"));

    /** Values a create gets when it leaves these fields empty (picklist defaults). */
    static final Map<String, Map<String, FieldValue>> CREATE_DEFAULTS = Map.of(
            "Lead", Map.of("Status", FieldValue.text("Open - Not Contacted")),
            "CampaignMember", Map.of("Status", FieldValue.text("Sent")));

    /** Lead fields copied to the Contact on conversion (same API name on both). */
    static final Set<String> LEAD_TO_CONTACT = Set.of("Salutation", "FirstName", "LastName", "Email", "Phone",
            "MobilePhone", "Title", "LeadSource", "Description", "HasOptedOutOfEmail", "DoNotCall", "OwnerId");

    /** Lead fields copied to the Account on conversion: lead field to account field. */
    static final Map<String, String> LEAD_TO_ACCOUNT = Map.of("Company", "Name", "Industry", "Industry",
            "AnnualRevenue", "AnnualRevenue", "NumberOfEmployees", "NumberOfEmployees", "Website", "Website",
            "Phone", "Phone", "Street", "BillingStreet", "City", "BillingCity", "State", "BillingState",
            "Country", "BillingCountry");

    /** Lead address fields copied to the Contact's mailing address on conversion. */
    static final Map<String, String> LEAD_TO_CONTACT_ADDRESS = Map.of("Street", "MailingStreet",
            "City", "MailingCity", "State", "MailingState", "PostalCode", "MailingPostalCode",
            "Country", "MailingCountry");

    /**
     * Precision and scale of the standard number fields, as Salesforce's describe gives them
     * ({@code precision}/{@code scale}; for {@code int} fields {@code digits}).
     */
    private static final Map<String, int[]> PRECISION = Map.of(
            "AnnualRevenue", new int[] {18, 0}, "NumberOfEmployees", new int[] {8, 0},
            "Amount", new int[] {16, 2}, "Probability", new int[] {3, 0}, "ExpectedResponse", new int[] {10, 2},
            "NumberSent", new int[] {18, 0}, "CallDurationInSeconds", new int[] {9, 0},
            "DurationInMinutes", new int[] {8, 0}, "NumberOfLeads", new int[] {9, 0},
            "NumberOfContacts", new int[] {9, 0});

    /**
     * The standard fields of a type with the describe facts Salesforce gives them: required
     * fields are not nillable, fields a create fills are defaulted on create (so are checkboxes,
     * which are never nillable), numbers carry their precision and scale.
     */
    static List<FieldSchema> fieldsOf(ObjectType type) {
        List<String> required = REQUIRED.getOrDefault(type.apiName(), List.of());
        Map<String, FieldValue> defaults = CREATE_DEFAULTS.getOrDefault(type.apiName(), Map.of());
        List<FieldSchema> out = new ArrayList<>();
        for (FieldSchema f : baseFieldsOf(type)) {
            FieldSchema.Builder b = f.toBuilder();
            int[] ps = PRECISION.get(f.name());
            if (ps != null) {
                b.precision(ps[0], ps[1]);
            }
            if (f.type() == FieldType.BOOLEAN) {
                b.nillable(false).defaultedOnCreate(true);
            } else if (defaults.containsKey(f.name())) {
                b.nillable(false).defaultedOnCreate(true);
            } else if (required.contains(f.name())) {
                b.nillable(false);
            }
            out.add(b.build());
        }
        return out;
    }

    private static List<FieldSchema> baseFieldsOf(ObjectType type) {
        return switch (type.apiName()) {
            case "Lead" -> lead();
            case "Contact" -> contact();
            case "Account" -> account();
            case "User" -> user();
            case "Opportunity" -> opportunity();
            case "OpportunityContactRole" -> opportunityContactRole();
            case "Campaign" -> campaign();
            case "CampaignMember" -> campaignMember();
            case "Task" -> task();
            case "Event" -> event();
            default -> throw new IllegalArgumentException("no standard schema for " + type);
        };
    }

    // ---- field builders -------------------------------------------------------------------

    private static FieldSchema rw(String name, FieldType type, int length) {
        return new FieldSchema(name, type, true, true, true, false, length, List.of());
    }

    private static FieldSchema text(String name, int length) {
        return rw(name, FieldType.STRING, length);
    }

    private static FieldSchema pick(String name) {
        return rw(name, FieldType.PICKLIST, 255);
    }

    private static FieldSchema of(String name, FieldType type) {
        return rw(name, type, switch (type) {
            case EMAIL -> 80;
            case PHONE -> 40;
            case URL -> 255;
            case TEXTAREA -> 32_000;
            default -> 0;
        });
    }

    private static FieldSchema ref(String name, String... to) {
        return new FieldSchema(name, FieldType.REFERENCE, true, true, true, false, 18, List.of(to));
    }

    /** A reference set on create and never changed afterwards (master-detail style). */
    private static FieldSchema refCreateOnly(String name, String... to) {
        return new FieldSchema(name, FieldType.REFERENCE, true, true, false, false, 18, List.of(to));
    }

    /** A system field: readable, never createable or updateable through the API. */
    private static FieldSchema system(String name, FieldType type, String... to) {
        return new FieldSchema(name, type, true, false, false, false, type == FieldType.REFERENCE ? 18 : 0,
                List.of(to));
    }

    /** A formula or roll-up field: readable, calculated, never written. */
    private static FieldSchema formula(String name, FieldType type) {
        return new FieldSchema(name, type, true, false, false, true, 0, List.of());
    }

    private static FieldSchema compound(String name, FieldType type) {
        return new FieldSchema(name, type, true, false, false, false, 0, List.of());
    }

    // ---- the schemas -----------------------------------------------------------------------

    private static List<FieldSchema> lead() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(pick("Salutation"));
        f.add(text("FirstName", 40));
        f.add(text("LastName", 80));
        f.add(text("Company", 255));
        f.add(of("Email", FieldType.EMAIL));
        f.add(of("Phone", FieldType.PHONE));
        f.add(of("MobilePhone", FieldType.PHONE));
        f.add(text("Title", 128));
        f.add(pick("Status"));
        f.add(pick("LeadSource"));
        f.add(pick("Industry"));
        f.add(pick("Rating"));
        f.add(of("AnnualRevenue", FieldType.CURRENCY));
        f.add(of("NumberOfEmployees", FieldType.INT));
        f.add(of("Website", FieldType.URL));
        f.add(of("Street", FieldType.TEXTAREA));
        f.add(text("City", 40));
        f.add(text("State", 80));
        f.add(text("PostalCode", 20));
        f.add(text("Country", 80));
        f.add(compound("Address", FieldType.ADDRESS));
        f.add(of("Description", FieldType.TEXTAREA));
        f.add(of("HasOptedOutOfEmail", FieldType.BOOLEAN));
        f.add(of("DoNotCall", FieldType.BOOLEAN));
        f.add(ref("OwnerId", "User"));
        f.add(system("IsConverted", FieldType.BOOLEAN));
        f.add(system("ConvertedDate", FieldType.DATE));
        f.add(system("ConvertedContactId", FieldType.REFERENCE, "Contact"));
        f.add(system("ConvertedAccountId", FieldType.REFERENCE, "Account"));
        f.add(system("ConvertedOpportunityId", FieldType.REFERENCE, "Opportunity"));
        f.add(system("MasterRecordId", FieldType.REFERENCE, "Lead"));
        f.add(system("LastActivityDate", FieldType.DATE));
        return f;
    }

    private static List<FieldSchema> contact() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(ref("AccountId", "Account"));
        f.add(pick("Salutation"));
        f.add(text("FirstName", 40));
        f.add(text("LastName", 80));
        f.add(of("Email", FieldType.EMAIL));
        f.add(of("Phone", FieldType.PHONE));
        f.add(of("MobilePhone", FieldType.PHONE));
        f.add(text("Title", 128));
        f.add(text("Department", 80));
        f.add(pick("LeadSource"));
        f.add(of("Birthdate", FieldType.DATE));
        f.add(of("MailingStreet", FieldType.TEXTAREA));
        f.add(text("MailingCity", 40));
        f.add(text("MailingState", 80));
        f.add(text("MailingPostalCode", 20));
        f.add(text("MailingCountry", 80));
        f.add(compound("MailingAddress", FieldType.ADDRESS));
        f.add(of("Description", FieldType.TEXTAREA));
        f.add(of("HasOptedOutOfEmail", FieldType.BOOLEAN));
        f.add(of("DoNotCall", FieldType.BOOLEAN));
        f.add(ref("OwnerId", "User"));
        f.add(ref("ReportsToId", "Contact"));
        f.add(system("MasterRecordId", FieldType.REFERENCE, "Contact"));
        f.add(system("LastActivityDate", FieldType.DATE));
        return f;
    }

    private static List<FieldSchema> account() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(text("Name", 255));
        f.add(text("AccountNumber", 40));
        f.add(pick("Type"));
        f.add(pick("Industry"));
        f.add(pick("Rating"));
        f.add(of("AnnualRevenue", FieldType.CURRENCY));
        f.add(of("NumberOfEmployees", FieldType.INT));
        f.add(of("Phone", FieldType.PHONE));
        f.add(of("Website", FieldType.URL));
        f.add(of("BillingStreet", FieldType.TEXTAREA));
        f.add(text("BillingCity", 40));
        f.add(text("BillingState", 80));
        f.add(text("BillingPostalCode", 20));
        f.add(text("BillingCountry", 80));
        f.add(compound("BillingAddress", FieldType.ADDRESS));
        f.add(of("Description", FieldType.TEXTAREA));
        f.add(ref("ParentId", "Account"));
        f.add(ref("OwnerId", "User"));
        f.add(system("MasterRecordId", FieldType.REFERENCE, "Account"));
        return f;
    }

    private static List<FieldSchema> user() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(text("Username", 80));
        f.add(text("FirstName", 40));
        f.add(text("LastName", 80));
        f.add(text("Alias", 8));
        f.add(of("Email", FieldType.EMAIL));
        f.add(text("Title", 80));
        f.add(of("Phone", FieldType.PHONE));
        f.add(text("Department", 80));
        f.add(text("CompanyName", 80));
        f.add(of("IsActive", FieldType.BOOLEAN));
        f.add(ref("ManagerId", "User"));
        return f;
    }

    private static List<FieldSchema> opportunity() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(ref("AccountId", "Account"));
        f.add(text("Name", 120));
        f.add(pick("StageName"));
        f.add(of("Amount", FieldType.CURRENCY));
        f.add(of("Probability", FieldType.PERCENT));
        f.add(formula("ExpectedRevenue", FieldType.CURRENCY));
        f.add(of("CloseDate", FieldType.DATE));
        f.add(pick("Type"));
        f.add(pick("LeadSource"));
        f.add(text("NextStep", 255));
        f.add(pick("ForecastCategoryName"));
        f.add(system("IsClosed", FieldType.BOOLEAN));
        f.add(system("IsWon", FieldType.BOOLEAN));
        f.add(ref("CampaignId", "Campaign"));
        f.add(ref("OwnerId", "User"));
        f.add(of("Description", FieldType.TEXTAREA));
        return f;
    }

    private static List<FieldSchema> opportunityContactRole() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(refCreateOnly("OpportunityId", "Opportunity"));
        f.add(ref("ContactId", "Contact"));
        f.add(pick("Role"));
        f.add(of("IsPrimary", FieldType.BOOLEAN));
        return f;
    }

    private static List<FieldSchema> campaign() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(text("Name", 80));
        f.add(pick("Type"));
        f.add(pick("Status"));
        f.add(of("IsActive", FieldType.BOOLEAN));
        f.add(of("StartDate", FieldType.DATE));
        f.add(of("EndDate", FieldType.DATE));
        f.add(of("BudgetedCost", FieldType.CURRENCY));
        f.add(of("ActualCost", FieldType.CURRENCY));
        f.add(of("ExpectedRevenue", FieldType.CURRENCY));
        f.add(of("ExpectedResponse", FieldType.PERCENT));
        f.add(of("NumberSent", FieldType.DOUBLE));
        f.add(of("Description", FieldType.TEXTAREA));
        f.add(ref("ParentId", "Campaign"));
        f.add(ref("OwnerId", "User"));
        f.add(formula("NumberOfLeads", FieldType.INT));
        f.add(formula("NumberOfContacts", FieldType.INT));
        return f;
    }

    private static List<FieldSchema> campaignMember() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(refCreateOnly("CampaignId", "Campaign"));
        f.add(refCreateOnly("LeadId", "Lead"));
        f.add(refCreateOnly("ContactId", "Contact"));
        f.add(pick("Status"));
        f.add(system("HasResponded", FieldType.BOOLEAN));
        f.add(system("FirstRespondedDate", FieldType.DATE));
        return f;
    }

    private static List<FieldSchema> task() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(ref("WhoId", "Lead", "Contact"));
        f.add(ref("WhatId", "Account", "Opportunity", "Campaign"));
        f.add(text("Subject", 255));
        f.add(of("ActivityDate", FieldType.DATE));
        f.add(pick("Status"));
        f.add(pick("Priority"));
        f.add(pick("Type"));
        f.add(of("Description", FieldType.TEXTAREA));
        f.add(of("CallDurationInSeconds", FieldType.INT));
        f.add(system("IsClosed", FieldType.BOOLEAN));
        f.add(ref("OwnerId", "User"));
        return f;
    }

    private static List<FieldSchema> event() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(ref("WhoId", "Lead", "Contact"));
        f.add(ref("WhatId", "Account", "Opportunity", "Campaign"));
        f.add(text("Subject", 255));
        f.add(of("ActivityDate", FieldType.DATE));
        f.add(of("ActivityDateTime", FieldType.DATETIME));
        f.add(of("StartDateTime", FieldType.DATETIME));
        f.add(of("EndDateTime", FieldType.DATETIME));
        f.add(of("DurationInMinutes", FieldType.INT));
        f.add(of("IsAllDayEvent", FieldType.BOOLEAN));
        f.add(text("Location", 255));
        f.add(pick("Type"));
        f.add(of("Description", FieldType.TEXTAREA));
        f.add(ref("OwnerId", "User"));
        return f;
    }
}
