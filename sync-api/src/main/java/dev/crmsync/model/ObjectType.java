package dev.crmsync.model;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A CRM object type, named by its API name: one of the standard types crmsync knows
 * ({@link #LEAD}, {@link #CONTACT}, …) or a custom object ({@code Foo__c}, {@code ns__Foo__c}).
 *
 * <p>Each type knows its {@linkplain #direction() direction} (bidirectional only for Lead, Contact,
 * Campaign and CampaignMember) and its {@linkplain #syncRank() rank} in a cycle: parents sync
 * before children, so that a child's references point at records the store already has.
 *
 * @param apiName the CRM API name, validated
 */
public record ObjectType(String apiName) implements Comparable<ObjectType> {

    // Lookup tables first: the constants below run the constructor, which reads them.
    /** Rank given to custom objects: after the standard records they may reference, before activities. */
    private static final int CUSTOM_RANK = 9;

    private static final Map<String, Integer> STANDARD_RANK = Map.ofEntries(
            Map.entry("User", 0), Map.entry("Group", 0), Map.entry("Account", 1), Map.entry("Lead", 2),
            Map.entry("Contact", 3), Map.entry("Campaign", 4), Map.entry("CampaignMemberStatus", 5),
            Map.entry("CampaignMember", 6), Map.entry("Opportunity", 7), Map.entry("OpportunityContactRole", 8),
            Map.entry("Task", 10), Map.entry("Event", 11));

    private static final Map<String, String> STANDARD_BY_LOWER = STANDARD_RANK.keySet().stream()
            .collect(Collectors.toUnmodifiableMap(s -> s.toLowerCase(java.util.Locale.ROOT), Function.identity()));

    /**
     * A custom object API name: optional namespace prefix, a name of letters, digits and single
     * underscores that starts with a letter, and the {@code __c} suffix. At most 43 characters
     * (40 plus the suffix), as Salesforce allows.
     */
    private static final Pattern CUSTOM_NAME = Pattern.compile(
            "(?:[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*__)?[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*__c");

    /** CRM users: record owners. One-way. */
    public static final ObjectType USER = new ObjectType("User");
    /** Accounts (companies). One-way. */
    public static final ObjectType ACCOUNT = new ObjectType("Account");
    /** Leads. Bidirectional. */
    public static final ObjectType LEAD = new ObjectType("Lead");
    /** Contacts. Bidirectional. */
    public static final ObjectType CONTACT = new ObjectType("Contact");
    /** Campaigns. Bidirectional. */
    public static final ObjectType CAMPAIGN = new ObjectType("Campaign");
    /**
     * A campaign's member statuses (its set of {@code Label}s, one {@code IsDefault}, some
     * {@code HasResponded}). One-way, CRM → marketing, as Marketo syncs them; synced after its
     * campaign and before the campaign's members, whose {@code Status} must be one of them.
     */
    public static final ObjectType CAMPAIGN_MEMBER_STATUS = new ObjectType("CampaignMemberStatus");
    /** Campaign members (a Lead or Contact in a Campaign, with a status). Bidirectional, travels with its campaign. */
    public static final ObjectType CAMPAIGN_MEMBER = new ObjectType("CampaignMember");
    /**
     * Groups, among them queues ({@code Type='Queue'}, id prefix {@code 00G}), which may own Leads.
     * One-way. Not in {@link #STANDARD}: a queue is not a person, and Marketo does not sync groups —
     * an engine syncs them only when its object types name them.
     */
    public static final ObjectType GROUP = new ObjectType("Group");
    /** Opportunities. One-way. */
    public static final ObjectType OPPORTUNITY = new ObjectType("Opportunity");
    /** Opportunity contact roles: the only link between an opportunity and a person. One-way. */
    public static final ObjectType OPPORTUNITY_CONTACT_ROLE = new ObjectType("OpportunityContactRole");
    /** Tasks (activities). One-way. */
    public static final ObjectType TASK = new ObjectType("Task");
    /** Events (activities). One-way. */
    public static final ObjectType EVENT = new ObjectType("Event");

    /** The standard types the sync covers, parents first ({@link #GROUP} is known but not among them). */
    public static final List<ObjectType> STANDARD = List.of(
            USER, ACCOUNT, LEAD, CONTACT, CAMPAIGN, CAMPAIGN_MEMBER_STATUS, CAMPAIGN_MEMBER,
            OPPORTUNITY, OPPORTUNITY_CONTACT_ROLE, TASK, EVENT);

    /** Orders types by {@link #syncRank()}, then by name: the order a cycle visits them. */
    public static final Comparator<ObjectType> SYNC_ORDER =
            Comparator.comparingInt(ObjectType::syncRank).thenComparing(ObjectType::apiName);

    /**
     * Validates the name.
     *
     * @throws IllegalArgumentException if the name is neither a standard type nor a valid custom object name
     */
    public ObjectType {
        Objects.requireNonNull(apiName, "apiName");
        if (!STANDARD_RANK.containsKey(apiName)) {
            if (apiName.length() > 43 + 15 || !CUSTOM_NAME.matcher(apiName).matches()) {
                String standard = STANDARD_BY_LOWER.get(apiName.toLowerCase(java.util.Locale.ROOT));
                String hint = standard != null ? " (did you mean '" + standard + "'?)" : "";
                throw new IllegalArgumentException("invalid object type '" + apiName
                        + "': expected one of " + STANDARD_RANK.keySet().stream().sorted().toList()
                        + " or a custom object API name such as 'Foo__c'" + hint);
            }
        }
    }

    /**
     * Returns the type with this API name.
     *
     * @param apiName a standard type name (case-sensitive, as the CRM spells it) or a custom object name
     * @return the type
     * @throws IllegalArgumentException if the name is invalid
     */
    public static ObjectType of(String apiName) {
        return new ObjectType(apiName);
    }

    /** @return true for a custom object ({@code __c}) */
    public boolean isCustom() {
        return !STANDARD_RANK.containsKey(apiName);
    }

    /** @return the direction data of this type travels */
    public SyncDirection direction() {
        return switch (apiName) {
            case "Lead", "Contact", "Campaign", "CampaignMember" -> SyncDirection.BIDIRECTIONAL;
            default -> SyncDirection.CRM_TO_MARKETING;
        };
    }

    /** @return true when this type syncs both ways */
    public boolean isBidirectional() {
        return direction() == SyncDirection.BIDIRECTIONAL;
    }

    /** @return the position of this type in a cycle; lower ranks sync first (parents before children) */
    public int syncRank() {
        Integer rank = STANDARD_RANK.get(apiName);
        return rank != null ? rank : CUSTOM_RANK;
    }

    @Override
    public int compareTo(ObjectType other) {
        return SYNC_ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return apiName;
    }
}
