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
    static final Map<String, String> KEY_PREFIX = Map.ofEntries(
            Map.entry("Lead", "00Q"), Map.entry("Contact", "003"), Map.entry("Account", "001"),
            Map.entry("User", "005"), Map.entry("Group", "00G"), Map.entry("Opportunity", "006"),
            Map.entry("OpportunityContactRole", "00K"), Map.entry("Campaign", "701"),
            Map.entry("CampaignMemberStatus", "01Y"), Map.entry("CampaignMember", "00v"),
            Map.entry("Task", "00T"), Map.entry("Event", "00U"));

    /** The member statuses a new campaign gets, as a real org gives them: label, has-responded, is-default. */
    static final List<MemberStatus> DEFAULT_MEMBER_STATUSES = List.of(
            new MemberStatus("Sent", false, true), new MemberStatus("Responded", true, false));

    /** A campaign member status as a new campaign gets it. */
    record MemberStatus(String label, boolean responded, boolean isDefault) {
    }

    /** Fields an API create must set (and an API update must not blank). */
    static final Map<String, List<String>> REQUIRED = Map.of(
            "Account", List.of("Name"),
            "Lead", List.of("LastName", "Company"),
            "Contact", List.of("LastName"),
            "Campaign", List.of("Name"),
            "CampaignMemberStatus", List.of("CampaignId", "Label"),
            "Group", List.of("Name"),
            "CampaignMember", List.of("CampaignId"));

    /** Values a create gets when it leaves these fields empty (picklist defaults). */
    static final Map<String, Map<String, FieldValue>> CREATE_DEFAULTS = Map.of(
            "Lead", Map.of("Status", FieldValue.text("Open - Not Contacted")),
            "Group", Map.of("Type", FieldValue.text("Regular")),
            // the campaign's default status, in fact ("Sent" in a new campaign): InMemoryCrm sets it
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

    /** The components of a compound address after its prefix ({@code Billing}, {@code Mailing}, none on Lead). */
    static final List<String> ADDRESS_COMPONENTS = List.of("Street", "City", "State", "PostalCode", "Country",
            "Latitude", "Longitude", "GeocodeAccuracy");

    /** Geocode accuracy values, as a real org's describe lists them (a restricted picklist). */
    private static final List<String> GEOCODE_ACCURACY = List.of("Address", "NearAddress", "Block", "Street",
            "ExtendedZip", "Zip", "Neighborhood", "City", "County", "State", "Unknown");

    /** Account picklists with the values a real org's describe lists out of the box. */
    private static final Map<String, List<String>> ACCOUNT_PICKLISTS = Map.of(
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
            "AccountSource", List.of("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"));

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
            if (f.type() == FieldType.BOOLEAN || f.name().equals("OwnerId")) {
                // checkboxes are never null; the owner is the creating user when a create leaves it out
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
            case "CampaignMemberStatus" -> campaignMemberStatus();
            case "CampaignMember" -> campaignMember();
            case "Group" -> group();
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

    private static FieldSchema pick(String name, List<String> values, boolean restricted) {
        return FieldSchema.builder(name, FieldType.PICKLIST).length(255).picklist(values, restricted).build();
    }

    /**
     * A compound address and its components, as a real org describes them: street a 255-character
     * text area, latitude and longitude doubles of precision 18 and scale 15, geocode accuracy a
     * restricted picklist of 40 characters; the components writable, the compound read-only.
     *
     * @param prefix {@code Billing}, {@code Shipping}, {@code Mailing}, or empty for Lead's {@code Address}
     */
    private static void address(List<FieldSchema> f, String prefix) {
        f.add(rw(prefix + "Street", FieldType.TEXTAREA, 255));
        f.add(text(prefix + "City", 40));
        f.add(text(prefix + "State", 80));
        f.add(text(prefix + "PostalCode", 20));
        f.add(text(prefix + "Country", 80));
        f.add(FieldSchema.builder(prefix + "Latitude", FieldType.DOUBLE).precision(18, 15).build());
        f.add(FieldSchema.builder(prefix + "Longitude", FieldType.DOUBLE).precision(18, 15).build());
        f.add(FieldSchema.builder(prefix + "GeocodeAccuracy", FieldType.PICKLIST).length(40)
                .picklist(GEOCODE_ACCURACY, true).build());
        f.add(compound(prefix + "Address", FieldType.ADDRESS));
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
        address(f, "");
        f.add(of("Description", FieldType.TEXTAREA));
        f.add(of("HasOptedOutOfEmail", FieldType.BOOLEAN));
        f.add(of("DoNotCall", FieldType.BOOLEAN));
        f.add(ref("OwnerId", "Group", "User"));      // a user or a queue, as a real org describes it
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
        address(f, "Mailing");
        f.add(of("Description", FieldType.TEXTAREA));
        f.add(of("HasOptedOutOfEmail", FieldType.BOOLEAN));
        f.add(of("DoNotCall", FieldType.BOOLEAN));
        f.add(ref("OwnerId", "User"));
        f.add(ref("ReportsToId", "Contact"));
        f.add(system("MasterRecordId", FieldType.REFERENCE, "Contact"));
        f.add(system("LastActivityDate", FieldType.DATE));
        return f;
    }

    /** Account's standard fields as a real org describes them (in describe order). */
    private static List<FieldSchema> account() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(system("MasterRecordId", FieldType.REFERENCE, "Account"));
        f.add(text("Name", 255));
        f.add(pick("Type", ACCOUNT_PICKLISTS.get("Type"), false));
        f.add(ref("RecordTypeId", "RecordType"));
        f.add(ref("ParentId", "Account"));
        address(f, "Billing");
        address(f, "Shipping");
        f.add(of("Phone", FieldType.PHONE));
        f.add(of("Fax", FieldType.PHONE));
        f.add(text("AccountNumber", 40));
        f.add(of("Website", FieldType.URL));
        f.add(new FieldSchema("PhotoUrl", FieldType.URL, true, false, false, false, 255, List.of()));
        f.add(text("Sic", 20));
        f.add(pick("Industry", ACCOUNT_PICKLISTS.get("Industry"), false));
        f.add(of("AnnualRevenue", FieldType.CURRENCY));
        f.add(of("NumberOfEmployees", FieldType.INT));
        f.add(pick("Ownership", ACCOUNT_PICKLISTS.get("Ownership"), false));
        f.add(text("TickerSymbol", 20));
        f.add(of("Description", FieldType.TEXTAREA));
        f.add(pick("Rating", ACCOUNT_PICKLISTS.get("Rating"), false));
        f.add(text("Site", 80));
        f.add(ref("OwnerId", "User"));
        f.add(system("LastActivityDate", FieldType.DATE));
        f.add(system("LastViewedDate", FieldType.DATETIME));
        f.add(system("LastReferencedDate", FieldType.DATETIME));
        f.add(text("Jigsaw", 20));
        f.add(new FieldSchema("JigsawCompanyId", FieldType.STRING, true, false, false, false, 20, List.of()));
        f.add(pick("AccountSource", ACCOUNT_PICKLISTS.get("AccountSource"), false));
        f.add(text("SicDesc", 80));
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

    /**
     * A campaign's member status, as Salesforce describes it: the campaign and the label set on
     * create only, the sort order, default and responded flags updateable.
     */
    private static List<FieldSchema> campaignMemberStatus() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(refCreateOnly("CampaignId", "Campaign"));
        f.add(new FieldSchema("Label", FieldType.STRING, true, true, false, false, 765, List.of()));
        f.add(of("SortOrder", FieldType.INT));
        f.add(of("IsDefault", FieldType.BOOLEAN));
        f.add(of("HasResponded", FieldType.BOOLEAN));
        return f;
    }

    /** A group; a queue is one with {@code Type='Queue'}. */
    private static List<FieldSchema> group() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(text("Name", 40));
        f.add(text("DeveloperName", 80));
        f.add(pick("Type", List.of("Regular", "Role", "RoleAndSubordinates", "Organization", "Queue"), true));
        f.add(of("Email", FieldType.EMAIL));
        f.add(of("DoesSendEmailToMembers", FieldType.BOOLEAN));
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
        f.add(system("IsArchived", FieldType.BOOLEAN));
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
        f.add(system("IsArchived", FieldType.BOOLEAN));
        f.add(ref("OwnerId", "User"));
        return f;
    }
}
