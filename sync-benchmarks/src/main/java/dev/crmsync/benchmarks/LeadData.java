package dev.crmsync.benchmarks;

import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The benchmark's records: a realistic lead of 31 fields — the field list of Salesforce's Lead
 * (text, picklists, e-mail, phones, numbers, dates, checkboxes, references) — with values drawn
 * from a seeded generator so that every run sees the same data.
 *
 * <p>Cardinalities follow a real org: picklists (status, source, industry, rating, salutation)
 * have a handful of values; first names, titles, cities, states and countries a few dozen to a
 * few hundred; last names and companies tens of thousands; e-mail, phone, street and postal
 * code are (nearly) unique per lead. About 24 of the 31 fields hold a value; the conversion and
 * merge references are empty, as on an unconverted lead. Owners reference real User records.
 */
final class LeadData {

    /** The default benchmark type: a custom object with Lead's fields, one-way whatever Lead becomes. */
    static final ObjectType BENCH_TYPE = ObjectType.of("Lead_Bench__c");

    private static final String[] SALUTATIONS = {"Mr.", "Ms.", "Mrs.", "Dr.", "Prof."};
    private static final String[] FIRST = ("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth"
            + " William Barbara Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy"
            + " Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul Donna"
            + " Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald"
            + " Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy Jacob Amy Gary Kathleen Nicholas"
            + " Angela Eric Shirley Jonathan Emma Stephen Brenda Larry Pamela Justin Nicole Scott Anna Brandon"
            + " Samantha Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel Patrick Carolyn Frank"
            + " Janet Raymond Maria Jack Olivia Dennis Heather Jerry Helen Tyler Catherine Aaron Diane Jose Julie"
            + " Adam Victoria Nathan Joyce Henry Lauren Zachary Kelly Douglas Christina Peter Ruth Kyle Joan Noah"
            + " Virginia Ethan Judith Jeremy Evelyn Walter Hannah Christian Andrea Keith Megan Roger Cheryl Terry"
            + " Jacqueline Austin Madison Sean Teresa Gerald Abigail Carl Sophia Harold Martha Dylan Sara Arthur"
            + " Gloria Lawrence Janice Jordan Kathryn Jesse Ann Bryan Isabella Billy Judy Bruce Charlotte Gabriel"
            + " Julia Joe Grace Logan Amber Alan Alice Juan Jean Albert Denise Willie Frances Elijah Danielle Wayne"
            + " Marilyn Randy Natalie Vincent Beverly Mason Diana Roy Brittany Ralph Theresa Bobby Kayla Russell"
            + " Alexis Bradley Doris Philip Lori Eugene Tiffany").split(" ");
    private static final String[] LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez"
            + " Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White"
            + " Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill"
            + " Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans"
            + " Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez"
            + " Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks"
            + " Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long"
            + " Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes"
            + " Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin"
            + " Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford"
            + " Castro Marshall Owens Harrison Fernandez Mcdonald Woods Washington Kennedy Wells Vargas Henry Chen"
            + " Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw"
            + " Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar"
            + " Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner"
            + " Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley"
            + " Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado"
            + " Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval")
            .split(" ");
    private static final String[] COMPANY_A = ("Bright Blue Global Prime North Summit Silver Red Green Apex Pacific"
            + " Atlantic United First Central Metro Alpine Quantum Vertex Nova Pioneer Liberty Eagle Golden Iron"
            + " Crystal Harbor River Stone Cedar Maple Oak Pine Sun Star Bay Urban Rapid Smart Clear Bold True Open"
            + " Next Core Swift Fusion Titan Delta Omega Astra Zen Echo Orbit Peak Crest Ridge Vista Horizon").split(" ");
    private static final String[] COMPANY_B = ("Systems Solutions Technologies Logistics Partners Holdings Labs Works"
            + " Dynamics Networks Analytics Foods Energy Health Capital Media Retail Motors Software Consulting Design"
            + " Industries Supply Foundry Ventures Group Services Medical Robotics Textiles Brewing Pharma Security"
            + " Learning Travel Finance Insurance Realty Farms Studios Digital Cloud Data Devices Materials Marine"
            + " Aerospace Chemicals Telecom Outdoors Apparel Furniture Printing Packaging Pharmacy Clinics Bakery"
            + " Transport Freight").split(" ");
    private static final String[] COMPANY_C = {"Inc.", "LLC", "Ltd", "Corp.", "GmbH", "Co.", "PLC", "S.A."};
    private static final String[] TITLES = ("CEO|CTO|CFO|COO|VP Marketing|VP Sales|VP Engineering|Marketing Manager"
            + "|Sales Manager|Account Executive|Sales Director|Marketing Director|Product Manager|Engineer"
            + "|Senior Engineer|IT Manager|IT Director|Operations Manager|Office Manager|Consultant|Analyst"
            + "|Business Analyst|Procurement Manager|Purchasing Agent|HR Manager|Founder|Owner|President"
            + "|Director of Operations|Head of Growth|Demand Generation Manager|Marketing Coordinator"
            + "|Sales Representative|Customer Success Manager|Project Manager|Controller|Accountant|Administrator"
            + "|Software Architect|Data Scientist").split("\\|");
    private static final String[] STATUSES = {"Open - Not Contacted", "Working - Contacted", "Closed - Converted",
        "Closed - Not Converted", "Nurturing"};
    private static final String[] SOURCES = {"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other",
        "Trade Show", "Webinar", "Advertisement"};
    private static final String[] INDUSTRIES = ("Agriculture Apparel Banking Biotechnology Chemicals Communications"
            + " Construction Consulting Education Electronics Energy Engineering Entertainment Environmental Finance"
            + " Food Government Healthcare Hospitality Insurance Machinery Manufacturing Media Recreation Retail"
            + " Shipping Technology Telecommunications Transportation Utilities").split(" ");
    private static final String[] RATINGS = {"Hot", "Warm", "Cold"};
    private static final String[] STREETS = ("Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Sunset"
            + " Highland Church Market Mill River Spring Ridge Forest Valley Meadow Lincoln Jackson Franklin Madison"
            + " Adams Jefferson Center Broadway Union Walnut Cherry Chestnut Willow Birch Spruce Dogwood Railroad"
            + " Harbor Bay").split(" ");
    private static final String[] STREET_KINDS = {"St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Way", "Ct"};
    private static final String[] CITIES = ("New York|Los Angeles|Chicago|Houston|Phoenix|Philadelphia|San Antonio"
            + "|San Diego|Dallas|San Jose|Austin|Jacksonville|Fort Worth|Columbus|Charlotte|San Francisco"
            + "|Indianapolis|Seattle|Denver|Washington|Boston|El Paso|Nashville|Detroit|Oklahoma City|Portland"
            + "|Las Vegas|Memphis|Louisville|Baltimore|Milwaukee|Albuquerque|Tucson|Fresno|Mesa|Sacramento"
            + "|Atlanta|Kansas City|Colorado Springs|Omaha|Raleigh|Miami|Long Beach|Virginia Beach|Oakland"
            + "|Minneapolis|Tulsa|Tampa|Arlington|New Orleans|London|Manchester|Toronto|Vancouver|Sydney"
            + "|Melbourne|Berlin|Munich|Paris|Lyon|Madrid|Barcelona|Amsterdam|Dublin|Stockholm|Zurich|Tokyo"
            + "|Singapore|Sao Paulo|Mexico City").split("\\|");
    private static final String[] STATES = ("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN"
            + " MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY").split(" ");
    private static final String[] COUNTRIES = {"United States", "United States", "United States", "United States",
        "United States", "United States", "Canada", "United Kingdom", "Germany", "France", "Australia", "Spain",
        "Netherlands", "Ireland", "Sweden", "Switzerland", "Japan", "Singapore", "Brazil", "Mexico"};
    private static final String[] DESCRIPTIONS = {
        "Downloaded the pricing guide and asked for a call back next quarter.",
        "Met at the spring trade show; interested in the enterprise plan for their EMEA team.",
        "Requested a demo after the product webinar. Evaluating two other vendors.",
        "Existing customer's colleague; referred by the account manager.",
        "Budget approved for next fiscal year; decision maker is the CFO.",
        "Asked about API limits and single sign-on support.",
        "Unsubscribed from the newsletter but still engages with sales e-mails.",
        "Inbound chat: wants a trial for 25 seats.",
    };
    static final List<String> FIELD_NAMES = List.of("Salutation", "FirstName", "LastName", "Company", "Email",
            "Phone", "MobilePhone", "Title", "Status", "LeadSource", "Industry", "Rating", "AnnualRevenue",
            "NumberOfEmployees", "Website", "Street", "City", "State", "PostalCode", "Country", "Description",
            "HasOptedOutOfEmail", "DoNotCall", "OwnerId", "IsConverted", "ConvertedDate", "ConvertedContactId",
            "ConvertedAccountId", "ConvertedOpportunityId", "MasterRecordId", "LastActivityDate");

    private static final LocalDate TODAY = LocalDate.of(2025, 6, 1);

    private final List<CrmId> owners;

    /** @param owners the User ids that own leads (at least one) */
    LeadData(List<CrmId> owners) {
        if (owners.isEmpty()) {
            throw new IllegalArgumentException("owners must not be empty");
        }
        this.owners = List.copyOf(owners);
    }

    /**
     * The schema of {@link #BENCH_TYPE}: Lead's syncable fields with Lead's types and lengths.
     *
     * @return the field definitions
     */
    static List<FieldSchema> schema() {
        List<FieldSchema> f = new ArrayList<>();
        f.add(rw("Salutation", FieldType.PICKLIST, 255));
        f.add(rw("FirstName", FieldType.STRING, 40));
        f.add(rw("LastName", FieldType.STRING, 80));
        f.add(rw("Company", FieldType.STRING, 255));
        f.add(rw("Email", FieldType.EMAIL, 80));
        f.add(rw("Phone", FieldType.PHONE, 40));
        f.add(rw("MobilePhone", FieldType.PHONE, 40));
        f.add(rw("Title", FieldType.STRING, 128));
        f.add(rw("Status", FieldType.PICKLIST, 255));
        f.add(rw("LeadSource", FieldType.PICKLIST, 255));
        f.add(rw("Industry", FieldType.PICKLIST, 255));
        f.add(rw("Rating", FieldType.PICKLIST, 255));
        f.add(rw("AnnualRevenue", FieldType.CURRENCY, 0));
        f.add(rw("NumberOfEmployees", FieldType.INT, 0));
        f.add(rw("Website", FieldType.URL, 255));
        f.add(rw("Street", FieldType.TEXTAREA, 255));
        f.add(rw("City", FieldType.STRING, 40));
        f.add(rw("State", FieldType.STRING, 80));
        f.add(rw("PostalCode", FieldType.STRING, 20));
        f.add(rw("Country", FieldType.STRING, 80));
        f.add(rw("Description", FieldType.TEXTAREA, 32_000));
        f.add(rw("HasOptedOutOfEmail", FieldType.BOOLEAN, 0));
        f.add(rw("DoNotCall", FieldType.BOOLEAN, 0));
        f.add(new FieldSchema("OwnerId", FieldType.REFERENCE, true, true, true, false, 18, List.of("User")));
        f.add(system("IsConverted", FieldType.BOOLEAN));
        f.add(system("ConvertedDate", FieldType.DATE));
        f.add(system("ConvertedContactId", FieldType.REFERENCE, "Contact"));
        f.add(system("ConvertedAccountId", FieldType.REFERENCE, "Account"));
        f.add(system("ConvertedOpportunityId", FieldType.REFERENCE, "Opportunity"));
        f.add(system("MasterRecordId", FieldType.REFERENCE, "Lead_Bench__c"));
        f.add(system("LastActivityDate", FieldType.DATE));
        return f;
    }

    private static FieldSchema rw(String name, FieldType type, int length) {
        return new FieldSchema(name, type, true, true, true, false, length, List.of());
    }

    private static FieldSchema system(String name, FieldType type, String... to) {
        return new FieldSchema(name, type, true, false, false, false, type == FieldType.REFERENCE ? 18 : 0,
                List.of(to));
    }

    /**
     * The values of lead number {@code n}: the same for the same {@code n}.
     *
     * @param n the lead's number
     * @return its field values (empty fields left out)
     */
    Map<String, FieldValue> lead(long n) {
        SplittableRandom r = new SplittableRandom(0x5DEECE66DL * (n + 1));
        Map<String, FieldValue> m = new HashMap<>(48);
        String first = pick(r, FIRST);
        String last = pick(r, LAST);
        if (r.nextInt(10) < 3) {
            last = last + "-" + pick(r, LAST);                       // ~20,000 distinct last names overall
        }
        String a = pick(r, COMPANY_A);
        String b = pick(r, COMPANY_B);
        String company = a + " " + b + " " + pick(r, COMPANY_C);   // ~29,000 distinct companies
        String domain = (a + b).toLowerCase(Locale.ROOT) + (r.nextInt(3) == 0 ? ".io" : ".com");
        if (r.nextInt(10) < 7) {
            put(m, "Salutation", pick(r, SALUTATIONS));
        }
        put(m, "FirstName", first);
        put(m, "LastName", last);
        put(m, "Company", company);
        put(m, "Email", first.toLowerCase(Locale.ROOT).charAt(0) + "." + last.toLowerCase(Locale.ROOT)
                + (r.nextInt(4) == 0 ? Integer.toString(r.nextInt(1000)) : "") + "@" + domain);
        put(m, "Phone", phone(r));
        if (r.nextInt(10) < 4) {
            put(m, "MobilePhone", phone(r));
        }
        if (r.nextInt(10) < 9) {
            put(m, "Title", pick(r, TITLES));
        }
        put(m, "Status", STATUSES[Math.min(STATUSES.length - 1, (int) Math.abs(r.nextGaussian() * 1.5))]);
        put(m, "LeadSource", pick(r, SOURCES));
        if (r.nextInt(100) < 85) {
            put(m, "Industry", pick(r, INDUSTRIES));
        }
        if (r.nextInt(2) == 0) {
            put(m, "Rating", pick(r, RATINGS));
        }
        if (r.nextInt(10) < 7) {
            m.put("AnnualRevenue", FieldValue.number(BigDecimal.valueOf(r.nextLong(100, 500_000) * 1_000L)));
            m.put("NumberOfEmployees", FieldValue.number(1 + (long) Math.exp(r.nextDouble() * 11.5)));
        }
        if (r.nextInt(10) < 6) {
            put(m, "Website", "https://www." + domain);
        }
        if (r.nextInt(10) < 8) {
            put(m, "Street", (1 + r.nextInt(9_999)) + " " + pick(r, STREETS) + " " + pick(r, STREET_KINDS)
                    + (r.nextInt(5) == 0 ? ", Suite " + (100 + r.nextInt(900)) : ""));
            put(m, "City", pick(r, CITIES));
            put(m, "State", pick(r, STATES));
            put(m, "PostalCode", String.format(Locale.ROOT, "%05d", r.nextInt(100_000)));
            put(m, "Country", pick(r, COUNTRIES));
        }
        if (r.nextInt(100) < 15) {
            put(m, "Description", pick(r, DESCRIPTIONS));
        }
        m.put("HasOptedOutOfEmail", FieldValue.bool(r.nextInt(100) < 5));
        m.put("DoNotCall", FieldValue.bool(r.nextInt(100) < 3));
        m.put("OwnerId", FieldValue.ref(owners.get(r.nextInt(owners.size()))));
        m.put("IsConverted", FieldValue.bool(false));
        if (r.nextInt(10) < 6) {
            m.put("LastActivityDate", FieldValue.date(TODAY.minusDays(r.nextInt(730))));
        }
        return m;
    }

    /**
     * A realistic edit of a lead: a status move, a new title or phone, a rating, an activity date.
     *
     * @param n the lead's number
     * @param round which edit of that lead this is (edits differ from round to round)
     * @return the changed fields
     */
    Map<String, FieldValue> edit(long n, int round) {
        SplittableRandom r = new SplittableRandom(0x9E3779B97F4A7C15L * (n + 1) + round);
        Map<String, FieldValue> m = new HashMap<>(8);
        put(m, "Status", STATUSES[(round + (int) (n % STATUSES.length)) % STATUSES.length]);
        put(m, "Rating", pick(r, RATINGS));
        m.put("LastActivityDate", FieldValue.date(TODAY.plusDays(round)));
        switch (r.nextInt(3)) {
            case 0 -> put(m, "Title", pick(r, TITLES));
            case 1 -> put(m, "Phone", phone(r));
            default -> m.put("AnnualRevenue", FieldValue.number(BigDecimal.valueOf(r.nextLong(100, 500_000) * 1_000L)));
        }
        return m;
    }

    private static String phone(SplittableRandom r) {
        return String.format(Locale.ROOT, "+1 (%03d) 555-%04d", 201 + r.nextInt(790), r.nextInt(10_000));
    }

    private static String pick(SplittableRandom r, String[] values) {
        return values[r.nextInt(values.length)];
    }

    private static void put(Map<String, FieldValue> m, String field, String value) {
        m.put(field, FieldValue.text(value));
    }
}
