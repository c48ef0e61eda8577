package dev.crmsync.testkit;

import dev.crmsync.crm.InFlightCalls;
import dev.crmsync.model.Sleeper;
import dev.crmsync.testkit.fault.CallLog;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.FaultPlan;
import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.crm.FieldChecks;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.testkit.TypeState.BinEntry;
import dev.crmsync.testkit.TypeState.Bucket;
import dev.crmsync.testkit.TypeState.Slot;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.crm.Cursor;
import dev.crmsync.model.Deletion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * An in-memory CRM with Salesforce's semantics, for test suites and demos: the fake behind
 * {@link CrmSource} that the engine, the fake Salesforce HTTP server and host applications' tests
 * run against. Thread-safe (one lock; injected latency is applied outside it).
 *
 * <h2>What it models</h2>
 * <ul>
 *   <li><b>Ids</b>: 18-character Salesforce ids with the real key prefixes ({@code 00Q} Lead,
 *       {@code 003} Contact, {@code 001} Account, {@code 005} User, {@code 006} Opportunity,
 *       {@code 00K} OpportunityContactRole, {@code 701} Campaign, {@code 00v} CampaignMember,
 *       {@code 01Y} CampaignMemberStatus, {@code 00G} Group (queues), {@code 00T} Task, {@code 00U} Event, {@code a0X}, {@code a0Y}, … for custom objects in the
 *       order they are defined), generated from the seed, strictly increasing in creation order
 *       within a type.</li>
 *   <li><b>Stamps</b>: every change stamps the record with {@code clock.instant()} truncated to
 *       whole seconds, as {@code SystemModstamp}; all records of one write batch share a stamp.
 *       Many records therefore share one stamp, and {@link #insertLate}/{@link #updateLate} make a
 *       record visible with a stamp older than records already read.</li>
 *   <li><b>Change stream</b> ({@code queryAll} ordered by {@code SystemModstamp, Id}): pages in
 *       (stamp, id) order strictly after the cursor, including recycle-bin rows with
 *       {@code deleted=true} (merge losers carry {@code MasterRecordId}). Only requested fields
 *       that the integration user can read are returned; requested fields that are unknown,
 *       hidden or compound are left out silently. Each page read counts one call
 *       ({@link CrmOperation#READ_PAGE}).</li>
 *   <li><b>Recycle bin</b>: deleted records stay (flagged) for {@link Builder#recycleBinRetention}
 *       (15 days by default) measured on the clock, then are purged; {@link #deletedSince} reports
 *       deletions still in the bin, with {@code earliestDateAvailable} after the newest purged
 *       deletion and {@code latestDateCovered} at most "now".</li>
 *   <li><b>Writes</b> ({@link #write}, sObject Collections with {@code allOrNone=false}): Lead,
 *       Contact, Campaign and CampaignMember only, at most {@link #maxWriteBatch()} per call, one
 *       result per record. Rejections carry Salesforce status codes: {@code INVALID_FIELD},
 *       {@code INVALID_FIELD_FOR_INSERT_UPDATE}, {@code INVALID_TYPE_ON_FIELD_IN_RECORD},
 *       {@code STRING_TOO_LONG}, and per the describe ({@link dev.crmsync.crm.FieldChecks})
 *       {@code NUMBER_OUTSIDE_VALID_RANGE} (beyond precision and scale, a fraction or beyond 32 bits
 *       in an integer field), {@code FIELD_INTEGRITY_EXCEPTION} for a date outside 1700–4000,
 *       {@code INVALID_EMAIL_ADDRESS}, {@code INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST};
 *       {@code REQUIRED_FIELD_MISSING} (Lead needs LastName and Company,
 *       Contact LastName, Campaign Name, CampaignMember CampaignId and LeadId or ContactId, and any
 *       field the describe says a create must fill, {@link FieldSchema#requiredOnCreate()}). A value
 *       Salesforce's JSON parser cannot read (a number beyond a double such as {@code 1E+400}, a
 *       date year outside 0–9999) fails the whole call with a {@link SyncException} naming
 *       {@code JSON_PARSER_ERROR}, nothing written, as Salesforce answers such a request with 400;
 *       {@code INVALID_CROSS_REFERENCE_KEY}, {@code MALFORMED_ID}, {@code FIELD_INTEGRITY_EXCEPTION},
 *       {@code ENTITY_IS_DELETED} (deleted or merged away), {@code DUPLICATE_VALUE} (a person
 *       already in the campaign), {@code UNABLE_TO_LOCK_ROW} (retriable, see {@link #lockRecord}),
 *       {@code CANNOT_UPDATE_CONVERTED_LEAD} (also for a new reference to a converted lead, as a campaign member
 *       created for one: "cannot reference converted lead"), and whatever {@link #addValidationRule} and
 *       {@link #addDuplicateRule} say. A write to a converted lead is redirected to its contact
 *       (unless {@link Builder#redirectConvertedLeadWrites(boolean)} is off). An
 *       {@link CrmWrite.Upsert} on a field describe marks {@code externalId} creates the record when
 *       no live record holds the value (case-insensitively), updates the one that does
 *       ({@code created=false}), and is rejected with {@code DUPLICATE_EXTERNAL_ID} when several do;
 *       on any other field with {@code NOT_FOUND}, as Salesforce answers.</li>
 *   <li><b>CRM-user edits</b> ({@link #insert}, {@link #update}, {@link #delete}, …, conversion
 *       and merge): what a salesperson does; they bump stamps, skip validation rules and are never
 *       counted as calls. Checkboxes are never null (an empty checkbox is false); a Lead gets
 *       {@code Status="Open - Not Contacted"} and a CampaignMember its campaign's default status
 *       when created without one.</li>
 *   <li><b>Campaign member statuses</b>: a new Campaign (by a CRM user or the API) gets
 *       Salesforce's defaults, {@code CampaignMemberStatus} "Sent" ({@code IsDefault}) and
 *       "Responded" ({@code HasResponded}); a status made the default makes the campaign's others
 *       not default; they are deleted and undeleted with their campaign. A campaign member's
 *       {@code Status} is one of its campaign's labels: a write of another takes the campaign's default
 *       instead, without an error, as Salesforce's API documentation says it does (so a sync must check
 *       statuses itself: the engine does); no status (or an empty one) takes the campaign's default;
 *       {@code HasResponded} follows the status.</li>
 *   <li><b>Queues</b>: {@code Group} records ({@link ObjectType#GROUP}; a queue has
 *       {@code Type='Queue'}); {@code Lead.OwnerId} references {@code [Group, User]}, so a lead may
 *       be owned by a queue, a contact (owner {@code User} only) may not.</li>
 *   <li><b>Faults</b> ({@link #faults()}, a {@link FaultPlan} of {@link CrmOperation}s): seeded
 *       failures, lost answers, quota exhaustion, latency and record rejections on the
 *       {@link CrmSource} operations, counted in {@link #log()}. A call waiting out injected latency ends at once with
 *       {@link dev.crmsync.model.CallAbortedException} when {@link #wakeup(Thread)} aims at its
 *       thread or the thread is interrupted (the latency goes through {@link Builder#sleeper}, which
 *       a test can make block on a latch).</li>
 * </ul>
 *
 * <p>Describe lists the schema's fields without {@code Id}, {@code IsDeleted} and
 * {@code SystemModstamp}, which travel in {@link SyncRecord} itself. Stamps must lie between 1970
 * and 2106 (a clock outside that range fails the edit with {@link IllegalStateException}).
 *
 * <p>Memory is kept lean so a million records fit a small heap: no object per record (about 20
 * bytes of index per record) plus its field values, encoded compactly, with values repeated
 * across records (picklists, names, companies, owners, e-mail domains) stored once per field.
 * A million leads of the benchmark's realistic 31-field shape hold about 125 MB of live heap.
 * Reads build each {@link SyncRecord} on demand.
 */
public final class InMemoryCrm implements CrmSource {

    /** Default {@link #maxPageSize()}: Salesforce's query batch size. */
    public static final int DEFAULT_MAX_PAGE_SIZE = 2_000;
    /** Default {@link #maxWriteBatch()}: Salesforce's sObject Collections limit. */
    public static final int DEFAULT_MAX_WRITE_BATCH = 200;
    /** Default recycle-bin retention: Salesforce's 15 days. */
    public static final Duration DEFAULT_RECYCLE_BIN_RETENTION = Duration.ofDays(15);

    private static final String MASTER = SyncRecord.MASTER_RECORD_ID;

    private final Clock clock;
    private final int maxPageSize;
    private final int maxWriteBatch;
    private final long retentionSeconds;
    private final Sleeper sleeper;
    private final boolean redirectConvertedLeadWrites;
    private final Duration maxWriteDuration;
    private final long seed;
    private final String pod;
    /** The corporate currency of a multi-currency org, the create default; null in a single-currency org. */
    private final FieldValue corporateCurrency;
    private final FaultPlan<CrmOperation> faults = new FaultPlan<>();
    private final CallLog<CrmOperation> log = new CallLog<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<ObjectType, TypeState> types = new LinkedHashMap<>();
    private final Map<String, TypeState> byPrefix = new HashMap<>();
    private int customTypes;
    private final Map<ObjectType, List<Rule>> validationRules = new HashMap<>();
    private final Map<ObjectType, List<String>> duplicateRules = new HashMap<>();
    private final Map<CrmId, Integer> lockedRows = new HashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final InFlightCalls inFlight = new InFlightCalls("InMemoryCrm");
    private final List<RecordChange.Listener> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ChangeCollector changeSink = new ChangeCollector();
    private long transactions;

    private InMemoryCrm(Builder b) {
        this.clock = b.clock;
        this.maxPageSize = b.maxPageSize;
        this.maxWriteBatch = b.maxWriteBatch;
        this.retentionSeconds = b.recycleBinRetention.getSeconds();
        this.sleeper = b.sleeper;
        this.redirectConvertedLeadWrites = b.redirectConvertedLeadWrites;
        this.maxWriteDuration = b.maxWriteDuration;
        this.seed = b.seed;
        Random r = new Random(b.seed);
        this.pod = "" + TypeState.BASE62.charAt(1 + r.nextInt(9)) + TypeState.BASE62.charAt(36 + r.nextInt(26));
        this.faults.seed(b.seed * 31 + 7);
        this.corporateCurrency = b.currencies.isEmpty() ? null : FieldValue.text(b.currencies.get(0));
        List<ObjectType> standard = new ArrayList<>(ObjectType.STANDARD);
        standard.add(ObjectType.GROUP);
        for (ObjectType t : standard) {
            TypeState s = newType(t, StandardSchemas.KEY_PREFIX.get(t.apiName()));
            StandardSchemas.fieldsOf(t).forEach(s::addSlot);
            if (corporateCurrency != null && CURRENCY_TYPES.contains(t)) {
                s.addSlot(FieldSchema.builder(CURRENCY_FIELD, FieldType.PICKLIST).length(3)
                        .picklist(b.currencies, true).nillable(false).defaultedOnCreate(true).build());
            }
        }
    }

    /** The field a multi-currency org adds beside the amounts ({@link Builder#multiCurrency}). */
    public static final String CURRENCY_FIELD = "CurrencyIsoCode";

    /** The types that get {@link #CURRENCY_FIELD} in a multi-currency org. */
    private static final Set<ObjectType> CURRENCY_TYPES = Set.of(ObjectType.LEAD, ObjectType.CONTACT,
            ObjectType.ACCOUNT, ObjectType.OPPORTUNITY, ObjectType.CAMPAIGN, ObjectType.USER);

    /** @return a builder with Salesforce's defaults */
    public static Builder builder() {
        return new Builder();
    }

    private TypeState newType(ObjectType t, String prefix) {
        TypeState s = new TypeState(t, prefix, pod, seed);
        s.sink = changeListeners.isEmpty() ? null : changeSink;
        types.put(t, s);
        byPrefix.put(prefix, s);
        return s;
    }

    // =========================================================================================
    // Builder, Sleeper, Conversion
    // =========================================================================================

    /** Builds an {@link InMemoryCrm}; every setter validates at once. Not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private long seed = 42L;
        private int maxPageSize = DEFAULT_MAX_PAGE_SIZE;
        private int maxWriteBatch = DEFAULT_MAX_WRITE_BATCH;
        private Duration recycleBinRetention = DEFAULT_RECYCLE_BIN_RETENTION;
        private Sleeper sleeper = Sleeper.SYSTEM;
        private boolean redirectConvertedLeadWrites = true;
        private Duration maxWriteDuration = Duration.ZERO;
        private List<String> currencies = List.of();

        private Builder() {
        }

        /** @param clock where stamps and "now" come from (default the system UTC clock) @return this */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @param seed seeds id generation and fault randomness (default 42) @return this */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param maxPageSize the largest page a read returns, 1 to {@link ChangeQuery#MAX_PAGE_SIZE} (default 2,000)
         * @return this
         */
        public Builder maxPageSize(int maxPageSize) {
            if (maxPageSize < 1 || maxPageSize > ChangeQuery.MAX_PAGE_SIZE) {
                throw new IllegalArgumentException("maxPageSize must be between 1 and "
                        + ChangeQuery.MAX_PAGE_SIZE + ", was " + maxPageSize);
            }
            this.maxPageSize = maxPageSize;
            return this;
        }

        /** @param maxWriteBatch the largest write batch, at least 1 (default 200) @return this */
        public Builder maxWriteBatch(int maxWriteBatch) {
            if (maxWriteBatch < 1) {
                throw new IllegalArgumentException("maxWriteBatch must be at least 1, was " + maxWriteBatch);
            }
            this.maxWriteBatch = maxWriteBatch;
            return this;
        }

        /**
         * @param retention how long deleted records stay in the recycle bin, at least one second (default 15 days)
         * @return this
         */
        public Builder recycleBinRetention(Duration retention) {
            Objects.requireNonNull(retention, "recycleBinRetention");
            if (retention.getSeconds() < 1) {
                throw new IllegalArgumentException("recycleBinRetention must be at least 1 second, was " + retention);
            }
            this.recycleBinRetention = retention;
            return this;
        }

        /**
         * @param sleeper how injected latency is spent (default {@link Sleeper#SYSTEM}); tests pass
         *     one that advances a {@link ManualClock} or records the delay
         * @return this
         */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /**
         * @param redirect true (default) to apply an API write aimed at a converted lead to its contact;
         *     false to reject it with {@code CANNOT_UPDATE_CONVERTED_LEAD}, as Salesforce itself does
         * @return this
         */
        public Builder redirectConvertedLeadWrites(boolean redirect) {
            this.redirectConvertedLeadWrites = redirect;
            return this;
        }

        /**
         * @param duration what {@link InMemoryCrm#maxWriteDuration()} says: how long after a write
         *     whose answer was lost its effect may still land (default zero: this fake commits within
         *     the call; a test that makes commits land later through a wrapper says how much later)
         * @return this
         */
        public Builder maxWriteDuration(Duration duration) {
            Objects.requireNonNull(duration, "duration must not be null");
            if (duration.isNegative()) {
                throw new IllegalArgumentException("maxWriteDuration must not be negative, was " + duration);
            }
            this.maxWriteDuration = duration;
            return this;
        }

        /**
         * Makes this a multi-currency org: every standard type holding an amount (Lead, Account,
         * Opportunity, Campaign) and Contact and User get {@value #CURRENCY_FIELD}, described as
         * Salesforce describes it in such an org — a restricted picklist of the active currencies,
         * 3 characters, never null, defaulted on create to the corporate currency. A write of a code
         * that is not active is refused with {@code INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST}.
         * Amounts are kept in the record's currency; nothing is converted.
         *
         * @param corporate the corporate currency (ISO 4217 code, e.g. {@code "EUR"}), the create default
         * @param others the other active currencies
         * @return this
         * @throws IllegalArgumentException if a code is not three upper-case letters, or repeated
         */
        public Builder multiCurrency(String corporate, String... others) {
            Objects.requireNonNull(corporate, "corporate must not be null");
            Objects.requireNonNull(others, "others must not be null");
            List<String> all = new ArrayList<>();
            all.add(corporate);
            all.addAll(Arrays.asList(others));
            for (String c : all) {
                if (c == null || !c.matches("[A-Z]{3}")) {
                    throw new IllegalArgumentException("currency codes must be three upper-case letters (ISO 4217),"
                            + " was " + c);
                }
            }
            if (new HashSet<>(all).size() != all.size()) {
                throw new IllegalArgumentException("currency codes must not repeat: " + all);
            }
            this.currencies = List.copyOf(all);
            return this;
        }

        /** @return a new CRM holding no records */
        public InMemoryCrm build() {
            return new InMemoryCrm(this);
        }
    }

    /**
     * The outcome of {@link #convertLead}.
     *
     * @param leadId the converted lead (now read-only, {@code IsConverted=true})
     * @param contactId the contact it became (new, or the existing one given)
     * @param accountId the contact's account
     * @param newContact true if the conversion created the contact
     */
    public record Conversion(CrmId leadId, CrmId contactId, CrmId accountId, boolean newContact) {
        /** Checks nulls. */
        public Conversion {
            Objects.requireNonNull(leadId, "leadId");
            Objects.requireNonNull(contactId, "contactId");
            Objects.requireNonNull(accountId, "accountId");
        }
    }

    private record Rule(String code, String message, Predicate<Map<String, FieldValue>> rejects) {
    }

    // =========================================================================================
    // Schema administration
    // =========================================================================================

    /**
     * Defines a custom object type, or replaces a type's schema (fields keeping their name and
     * type keep their values).
     *
     * @param type the type
     * @param fields its fields, in describe order (a field with {@code readable=false} is hidden)
     */
    public void defineType(ObjectType type, List<FieldSchema> fields) {
        Objects.requireNonNull(type, "type");
        List<FieldSchema> copy = List.copyOf(fields);
        Set<String> names = new HashSet<>();
        for (FieldSchema f : copy) {
            if (!names.add(f.name())) {
                throw new IllegalArgumentException("duplicate field '" + f.name() + "' in definition of " + type);
            }
            checkFieldName(type, f.name());
        }
        locked(() -> {
            TypeState s = types.get(type);
            if (s == null) {
                int i = 33 + customTypes++;
                String prefix = "a" + TypeState.BASE62.charAt(i / 62) + TypeState.BASE62.charAt(i % 62);
                s = newType(type, prefix);
            }
            s.redefine(copy);
        });
    }

    private static void checkFieldName(ObjectType type, String name) {
        if (name.equals("Id") || name.equals("IsDeleted") || name.equals("SystemModstamp")) {
            throw new IllegalArgumentException("field '" + name + "' of " + type
                    + " is implicit (it travels in SyncRecord itself) and cannot be defined");
        }
    }

    /**
     * Adds a field to a type (schema drift); existing records have it empty.
     *
     * @param type the type
     * @param field the new field
     */
    public void addField(ObjectType type, FieldSchema field) {
        Objects.requireNonNull(field, "field");
        checkFieldName(type, field.name());
        locked(() -> state(type).addSlot(field));
    }

    /**
     * Removes a field and its values.
     *
     * @param type the type
     * @param field the field's API name
     */
    public void removeField(ObjectType type, String field) {
        Objects.requireNonNull(field, "field");
        locked(() -> state(type).removeSlot(field));
    }

    /**
     * Hides a field from the integration user (field-level security): describe leaves it out,
     * reads never return it, writes to it are rejected with {@code INVALID_FIELD}.
     *
     * @param type the type
     * @param field the field's API name
     */
    public void hideField(ObjectType type, String field) {
        setHidden(type, field, true);
    }

    /**
     * Makes a hidden field readable again.
     *
     * @param type the type
     * @param field the field's API name
     */
    public void showField(ObjectType type, String field) {
        setHidden(type, field, false);
    }

    private void setHidden(ObjectType type, String field, boolean hidden) {
        Objects.requireNonNull(field, "field");
        locked(() -> {
            Slot s = state(type).slot(field);
            if (s == null) {
                throw new IllegalArgumentException("no field '" + field + "' on " + type);
            }
            s.hidden = hidden;
        });
    }

    /**
     * Hides a whole type from the integration user: it leaves {@link #availableTypes()},
     * {@link #describe} returns empty, and reads and writes fail with {@code INVALID_TYPE}.
     *
     * @param type the type
     */
    public void hideType(ObjectType type) {
        locked(() -> state(type).hidden = true);
    }

    /** @param type a hidden type to make queryable again */
    public void showType(ObjectType type) {
        locked(() -> state(type).hidden = false);
    }

    /**
     * The key prefix of a type's ids: Salesforce's for the standard types ({@code 00Q} Lead, …),
     * {@code a0X}, {@code a0Y}, … for custom objects in the order they were defined.
     *
     * @param type the type
     * @return its 3-character prefix, or empty if the type is not defined
     */
    public Optional<String> keyPrefix(ObjectType type) {
        Objects.requireNonNull(type, "type");
        return locked(() -> Optional.ofNullable(types.get(type)).map(t -> t.prefix));
    }

    /**
     * The administrator's view of a type's schema: every field, hidden ones with {@code readable=false}.
     *
     * @param type the type
     * @return its schema, or empty if the type is not defined
     */
    public Optional<ObjectSchema> schema(ObjectType type) {
        Objects.requireNonNull(type, "type");
        return locked(() -> {
            TypeState s = types.get(type);
            if (s == null) {
                return Optional.empty();
            }
            List<FieldSchema> fields = new ArrayList<>();
            for (Slot slot : s.describeOrder()) {
                FieldSchema f = slot.schema;
                fields.add(slot.hidden == !f.readable() ? f : f.toBuilder().readable(!slot.hidden).build());
            }
            return Optional.of(new ObjectSchema(type, fields, !s.hidden, type.isBidirectional(),
                    type.isBidirectional()));
        });
    }

    // =========================================================================================
    // CRM-user edits
    // =========================================================================================

    /**
     * Creates a record as a CRM user would (no validation rules; field names, types and lengths
     * are checked; hidden, read-only and system fields may be set).
     *
     * @param type the type
     * @param fields the values
     * @return the new record's id
     * @throws IllegalArgumentException for an unknown type or field, a value of the wrong type or too long
     */
    public CrmId insert(ObjectType type, Map<String, FieldValue> fields) {
        Objects.requireNonNull(fields, "fields");
        return locked(() -> insertAt(state(type), fields, now()));
    }

    /**
     * Creates a record that becomes visible late: its stamp is the given (older) instant, as if
     * its transaction had committed after records with later stamps were already read.
     *
     * @param type the type
     * @param fields the values
     * @param stamp its stamp (truncated to whole seconds), not after now
     * @return the new record's id
     */
    public CrmId insertLate(ObjectType type, Map<String, FieldValue> fields, Instant stamp) {
        Objects.requireNonNull(fields, "fields");
        return locked(() -> insertAt(state(type), fields, lateStamp(stamp)));
    }

    private CrmId insertAt(TypeState t, Map<String, FieldValue> fields, long stamp) {
        FieldValue[] values = new FieldValue[t.slots.size()];
        applyDefaults(t, values);
        patchAdmin(t, values, fields);
        if (t.type.equals(ObjectType.CAMPAIGN_MEMBER)) {
            CrmWriteResult.Rejected bad = memberStatus(t, values, fields.containsKey("Status"), true);
            if (bad != null) {
                throw new IllegalArgumentException("CampaignMember: " + bad.code() + " (the campaign has no such"
                        + " member status; add it as a CampaignMemberStatus first)");
            }
        }
        int h = t.create(stamp, values);
        afterCreate(t, h, stamp);
        return t.idOf(h);
    }

    /**
     * What Salesforce does after a record is created: a new Campaign gets the default member
     * statuses ("Sent", the default, and "Responded", responded); a member status that is the
     * default makes the campaign's other statuses not default.
     */
    private void afterCreate(TypeState t, int h, long stamp) {
        if (t.type.equals(ObjectType.CAMPAIGN)) {
            TypeState statuses = types.get(ObjectType.CAMPAIGN_MEMBER_STATUS);
            int order = 1;
            for (StandardSchemas.MemberStatus m : StandardSchemas.DEFAULT_MEMBER_STATUSES) {
                FieldValue[] v = new FieldValue[statuses.slots.size()];
                applyDefaults(statuses, v);
                patch(statuses, v, Map.of("CampaignId", FieldValue.ref(t.idOf(h)), "Label", FieldValue.text(m.label()),
                        "SortOrder", FieldValue.number(order++), "IsDefault", FieldValue.bool(m.isDefault()),
                        "HasResponded", FieldValue.bool(m.responded())));
                statuses.create(stamp, v);
            }
        } else if (t.type.equals(ObjectType.CAMPAIGN_MEMBER_STATUS)) {
            soleDefault(t, h, stamp);
        }
    }

    /** When status {@code h} is its campaign's default, the campaign's other statuses stop being default. */
    private static void soleDefault(TypeState t, int h, long stamp) {
        FieldValue[] mine = t.values(h);
        if (!(get(t, mine, "IsDefault") instanceof FieldValue.Bool b && b.value())) {
            return;
        }
        FieldValue campaign = get(t, mine, "CampaignId");
        Slot isDefault = t.slot("IsDefault");
        for (int r = 0, n = t.handles(); r < n; r++) {
            if (r == h || t.purged(r) || t.deleted(r)) {
                continue;
            }
            FieldValue[] v = t.values(r);
            if (campaign.equals(get(t, v, "CampaignId")) && FieldValue.bool(true).equals(v[isDefault.index])) {
                v[isDefault.index] = FieldValue.bool(false);
                t.store(r, v);
                t.restamp(r, stamp);
            }
        }
    }

    /**
     * The live member statuses of a campaign, by label, in sort order.
     *
     * @return label to {@code [isDefault, hasResponded]}
     */
    private Map<String, boolean[]> statusesOf(FieldValue campaign) {
        TypeState t = types.get(ObjectType.CAMPAIGN_MEMBER_STATUS);
        TreeMap<Long, Map.Entry<String, boolean[]>> ordered = new TreeMap<>();
        long seq = 0;
        for (int r = 0, n = t.handles(); r < n; r++) {
            if (t.purged(r) || t.deleted(r)) {
                continue;
            }
            FieldValue[] v = t.values(r);
            if (!campaign.equals(get(t, v, "CampaignId"))) {
                continue;
            }
            FieldValue order = get(t, v, "SortOrder");
            long key = (order instanceof FieldValue.Number num ? num.value().longValue() : 0L) * 1_000_000L + seq++;
            ordered.put(key, Map.entry(get(t, v, "Label").asText(), new boolean[] {
                    get(t, v, "IsDefault") instanceof FieldValue.Bool d && d.value(),
                    get(t, v, "HasResponded") instanceof FieldValue.Bool x && x.value()}));
        }
        Map<String, boolean[]> out = new LinkedHashMap<>();
        ordered.values().forEach(e -> out.putIfAbsent(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * Completes a campaign member's {@code Status} against its campaign's member statuses, as
     * Salesforce does: no status (or an empty one), or one the campaign does not have, takes the
     * campaign's default — silently, as Salesforce's API documentation says; the member's
     * {@code HasResponded} follows its status.
     *
     * @param given true if the write set {@code Status}
     * @param create true for a create (no status given takes the default)
     * @return null (a status is never refused; kept as a result for the callers' shape)
     */
    private CrmWriteResult.@Nullable Rejected memberStatus(TypeState t, FieldValue[] values, boolean given,
                                                          boolean create) {
        Slot status = t.slot("Status");
        FieldValue campaign = get(t, values, "CampaignId");
        if (status == null || campaign.isBlank()) {
            return null;
        }
        Map<String, boolean[]> set = statusesOf(campaign);
        if (set.isEmpty()) {
            return null;        // a campaign the fake holds no statuses for (not one it created): unchecked
        }
        FieldValue v = values[status.index];
        if ((create && !given) || blank(v)) {
            if (!create && !given) {
                return null;
            }
            String def = set.entrySet().stream().filter(e -> e.getValue()[0]).map(Map.Entry::getKey)
                    .findFirst().orElse(set.keySet().iterator().next());
            values[status.index] = FieldValue.text(def);
            v = values[status.index];
        }
        boolean[] found = set.get(v.asText());
        if (found == null) {
            // Salesforce's API documentation: a status that is not one of the campaign's is replaced by the
            // campaign's default, silently (no error): the engine checks statuses itself before it writes
            String def = set.entrySet().stream().filter(e -> e.getValue()[0]).map(Map.Entry::getKey)
                    .findFirst().orElse(set.keySet().iterator().next());
            values[status.index] = FieldValue.text(def);
            found = set.get(def);
        }
        Slot responded = t.slot("HasResponded");
        if (responded != null) {
            values[responded.index] = FieldValue.bool(found[1]);
        }
        return null;
    }

    /**
     * Changes fields of a live record as a CRM user would, bumping its stamp.
     *
     * @param type the type
     * @param id the record
     * @param fields the values to change (a patch)
     * @throws IllegalArgumentException for an unknown record or field or a bad value
     * @throws IllegalStateException if the record is deleted or a converted (read-only) lead
     */
    public void update(ObjectType type, CrmId id, Map<String, FieldValue> fields) {
        Objects.requireNonNull(fields, "fields");
        locked(() -> updateAt(state(type), id, fields, now()));
    }

    /**
     * Changes a record so that the change becomes visible late, with an older stamp.
     *
     * @param type the type
     * @param id the record
     * @param fields the values to change
     * @param stamp its new stamp (truncated to whole seconds), not after now
     */
    public void updateLate(ObjectType type, CrmId id, Map<String, FieldValue> fields, Instant stamp) {
        Objects.requireNonNull(fields, "fields");
        locked(() -> updateAt(state(type), id, fields, lateStamp(stamp)));
    }

    private void updateAt(TypeState t, CrmId id, Map<String, FieldValue> fields, long stamp) {
        int r = live(t, id);
        FieldValue[] values = t.values(r);
        if (isConverted(t, values)) {
            throw new IllegalStateException("lead " + id + " is converted and read-only");
        }
        patchAdmin(t, values, fields);
        if (t.type.equals(ObjectType.CAMPAIGN_MEMBER) && fields.containsKey("Status")) {
            memberStatus(t, values, true, false);    // a status the campaign lacks takes its default
        }
        t.store(r, values);
        t.restamp(r, stamp);
        if (t.type.equals(ObjectType.CAMPAIGN_MEMBER_STATUS)) {
            soleDefault(t, r, stamp);
        }
    }

    /**
     * Changes a calculated (formula or roll-up) field's value without bumping the record's stamp,
     * as Salesforce does when a formula's inputs on another record change.
     *
     * @param type the type
     * @param id the record (deleted ones too)
     * @param field a field with {@code calculated=true}
     * @param value its new value
     */
    public void setCalculated(ObjectType type, CrmId id, String field, FieldValue value) {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(value, "value");
        locked(() -> {
            TypeState t = state(type);
            int r = existing(t, id);
            Slot s = t.slot(field);
            if (s == null || !s.schema.calculated()) {
                throw new IllegalArgumentException("field '" + field + "' of " + type + " is not a calculated field");
            }
            FieldValue[] values = t.values(r);
            patchAdmin(t, values, Map.of(field, value));
            t.store(r, values);
        });
    }

    /**
     * Deletes a live record to the recycle bin: flagged deleted, stamp bumped. Campaign members
     * of a deleted lead, contact or campaign go with it, as in Salesforce. A campaign member
     * removed by itself is <b>hard-deleted</b>, as Salesforce removes one: gone at once, never in
     * the recycle bin, {@code queryAll} or the delete log ({@link #deletedSince}); only a check of
     * the ids shows it is gone.
     *
     * @param type the type
     * @param id the record
     * @throws IllegalStateException if already deleted
     */
    public void delete(ObjectType type, CrmId id) {
        locked(() -> {
            TypeState t = state(type);
            int r = live(t, id);
            if (type.equals(ObjectType.CAMPAIGN_MEMBER)) {
                t.vanish(r);
                return;
            }
            long now = now();
            t.markDeleted(r, now);
            cascadeDelete(type, id, now);
        });
    }

    private void cascadeDelete(ObjectType type, CrmId id, long now) {
        String field = switch (type.apiName()) {
            case "Lead" -> "LeadId";
            case "Contact" -> "ContactId";
            case "Campaign" -> "CampaignId";
            default -> null;
        };
        if (field == null) {
            return;
        }
        for (TypeState members : children(type)) {
            Slot s = members.slot(field);
            if (s == null) {
                continue;
            }
            FieldValue ref = FieldValue.ref(id);
            for (int m = 0, n = members.handles(); m < n; m++) {
                if (!members.purged(m) && !members.deleted(m) && ref.equals(members.values(m)[s.index])) {
                    members.markDeleted(m, now);
                }
            }
        }
    }

    /** The types whose records go (and come back) with a deleted (undeleted) record of {@code type}. */
    private List<TypeState> children(ObjectType type) {
        return type.equals(ObjectType.CAMPAIGN)
                ? List.of(types.get(ObjectType.CAMPAIGN_MEMBER), types.get(ObjectType.CAMPAIGN_MEMBER_STATUS))
                : List.of(types.get(ObjectType.CAMPAIGN_MEMBER));
    }

    /**
     * Restores a record from the recycle bin (stamp bumped). Campaign members deleted with it come back.
     *
     * @param type the type
     * @param id the record
     * @throws IllegalStateException if not in the recycle bin (or merged away)
     */
    public void undelete(ObjectType type, CrmId id) {
        locked(() -> {
            TypeState t = state(type);
            int r = existing(t, id);
            if (!t.deleted(r)) {
                throw new IllegalStateException(type + " " + id + " is not deleted");
            }
            Slot master = t.slot(MASTER);
            if (master != null && t.values(r)[master.index] != null) {
                throw new IllegalStateException(type + " " + id + " was merged away and cannot be undeleted");
            }
            long deletedAt = t.stamp(r);
            long now = now();
            t.markUndeleted(r, now);
            restoreMembers(type, id, deletedAt, now);
        });
    }

    private void restoreMembers(ObjectType type, CrmId id, long deletedAt, long now) {
        String field = switch (type.apiName()) {
            case "Lead" -> "LeadId";
            case "Contact" -> "ContactId";
            case "Campaign" -> "CampaignId";
            default -> null;
        };
        if (field == null) {
            return;
        }
        for (TypeState members : children(type)) {
            Slot s = members.slot(field);
            if (s == null) {
                continue;
            }
            FieldValue ref = FieldValue.ref(id);
            for (int m = 0, n = members.handles(); m < n; m++) {
                if (!members.purged(m) && members.deleted(m) && members.stamp(m) == deletedAt
                        && ref.equals(members.values(m)[s.index])) {
                    members.markUndeleted(m, now);
                }
            }
        }
    }

    /** Empties the recycle bin of every type now (as an administrator, or expiry, would). */
    public void purgeRecycleBin() {
        locked(() -> {
            for (TypeState t : types.values()) {
                List<Integer> gone = new ArrayList<>();
                while (!t.bin.isEmpty()) {
                    BinEntry e = t.bin.poll();
                    if (t.current(e)) {
                        gone.add(e.handle());
                    }
                }
                t.purge(gone);
            }
        });
    }

    /**
     * Converts a lead, as Salesforce's convertLead does. The lead stays, read-only, with
     * {@code IsConverted=true}, {@code ConvertedContactId}, {@code ConvertedAccountId} and
     * {@code ConvertedDate}. Without an existing contact, a new Account (from Company) and a new
     * Contact (from the person fields) are created; with one, its empty fields are filled from the
     * lead. The lead's campaign memberships get the contact's id.
     *
     * @param leadId a live, unconverted lead
     * @param existingContactOrNull a live contact to convert into, or null for a new one
     * @return the conversion
     */
    public Conversion convertLead(CrmId leadId, @Nullable CrmId existingContactOrNull) {
        Objects.requireNonNull(leadId, "leadId");
        return locked(() -> convertLocked(leadId, existingContactOrNull, null, null, false, null, null).conversion);
    }

    private record Converted(Conversion conversion, @Nullable CrmId opportunityId) {
    }

    /** The conversion itself, under the lock; {@code status} null leaves the lead's status as it is. */
    private Converted convertLocked(CrmId leadId, @Nullable CrmId existingContactOrNull,
                                    @Nullable CrmId existingAccountOrNull, @Nullable String status,
                                    boolean opportunity, @Nullable String opportunityName,
                                    @Nullable CrmId ownerId) {
        {
            TypeState leads = state(ObjectType.LEAD);
            TypeState contacts = state(ObjectType.CONTACT);
            TypeState accounts = state(ObjectType.ACCOUNT);
            int lead = live(leads, leadId);
            FieldValue[] lv = leads.values(lead);
            if (isConverted(leads, lv)) {
                throw new IllegalStateException("lead " + leadId + " is already converted");
            }
            long now = now();
            CrmId contactId;
            CrmId accountId = null;
            boolean newContact = existingContactOrNull == null;
            if (newContact) {
                if (existingAccountOrNull != null) {
                    accountId = existingAccountOrNull;
                    live(accounts, accountId);
                } else {
                    Map<String, FieldValue> acc = new HashMap<>();
                    StandardSchemas.LEAD_TO_ACCOUNT.forEach((from, to) -> copy(leads, lv, from, accounts, to, acc));
                    if (get(acc, "Name").isBlank()) {
                        acc.put("Name", get(leads, lv, "LastName"));
                    }
                    if (ownerId != null && accounts.slot("OwnerId") != null) {
                        acc.put("OwnerId", FieldValue.ref(ownerId));
                    }
                    accountId = insertAt(accounts, acc, now);
                }
                Map<String, FieldValue> con = new HashMap<>();
                if (ownerId != null && contacts.slot("OwnerId") != null) {
                    con.put("OwnerId", FieldValue.ref(ownerId));
                }
                StandardSchemas.LEAD_TO_CONTACT.forEach(f -> copy(leads, lv, f, contacts, f, con));
                StandardSchemas.LEAD_TO_CONTACT_ADDRESS.forEach((from, to) -> copy(leads, lv, from, contacts, to, con));
                if (contacts.slot("AccountId") != null) {
                    con.put("AccountId", FieldValue.ref(accountId));
                }
                contactId = insertAt(contacts, con, now);
            } else {
                contactId = existingContactOrNull;
                int c = live(contacts, contactId);
                FieldValue[] cv = contacts.values(c);
                Map<String, FieldValue> fill = new HashMap<>();
                StandardSchemas.LEAD_TO_CONTACT.forEach(f -> copy(leads, lv, f, contacts, f, fill));
                StandardSchemas.LEAD_TO_CONTACT_ADDRESS.forEach((from, to) -> copy(leads, lv, from, contacts, to, fill));
                fill.keySet().removeIf(f -> !get(contacts, cv, f).isBlank());
                FieldValue acc = get(contacts, cv, "AccountId");
                if (acc instanceof FieldValue.Ref ref) {
                    accountId = ref.id();
                } else {
                    Map<String, FieldValue> a = new HashMap<>();
                    StandardSchemas.LEAD_TO_ACCOUNT.forEach((from, to) -> copy(leads, lv, from, accounts, to, a));
                    if (get(a, "Name").isBlank()) {
                        a.put("Name", get(leads, lv, "LastName"));
                    }
                    accountId = insertAt(accounts, a, now);
                    if (contacts.slot("AccountId") != null) {
                        fill.put("AccountId", FieldValue.ref(accountId));
                    }
                }
                patchAdmin(contacts, cv, fill);
                contacts.store(c, cv);
                contacts.restamp(c, now);
            }
            CrmId opportunityId = null;
            if (opportunity && types.get(ObjectType.OPPORTUNITY) != null) {
                TypeState opps = types.get(ObjectType.OPPORTUNITY);
                Map<String, FieldValue> opp = new HashMap<>();
                String name = opportunityName;
                if (name == null) {
                    FieldValue an = get(accounts, accounts.values(live(accounts, accountId)), "Name");
                    name = (an instanceof FieldValue.Text t ? t.value() : "Opportunity") + "-";
                }
                opp.put("Name", FieldValue.text(name));
                opp.put("AccountId", FieldValue.ref(accountId));
                opp.put("StageName", FieldValue.text("Prospecting"));
                opp.put("CloseDate", FieldValue.date(LocalDate.ofInstant(Instant.ofEpochSecond(now), ZoneOffset.UTC)
                        .plusMonths(1)));
                copy(leads, lv, "LeadSource", opps, "LeadSource", opp);
                if (ownerId != null) {
                    opp.put("OwnerId", FieldValue.ref(ownerId));
                }
                opp.keySet().removeIf(f -> opps.slot(f) == null);
                opportunityId = insertAt(opps, opp, now);
                TypeState roles = types.get(ObjectType.OPPORTUNITY_CONTACT_ROLE);
                if (roles != null && roles.slot("OpportunityId") != null && roles.slot("ContactId") != null) {
                    Map<String, FieldValue> role = new HashMap<>();
                    role.put("OpportunityId", FieldValue.ref(opportunityId));
                    role.put("ContactId", FieldValue.ref(contactId));
                    role.put("IsPrimary", FieldValue.bool(true));
                    role.keySet().removeIf(f -> roles.slot(f) == null);
                    insertAt(roles, role, now);
                }
            }
            Map<String, FieldValue> conv = new HashMap<>();
            if (opportunityId != null) {
                conv.put("ConvertedOpportunityId", FieldValue.ref(opportunityId));
            }
            if (status != null) {
                conv.put("Status", FieldValue.text(status));
            }
            conv.put(SyncRecord.IS_CONVERTED, FieldValue.bool(true));
            conv.put(SyncRecord.CONVERTED_CONTACT_ID, FieldValue.ref(contactId));
            conv.put(SyncRecord.CONVERTED_ACCOUNT_ID, FieldValue.ref(accountId));
            conv.put("ConvertedDate", FieldValue.date(LocalDate.ofInstant(Instant.ofEpochSecond(now), ZoneOffset.UTC)));
            conv.keySet().removeIf(f -> leads.slot(f) == null);
            patchAdmin(leads, lv, conv);
            leads.store(lead, lv);
            leads.restamp(lead, now);
            // campaign members keep LeadId and gain ContactId
            TypeState members = types.get(ObjectType.CAMPAIGN_MEMBER);
            Slot leadSlot = members.slot("LeadId");
            Slot contactSlot = members.slot("ContactId");
            if (leadSlot != null && contactSlot != null) {
                FieldValue ref = FieldValue.ref(leadId);
                for (int m = 0, n = members.handles(); m < n; m++) {
                    if (members.purged(m) || members.deleted(m)) {
                        continue;
                    }
                    FieldValue[] mv = members.values(m);
                    if (ref.equals(mv[leadSlot.index]) && mv[contactSlot.index] == null) {
                        mv[contactSlot.index] = FieldValue.ref(contactId);
                        members.store(m, mv);
                        members.restamp(m, now);
                    }
                }
            }
            return new Converted(new Conversion(leadId, contactId, accountId, newContact), opportunityId);
        }
    }

    private static void copy(TypeState from, FieldValue[] fv, String fromField, TypeState to, String toField,
                             Map<String, FieldValue> into) {
        Slot s = from.slot(fromField);
        Slot d = to.slot(toField);
        if (s == null || d == null) {
            return;
        }
        FieldValue v = fv[s.index];
        if (v != null && !v.isNull() && d.schema.type().accepts(v)) {
            into.put(toField, v);
        }
    }

    /**
     * Merges records as Salesforce's merge does: the losers (at most two) are deleted with
     * {@code MasterRecordId} set to the master and go to the recycle bin; records referring to a
     * loser (campaign members, contact roles, activities, converted leads, …) are re-pointed to the
     * master, except a campaign member that would duplicate one of the master's, which is deleted.
     * Every touched record's stamp is bumped. The master keeps its own values.
     *
     * @param type Lead, Contact or Account
     * @param master the surviving live record
     * @param losers one or two other live records
     */
    public void merge(ObjectType type, CrmId master, List<CrmId> losers) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(master, "master");
        List<CrmId> lost = List.copyOf(losers);
        if (!type.equals(ObjectType.LEAD) && !type.equals(ObjectType.CONTACT) && !type.equals(ObjectType.ACCOUNT)) {
            throw new IllegalArgumentException("merge supports Lead, Contact and Account, not " + type);
        }
        if (lost.isEmpty() || lost.size() > 2) {
            throw new IllegalArgumentException("merge takes one or two losers, got " + lost.size());
        }
        if (new HashSet<>(lost).size() != lost.size() || lost.contains(master)) {
            throw new IllegalArgumentException("merge losers must be distinct and differ from the master " + master
                    + ": " + lost);
        }
        locked(() -> mergeLocked(type, master, lost));
    }

    /** The merge itself, under the lock. @return the related records re-pointed to the master */
    private List<CrmId> mergeLocked(ObjectType type, CrmId master, List<CrmId> lost) {
        {
            TypeState t = state(type);
            int m = live(t, master);
            List<Integer> loserRecs = new ArrayList<>();
            for (CrmId id : lost) {
                loserRecs.add(live(t, id));
            }
            if (type.equals(ObjectType.LEAD)) {
                for (int i = 0; i < lost.size(); i++) {
                    if (isConverted(t, t.values(loserRecs.get(i)))) {
                        throw new IllegalStateException("converted lead " + lost.get(i) + " cannot be merged");
                    }
                }
                if (isConverted(t, t.values(m))) {
                    throw new IllegalStateException("converted lead " + master + " cannot be merged");
                }
            }
            long now = now();
            Slot ms = t.slot(MASTER);
            for (int r : loserRecs) {
                if (ms != null) {
                    FieldValue[] v = t.values(r);
                    v[ms.index] = FieldValue.ref(master);
                    t.store(r, v);
                }
                t.markDeleted(r, now);
            }
            t.restamp(m, now);
            return repoint(type, new HashSet<>(lost), master, now);
        }
    }

    private List<CrmId> repoint(ObjectType type, Set<CrmId> losers, CrmId master, long now) {
        List<CrmId> related = new ArrayList<>();
        Set<FieldValue> loserRefs = new HashSet<>();
        losers.forEach(id -> loserRefs.add(FieldValue.ref(id)));
        FieldValue masterRef = FieldValue.ref(master);
        for (TypeState t : types.values()) {
            List<Slot> refSlots = new ArrayList<>();
            for (Slot s : t.activeSlots()) {
                if (s.schema.type() == FieldType.REFERENCE && !s.name().equals(MASTER)
                        && (s.schema.referenceTo().isEmpty() || s.schema.referenceTo().contains(type.apiName()))) {
                    refSlots.add(s);
                }
            }
            if (refSlots.isEmpty()) {
                continue;
            }
            boolean members = t.type.equals(ObjectType.CAMPAIGN_MEMBER);
            for (int r = 0, n = t.handles(); r < n; r++) {
                if (t.purged(r) || t.deleted(r)) {
                    continue;
                }
                FieldValue[] v = t.values(r);
                boolean changed = false;
                for (Slot s : refSlots) {
                    if (v[s.index] != null && loserRefs.contains(v[s.index])) {
                        v[s.index] = masterRef;
                        changed = true;
                    }
                }
                if (!changed) {
                    continue;
                }
                if (members && duplicateMember(t, r, v)) {
                    t.markDeleted(r, now);
                } else {
                    t.store(r, v);
                    t.restamp(r, now);
                    related.add(t.idOf(r));
                }
            }
        }
        return related;
    }

    /** @return true if another live member has the same campaign and the same lead or contact */
    /** @param self the member's own handle, or -1 for a new one */
    private boolean duplicateMember(TypeState t, int self, FieldValue[] v) {
        Slot camp = t.slot("CampaignId");
        Slot lead = t.slot("LeadId");
        Slot contact = t.slot("ContactId");
        if (camp == null || v[camp.index] == null) {
            return false;
        }
        for (int r = 0, n = t.handles(); r < n; r++) {
            if (r == self || t.purged(r) || t.deleted(r)) {
                continue;
            }
            FieldValue[] o = t.values(r);
            if (!v[camp.index].equals(o[camp.index])) {
                continue;
            }
            if (lead != null && v[lead.index] != null && v[lead.index].equals(o[lead.index])) {
                return true;
            }
            if (contact != null && v[contact.index] != null && v[contact.index].equals(o[contact.index])) {
                return true;
            }
        }
        return false;
    }

    // =========================================================================================
    // Admin views
    // =========================================================================================

    /**
     * The administrator's view of one record: every non-empty field (hidden ones included),
     * deleted records included (flagged).
     *
     * @param type the type
     * @param id the record
     * @return the record, or empty if unknown or purged
     */
    public Optional<SyncRecord> get(ObjectType type, CrmId id) {
        Objects.requireNonNull(id, "id");
        return locked(() -> {
            TypeState t = state(type);
            int r = t.find(id);
            return r < 0 ? Optional.empty() : Optional.of(adminView(t, r));
        });
    }

    /**
     * When a record was created ({@code CreatedDate}): the stamp it was created with, which later
     * edits do not change ({@link #insertLate} gives the late stamp).
     *
     * @param type the type
     * @param id the record
     * @return its creation instant, or empty if unknown or purged
     */
    public Optional<Instant> createdDate(ObjectType type, CrmId id) {
        Objects.requireNonNull(id, "id");
        return locked(() -> {
            TypeState t = state(type);
            int r = t.find(id);
            return r < 0 ? Optional.empty() : Optional.of(Instant.ofEpochSecond(t.created(r)));
        });
    }

    /**
     * @param type the type
     * @return the administrator's view of every live (not deleted) record, in id order
     */
    public List<SyncRecord> records(ObjectType type) {
        return locked(() -> {
            TypeState t = state(type);
            List<SyncRecord> out = new ArrayList<>(t.liveCount);
            for (int r = 0, n = t.handles(); r < n; r++) {
                if (!t.purged(r) && !t.deleted(r)) {
                    out.add(adminView(t, r));
                }
            }
            return out;
        });
    }

    /** @param type the type @return how many live (not deleted) records it has */
    public long count(ObjectType type) {
        return locked(() -> (long) state(type).liveCount);
    }

    private SyncRecord adminView(TypeState t, int r) {
        FieldValue[] v = t.values(r);
        Map<String, FieldValue> m = new HashMap<>();
        for (Slot s : t.activeSlots()) {
            if (v[s.index] != null) {
                m.put(s.name(), v[s.index]);
            }
        }
        return new SyncRecord(t.type, t.idOf(r), m, Instant.ofEpochSecond(t.stamp(r)), t.deleted(r));
    }

    // =========================================================================================
    // Rules
    // =========================================================================================

    /**
     * Adds a rule that rejects API writes ({@link #write}) of a type, as a Salesforce validation
     * rule (code {@code FIELD_CUSTOM_VALIDATION_EXCEPTION}) or duplicate rule
     * ({@code DUPLICATES_DETECTED}) does. CRM-user edits are not checked.
     *
     * @param type the type
     * @param code the status code of the rejection
     * @param message its message
     * @param rejects given the record's values as they would be after the write (non-empty fields
     *     only), true to reject it
     */
    public void addValidationRule(ObjectType type, String code, String message,
                                  Predicate<Map<String, FieldValue>> rejects) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(rejects, "rejects");
        if (code.isBlank()) {
            throw new IllegalArgumentException("rule code must not be blank");
        }
        locked(() -> validationRules.computeIfAbsent(type, k -> new ArrayList<>())
                .add(new Rule(code, message, rejects)));
    }

    /**
     * Adds a duplicate rule: an API write is rejected with {@code DUPLICATES_DETECTED} when another
     * live record of the type has the same non-blank value in the field (text compared ignoring
     * case). Costs a scan of the type per write.
     *
     * @param type the type
     * @param field the matching field
     */
    public void addDuplicateRule(ObjectType type, String field) {
        Objects.requireNonNull(field, "field");
        locked(() -> {
            if (state(type).slot(field) == null) {
                throw new IllegalArgumentException("no field '" + field + "' on " + type);
            }
            duplicateRules.computeIfAbsent(type, k -> new ArrayList<>()).add(field);
        });
    }

    /** Removes every validation rule, duplicate rule and row lock. */
    public void clearRules() {
        locked(() -> {
            validationRules.clear();
            duplicateRules.clear();
            lockedRows.clear();
        });
    }

    /**
     * Locks a record: its next {@code times} API writes fail with {@code UNABLE_TO_LOCK_ROW}
     * (retriable), as when another transaction holds the row.
     *
     * @param id the record
     * @param times how many writes fail, at least 1
     */
    public void lockRecord(CrmId id, int times) {
        Objects.requireNonNull(id, "id");
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1, was " + times);
        }
        locked(() -> lockedRows.merge(id, times, Integer::sum));
    }

    // =========================================================================================
    // Faults and call counts
    // =========================================================================================

    /**
     * The faults of this CRM's {@link CrmSource} operations, seeded from the builder's seed. A
     * {@link Fault#retriable()} failure throws {@link dev.crmsync.model.RetriableSyncException}, a
     * {@link Fault#fatal()} one {@link dev.crmsync.model.SyncException}, a spent quota
     * {@link dev.crmsync.model.QuotaExceededException} (a refused call is not counted); latency is
     * spent through the builder's {@link Sleeper}; {@link Fault#loseAnswer()} applies the call (a
     * {@code write} commits) and then fails retriably; {@link FaultPlan#reject} makes {@code write}
     * reject updates of that record.
     *
     * @return the live fault plan
     */
    public FaultPlan<CrmOperation> faults() {
        return faults;
    }

    /** @return the log of the {@link CrmSource} calls made to this CRM (CRM-user edits are not calls) */
    public CallLog<CrmOperation> log() {
        return log;
    }

    /** @return the count of every {@link CrmOperation}, by {@link CrmOperation#callName()}, zeros included */
    @Override
    public Map<String, Long> callCounts() {
        Map<String, Long> out = new TreeMap<>();
        for (CrmOperation op : CrmOperation.values()) {
            out.put(op.callName(), log.count(op));
        }
        return Collections.unmodifiableMap(out);
    }

    /** Counts a call, applies the fault plan before it; never holds the lock. */
    private FaultPlan.Due call(CrmOperation op, @Nullable ObjectType type, int size) {
        if (closed.get()) {
            throw new IllegalStateException("InMemoryCrm is closed");
        }
        FaultPlan.Due due = faults.onCall(op);
        if (due.fault() instanceof Fault.QuotaExceeded) {
            due.failBefore(op.callName());   // refused: not counted
        }
        log.record(op, type, size);
        if (!due.delay().isZero()) {
            inFlight.sleep(sleeper, due.delay(), "injected latency of " + op.callName());
        }
        due.failBefore(op.callName());
        return due;
    }

    /** Hands back a call's answer, or loses it if the plan says so. */
    private static <T> T answered(FaultPlan.Due due, CrmOperation op, T answer) {
        due.failAfter(op.callName());
        return answer;
    }

    // =========================================================================================
    // CrmSource
    // =========================================================================================

    @Override
    public Set<ObjectType> availableTypes() {
        FaultPlan.Due due = call(CrmOperation.AVAILABLE_TYPES, null, 0);
        return answered(due, CrmOperation.AVAILABLE_TYPES, locked(() -> {
            Set<ObjectType> out = new LinkedHashSet<>();
            types.forEach((k, v) -> {
                if (!v.hidden) {
                    out.add(k);
                }
            });
            return Collections.unmodifiableSet(out);
        }));
    }

    @Override
    public Optional<ObjectSchema> describe(ObjectType type) {
        Objects.requireNonNull(type, "type");
        FaultPlan.Due due = call(CrmOperation.DESCRIBE, type, 1);
        return answered(due, CrmOperation.DESCRIBE, locked(() -> {
            TypeState t = types.get(type);
            if (t == null || t.hidden) {
                return Optional.empty();
            }
            List<FieldSchema> fields = new ArrayList<>();
            for (Slot s : t.describeOrder()) {
                if (!s.hidden) {
                    fields.add(s.schema.readable() ? s.schema : s.schema.toBuilder().readable(true).build());
                }
            }
            return Optional.of(new ObjectSchema(type, fields, true, type.isBidirectional(), type.isBidirectional()));
        }));
    }

    @Override
    public ChangeStream openChanges(ChangeQuery query) {
        Objects.requireNonNull(query, "query");
        if (closed.get()) {
            throw new IllegalStateException("InMemoryCrm is closed");
        }
        return locked(() -> {
            TypeState t = queryable(query.type());
            Stream s = new Stream(t, query);
            long total = 0;
            for (Bucket b : t.buckets.tailMap(s.stamp, true).values()) {
                total += b.live;
            }
            s.estimate = total;
            return s;
        });
    }

    /** A keyset read over the (stamp, id) index; each page re-reads the live index. */
    private final class Stream implements ChangeStream {
        private final TypeState t;
        private final Set<String> fields;
        private final int pageSize;
        private long stamp;
        private CrmId lastId;
        private long estimate;
        private boolean streamClosed;

        Stream(TypeState t, ChangeQuery q) {
            this.t = t;
            this.fields = q.fields();
            this.pageSize = Math.min(q.pageSize(), maxPageSize);
            Cursor after = q.after();
            if (after.modstamp().getNano() != 0) {
                // no record carries a fractional stamp: start at the next whole second
                this.stamp = after.modstamp().getEpochSecond() + 1;
                this.lastId = null;
            } else {
                this.stamp = after.modstamp().getEpochSecond();
                this.lastId = after.lastId();
            }
        }

        @Override
        public List<SyncRecord> nextPage() {
            if (streamClosed) {
                throw new IllegalStateException("change stream is closed");
            }
            FaultPlan.Due due = call(CrmOperation.READ_PAGE, t.type, 0);
            return answered(due, CrmOperation.READ_PAGE, locked(() -> {
                queryable(t.type);
                List<Slot> sel = selected(t, fields);
                List<SyncRecord> page = new ArrayList<>(Math.min(pageSize, 256));
                var it = t.buckets.tailMap(stamp, true).values().iterator();
                while (it.hasNext() && page.size() < pageSize) {
                    Bucket b = it.next();
                    b.normalize();
                    int i = 0;
                    if (b.stamp == stamp && lastId != null) {
                        i = firstAfter(b, lastId.shortForm());
                    }
                    for (; i < b.size && page.size() < pageSize; i++) {
                        int r = b.hs[i];
                        if (b.holds(r)) {
                            page.add(integrationView(t, r, sel));
                        }
                    }
                }
                if (!page.isEmpty()) {
                    SyncRecord last = page.get(page.size() - 1);
                    stamp = last.modstamp().getEpochSecond();
                    lastId = last.id();
                }
                return page;
            }));
        }

        private int firstAfter(Bucket b, String after) {
            int lo = 0;
            int hi = b.size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (t.shortId(b.hs[mid]).compareTo(after) <= 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        @Override
        public OptionalLong estimatedTotal() {
            return OptionalLong.of(estimate);
        }

        @Override
        public void close() {
            streamClosed = true;
        }
    }

    private static List<Slot> selected(TypeState t, Set<String> fields) {
        List<Slot> sel = new ArrayList<>(fields.size());
        for (String f : fields) {
            Slot s = t.slot(f);
            if (s != null && !s.hidden && !s.schema.type().isUnsyncable()) {
                sel.add(s);
            }
        }
        return sel;
    }

    private SyncRecord integrationView(TypeState t, int r, List<Slot> sel) {
        FieldValue[] v = t.values(r);
        Map<String, FieldValue> m = new HashMap<>(sel.size() * 2);
        for (Slot s : sel) {
            FieldValue x = v[s.index];
            m.put(s.name(), x == null ? FieldValue.NULL : x);
        }
        return new SyncRecord(t.type, t.idOf(r), m, Instant.ofEpochSecond(t.stamp(r)), t.deleted(r));
    }

    @Override
    public DeletedRecords deletedSince(ObjectType type, Instant start, Instant end) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("end " + end + " must be after start " + start);
        }
        FaultPlan.Due due = call(CrmOperation.DELETED_SINCE, type, 0);
        return answered(due, CrmOperation.DELETED_SINCE, locked(() -> {
            TypeState t = queryable(type);
            Instant now = Instant.ofEpochSecond(now());
            Instant covered = end.isBefore(now) ? end : now;
            if (covered.isBefore(start)) {
                covered = start;
            }
            List<Deletion> out = new ArrayList<>();
            Set<Integer> seen = new HashSet<>();
            for (BinEntry e : t.bin) {
                if (!t.current(e) || !seen.add(e.handle())) {
                    continue;
                }
                Instant at = Instant.ofEpochSecond(e.deletedAt());
                if (!at.isBefore(start) && at.isBefore(covered)) {
                    out.add(new Deletion(t.idOf(e.handle()), at));
                }
            }
            out.sort((a, b) -> a.deletedAt().equals(b.deletedAt())
                    ? a.crmId().compareTo(b.crmId()) : a.deletedAt().compareTo(b.deletedAt()));
            Instant earliest = t.deleteLogCompleteFrom == Long.MIN_VALUE
                    ? Instant.EPOCH : Instant.ofEpochSecond(t.deleteLogCompleteFrom);
            return new DeletedRecords(out, earliest, covered);
        }));
    }

    @Override
    public List<SyncRecord> fetch(ObjectType type, Collection<CrmId> ids, Set<String> fields) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(fields, "fields");
        if (ids.size() > maxPageSize) {
            throw new IllegalArgumentException("fetch takes at most " + maxPageSize + " ids, got " + ids.size());
        }
        List<CrmId> idList = List.copyOf(ids);
        Set<String> fieldSet = Set.copyOf(fields);
        FaultPlan.Due due = call(CrmOperation.FETCH, type, idList.size());
        return answered(due, CrmOperation.FETCH, locked(() -> {
            TypeState t = queryable(type);
            List<Slot> sel = selected(t, fieldSet);
            List<SyncRecord> out = new ArrayList<>();
            Set<CrmId> seen = new HashSet<>();
            for (CrmId id : idList) {
                if (!seen.add(id)) {
                    continue;
                }
                int r = t.find(id);
                if (r >= 0) {
                    out.add(integrationView(t, r, sel));
                }
            }
            return out;
        }));
    }

    @Override
    public List<CrmWriteResult> write(ObjectType type, List<? extends CrmWrite> writes) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(writes, "writes");
        if (!type.isBidirectional()) {
            throw new IllegalArgumentException("writes are accepted only for bidirectional types, not " + type);
        }
        if (writes.size() > maxWriteBatch) {
            throw new IllegalArgumentException("a write batch holds at most " + maxWriteBatch + " records, got "
                    + writes.size());
        }
        List<CrmWrite> batch = List.copyOf(writes);
        FaultPlan.Due due = call(CrmOperation.WRITE, type, batch.size());
        unparseable(type, batch);
        return answered(due, CrmOperation.WRITE, locked(() -> {
            TypeState t = queryable(type);
            long now = now();
            List<CrmWriteResult> out = new ArrayList<>(batch.size());
            for (CrmWrite w : batch) {
                if (w instanceof CrmWrite.Create c) {
                    out.add(apiCreate(t, c.fields(), now));
                } else if (w instanceof CrmWrite.Upsert u) {
                    out.add(apiUpsert(t, u, now));
                } else {
                    out.add(apiUpdate(t, ((CrmWrite.Update) w).id(), w.fields(), now));
                }
            }
            return out;
        }));
    }

    /**
     * {@inheritDoc}
     *
     * <p>As Salesforce's {@code DELETE /composite/sobjects}: each record goes to the recycle bin
     * (flagged deleted, stamp bumped, its campaign members with it); one already deleted or purged
     * counts as deleted; an id of another type is {@code MALFORMED_ID}, a converted lead
     * {@code CANNOT_UPDATE_CONVERTED_LEAD}, a locked row {@code UNABLE_TO_LOCK_ROW} (retriable);
     * the fault plan's rejections apply.
     */
    @Override
    public List<CrmWriteResult> delete(ObjectType type, List<CrmId> ids) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(ids, "ids");
        if (!type.isBidirectional()) {
            throw new IllegalArgumentException("deletes are accepted only for bidirectional types, not " + type);
        }
        if (ids.size() > maxWriteBatch) {
            throw new IllegalArgumentException("a delete batch holds at most " + maxWriteBatch + " records, got "
                    + ids.size());
        }
        if (new java.util.HashSet<>(ids).size() != ids.size()) {
            throw new IllegalArgumentException("a delete batch holds an id twice");
        }
        List<CrmId> batch = List.copyOf(ids);
        FaultPlan.Due due = call(CrmOperation.DELETE, type, batch.size());
        return answered(due, CrmOperation.DELETE, locked(() -> {
            TypeState t = queryable(type);
            long now = now();
            List<CrmWriteResult> out = new ArrayList<>(batch.size());
            for (CrmId id : batch) {
                out.add(apiDelete(t, id, now));
            }
            return out;
        }));
    }

    /** Lead statuses that convert (Salesforce's default {@code LeadStatus} with {@code IsConverted=true}). */
    public static final Set<String> CONVERTED_LEAD_STATUSES = Set.of("Closed - Converted");

    /**
     * {@inheritDoc}
     *
     * <p>As Salesforce's SOAP {@code convertLead()}: the lead stays, read-only, with
     * {@code IsConverted}, {@code ConvertedContactId}, {@code ConvertedAccountId},
     * {@code ConvertedOpportunityId}, {@code ConvertedDate} and the converted status set, and remains
     * visible to reads (converted, as after a conversion made in the CRM); a new Account (from
     * Company, unless one is given), a new Contact (unless one is given, whose empty fields are then
     * filled) and, unless {@code doNotCreateOpportunity}, an Opportunity ("{@code <account>-}"
     * unless named) with a primary contact role. Refusals, as Salesforce answers them: an id that is
     * not a lead's {@code MALFORMED_ID}, an unknown one {@code INVALID_CROSS_REFERENCE_KEY}, a
     * deleted lead (or a deleted account or contact) {@code ENTITY_IS_DELETED}, a converted one
     * {@code CANNOT_UPDATE_CONVERTED_LEAD}, a status not in {@link #CONVERTED_LEAD_STATUSES}
     * {@code INVALID_STATUS}; the fault plan's rejections apply. Counted as {@code convertLead}.
     */
    @Override
    public dev.crmsync.crm.LeadConvertResult convertLead(dev.crmsync.crm.LeadConvert request) {
        Objects.requireNonNull(request, "request");
        FaultPlan.Due due = call(CrmOperation.CONVERT_LEAD, ObjectType.LEAD, 1);
        return answered(due, CrmOperation.CONVERT_LEAD, locked(() -> {
            CrmId leadId = request.leadId();
            TypeState leads = queryable(ObjectType.LEAD);
            CrmWriteResult.Rejected refused = refuseMissing(leads, leadId, "leadId");
            if (refused == null && request.contactId() != null) {
                refused = refuseMissing(queryable(ObjectType.CONTACT), request.contactId(), "contactId");
            }
            if (refused == null && request.accountId() != null) {
                refused = refuseMissing(queryable(ObjectType.ACCOUNT), request.accountId(), "accountId");
            }
            if (refused == null) {
                Optional<Fault.Reject> planned = faults.rejection(leadId);
                if (planned.isPresent()) {
                    refused = new CrmWriteResult.Rejected(planned.get().code(), "rejected by the fault plan",
                            List.of(), planned.get().retriable());
                }
            }
            if (refused == null && isConverted(leads, leads.values(leads.find(leadId)))) {
                refused = reject("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", List.of());
            }
            if (refused == null && !CONVERTED_LEAD_STATUSES.contains(request.convertedStatus())) {
                refused = reject("INVALID_STATUS", "invalid convertedStatus: " + request.convertedStatus(),
                        List.of("ConvertedStatus"));
            }
            if (refused != null) {
                return dev.crmsync.crm.LeadConvertResult.rejected(leadId, refused);
            }
            Converted c = convertLocked(leadId, request.contactId(), request.accountId(), request.convertedStatus(),
                    !request.doNotCreateOpportunity(), request.opportunityName(), request.ownerId());
            return new dev.crmsync.crm.LeadConvertResult(leadId, c.conversion().contactId(),
                    c.conversion().accountId(), c.opportunityId(), null);
        }));
    }

    /**
     * {@inheritDoc}
     *
     * <p>As Salesforce's SOAP {@code merge()}: see {@link #merge(ObjectType, CrmId, List)}, which this
     * runs as the API does. Refusals: an id of another type {@code MALFORMED_ID}, an unknown one
     * {@code INVALID_CROSS_REFERENCE_KEY}, a deleted (or merged away) record {@code ENTITY_IS_DELETED},
     * a converted lead {@code CANNOT_UPDATE_CONVERTED_LEAD}, a locked row {@code UNABLE_TO_LOCK_ROW};
     * the fault plan's rejections apply (to the master). Counted as {@code merge}.
     */
    @Override
    public dev.crmsync.crm.MergeResult mergeRecords(ObjectType type, CrmId masterId, List<CrmId> loserIds) {
        CrmSource.checkMerge(type, masterId, loserIds);
        List<CrmId> lost = List.copyOf(loserIds);
        FaultPlan.Due due = call(CrmOperation.MERGE, type, 1 + lost.size());
        return answered(due, CrmOperation.MERGE, locked(() -> {
            TypeState t = queryable(type);
            List<CrmId> all = new ArrayList<>();
            all.add(masterId);
            all.addAll(lost);
            CrmWriteResult.Rejected refused = null;
            for (int i = 0; i < all.size() && refused == null; i++) {
                refused = refuseMissing(t, all.get(i), i == 0 ? "masterRecord" : "recordToMergeIds");
            }
            if (refused == null) {
                Optional<Fault.Reject> planned = faults.rejection(masterId);
                if (planned.isPresent()) {
                    refused = new CrmWriteResult.Rejected(planned.get().code(), "rejected by the fault plan",
                            List.of(), planned.get().retriable());
                }
            }
            for (int i = 0; i < all.size() && refused == null; i++) {
                if (isConverted(t, t.values(t.find(all.get(i))))) {
                    refused = reject("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", List.of());
                }
            }
            for (int i = 0; i < all.size() && refused == null; i++) {
                refused = takeLock(all.get(i));
            }
            if (refused != null) {
                return dev.crmsync.crm.MergeResult.rejected(masterId, refused);
            }
            List<CrmId> related = mergeLocked(type, masterId, lost);
            return new dev.crmsync.crm.MergeResult(masterId, lost, related, null);
        }));
    }

    /** @return the refusal for an id that is not a live record of {@code t}, or null */
    private static CrmWriteResult.@Nullable Rejected refuseMissing(TypeState t, CrmId id, String field) {
        if (!id.keyPrefix().equals(t.prefix)) {
            return reject("MALFORMED_ID", t.type + " ID: id value of incorrect type: " + id, List.of(field));
        }
        int r = t.find(id);
        if (r < 0) {
            return reject("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", List.of(field));
        }
        if (t.deleted(r)) {
            return reject("ENTITY_IS_DELETED", "entity is deleted", List.of(field));
        }
        return null;
    }

    private CrmWriteResult apiDelete(TypeState t, CrmId id, long now) {
        if (t.counterOf(id) < 0 && !id.keyPrefix().equals(t.prefix)) {
            return reject("MALFORMED_ID", t.type + " ID: id value of incorrect type: " + id, List.of("Id"));
        }
        int r = t.find(id);
        if (r < 0 || t.deleted(r)) {
            return new CrmWriteResult.Written(id, false, null);     // gone already: deleted
        }
        Optional<Fault.Reject> planned = faults.rejection(id);
        if (planned.isPresent()) {
            return new CrmWriteResult.Rejected(planned.get().code(), "rejected by the fault plan", List.of(),
                    planned.get().retriable());
        }
        if (isConverted(t, t.values(r))) {
            return reject("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", List.of());
        }
        CrmWriteResult.Rejected locked = takeLock(id);
        if (locked != null) {
            return locked;
        }
        if (t.type.equals(ObjectType.CAMPAIGN_MEMBER)) {
            t.vanish(r);            // a removed member is hard-deleted, as in Salesforce
            return new CrmWriteResult.Written(id, false, null);
        }
        t.markDeleted(r, now);
        cascadeDelete(t.type, id, now);
        return new CrmWriteResult.Written(id, false, null);
    }

    @Override
    public int maxPageSize() {
        return maxPageSize;
    }

    @Override
    public int maxWriteBatch() {
        return maxWriteBatch;
    }

    /** {@inheritDoc} <p>Zero unless the builder said otherwise: this fake commits within the call. */
    @Override
    public Duration maxWriteDuration() {
        return maxWriteDuration;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Ends the thread's wait in injected latency (the only place a call of this fake blocks).
     */
    @Override
    public void wakeup(Thread caller) {
        inFlight.wakeup(Objects.requireNonNull(caller, "caller must not be null"));
    }

    /** Marks the source closed: later {@link CrmSource} calls fail; administration still works. Idempotent. */
    @Override
    public void close() {
        closed.set(true);
    }

    // =========================================================================================
    // API writes
    // =========================================================================================

    /**
     * Refuses the whole batch as Salesforce's JSON parser refuses a request body it cannot read
     * ({@code 400 JSON_PARSER_ERROR}, nothing written): a number no double can hold ({@code 1E+400})
     * or a date whose year has no four-digit ISO form (-5000, 99999), in any field.
     */
    private static void unparseable(ObjectType type, List<CrmWrite> batch) {
        for (CrmWrite w : batch) {
            for (Map.Entry<String, FieldValue> e : new TreeMap<>(w.fields()).entrySet()) {
                FieldValue v = e.getValue();
                boolean bad = v instanceof FieldValue.Number n && !FieldChecks.finiteAsDouble(n.value())
                        || v instanceof FieldValue.Date d && (d.value().getYear() < 0 || d.value().getYear() > 9999)
                        || v instanceof FieldValue.DateTime t && (t.value().isBefore(Instant.parse("0000-01-01T00:00:00Z"))
                        || t.value().isAfter(Instant.parse("9999-12-31T23:59:59.999Z")));
                if (bad) {
                    throw new SyncException("JSON_PARSER_ERROR: the request body could not be parsed at field '"
                            + e.getKey() + "' (HTTP 400); nothing was written", type, null, null);
                }
            }
        }
    }

    /** @return a locked row's rejection (using up one of the times it was locked for), or null if not locked */
    private CrmWriteResult.@Nullable Rejected takeLock(CrmId id) {
        Integer locks = lockedRows.get(id);
        if (locks == null) {
            return null;
        }
        if (locks <= 1) {
            lockedRows.remove(id);
        } else {
            lockedRows.put(id, locks - 1);
        }
        return new CrmWriteResult.Rejected("UNABLE_TO_LOCK_ROW",
                "unable to obtain exclusive access to this record or 1 records: " + id, List.of(), true);
    }

    private static CrmWriteResult.Rejected reject(String code, String message, List<String> fields) {
        return new CrmWriteResult.Rejected(code, message, fields, false);
    }

    private CrmWriteResult apiCreate(TypeState t, Map<String, FieldValue> fields, long now) {
        CrmWriteResult.Rejected bad = checkFields(t, fields, true);
        if (bad != null) {
            return bad;
        }
        FieldValue[] values = new FieldValue[t.slots.size()];
        applyDefaults(t, values);
        patch(t, values, fields);
        bad = checkReferences(t, fields);
        if (bad == null) {
            bad = checkRequired(t, values, null);
        }
        if (bad == null && t.type.equals(ObjectType.CAMPAIGN_MEMBER) && duplicateMember(t, -1, values)) {
            bad = reject("DUPLICATE_VALUE", "Already a campaign member.", List.of());
        }
        if (bad == null && t.type.equals(ObjectType.CAMPAIGN_MEMBER)) {
            bad = memberStatus(t, values, fields.containsKey("Status"), true);
        }
        if (bad == null) {
            bad = checkRules(t, -1, values);
        }
        if (bad != null) {
            return bad;
        }
        int h = t.create(now, values);
        afterCreate(t, h, now);
        return new CrmWriteResult.Written(t.idOf(h), true, Instant.ofEpochSecond(now));
    }

    /**
     * An upsert as Salesforce does it: the field must be one describe marks {@code externalId}
     * (else {@code NOT_FOUND}); no live record holding the value (compared case-insensitively, as
     * an external id that is not case-sensitive) → a create with the value set; one → an update of
     * it ({@code created=false}); several → {@code DUPLICATE_EXTERNAL_ID}.
     */
    private CrmWriteResult apiUpsert(TypeState t, CrmWrite.Upsert u, long now) {
        Slot key = t.slot(u.externalIdField());
        if (key == null || key.hidden || !key.schema.externalId()) {
            return reject("NOT_FOUND", "Provided external ID field does not exist or is not accessible: "
                    + u.externalIdField(), List.of(u.externalIdField()));
        }
        List<Integer> matches = new ArrayList<>();
        String wanted = u.externalId().toLowerCase(Locale.ROOT);
        for (int r = 0, n = t.handles(); r < n; r++) {
            if (t.purged(r) || t.deleted(r)) {
                continue;
            }
            FieldValue v = t.values(r)[key.index];
            if (!blank(v) && v.asText().toLowerCase(Locale.ROOT).equals(wanted)) {
                matches.add(r);
            }
        }
        if (matches.isEmpty()) {
            return apiCreate(t, u.allFields(), now);
        }
        if (matches.size() > 1) {
            List<String> ids = matches.stream().map(r -> t.idOf(r).value()).toList();
            return reject("DUPLICATE_EXTERNAL_ID", u.externalIdField() + ": more than one record found for external id"
                    + " field: " + ids, List.of(u.externalIdField()));
        }
        return apiUpdate(t, t.idOf(matches.get(0)), u.fields(), now);
    }

    private CrmWriteResult apiUpdate(TypeState t, CrmId id, Map<String, FieldValue> fields, long now) {
        if (t.counterOf(id) < 0 && !id.keyPrefix().equals(t.prefix)) {
            return reject("MALFORMED_ID", t.type + " ID: id value of incorrect type: " + id, List.of("Id"));
        }
        int r = t.find(id);
        if (r < 0) {
            return reject("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", List.of("Id"));
        }
        if (t.deleted(r)) {
            return reject("ENTITY_IS_DELETED", "entity is deleted", List.of());
        }
        Optional<Fault.Reject> planned = faults.rejection(id);
        if (planned.isPresent()) {
            return new CrmWriteResult.Rejected(planned.get().code(), "rejected by the fault plan", List.of(),
                    planned.get().retriable());
        }
        FieldValue[] values = t.values(r);
        if (isConverted(t, values)) {
            return redirectConverted(t, id, values, fields, now);
        }
        CrmWriteResult.Rejected locked = takeLock(id);
        if (locked != null) {
            return locked;
        }
        CrmWriteResult.Rejected bad = checkFields(t, fields, false);
        if (bad != null) {
            return bad;
        }
        patch(t, values, fields);
        bad = checkReferences(t, fields);
        if (bad == null) {
            bad = checkRequired(t, values, fields.keySet());
        }
        if (bad == null && t.type.equals(ObjectType.CAMPAIGN_MEMBER) && fields.containsKey("Status")) {
            bad = memberStatus(t, values, true, false);
        }
        if (bad == null) {
            bad = checkRules(t, r, values);
        }
        if (bad != null) {
            return bad;
        }
        t.store(r, values);
        t.restamp(r, now);
        return new CrmWriteResult.Written(id, false, Instant.ofEpochSecond(now));
    }

    private CrmWriteResult redirectConverted(TypeState leads, CrmId leadId, FieldValue[] lv,
                                             Map<String, FieldValue> fields, long now) {
        FieldValue target = get(leads, lv, SyncRecord.CONVERTED_CONTACT_ID);
        if (!redirectConvertedLeadWrites || !(target instanceof FieldValue.Ref ref)) {
            return reject("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", List.of());
        }
        TypeState contacts = types.get(ObjectType.CONTACT);
        int c = contacts.find(ref.id());
        if (c < 0 || contacts.deleted(c)) {
            return reject("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead (its contact "
                    + ref.id() + " is deleted)", List.of());
        }
        Map<String, FieldValue> mapped = new HashMap<>();
        fields.forEach((name, value) -> {
            Slot s = contacts.slot(name);
            if (s != null && !s.hidden && s.schema.updateable() && !s.schema.calculated()) {
                mapped.put(name, value);
            }
        });
        return apiUpdate(contacts, ref.id(), mapped, now);
    }

    private CrmWriteResult.@Nullable Rejected checkFields(TypeState t, Map<String, FieldValue> fields, boolean create) {
        for (Map.Entry<String, FieldValue> e : new TreeMap<>(fields).entrySet()) {
            String name = e.getKey();
            Slot s = t.slot(name);
            if (s == null || s.hidden) {
                return reject("INVALID_FIELD", "No such column '" + name + "' on sobject of type " + t.type,
                        List.of(name));
            }
            FieldSchema f = s.schema;
            if (f.calculated() || (create ? !f.createable() : !f.updateable())) {
                return reject("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to " + (create ? "create" : "update")
                        + " fields: " + name + ". Please check the security settings of this field and verify that"
                        + " it is read/write for your profile or permission set.", List.of(name));
            }
            FieldValue v = e.getValue();
            if (!f.type().accepts(v)) {
                return reject("INVALID_TYPE_ON_FIELD_IN_RECORD", name + ": value not of required type: "
                        + v.asText(), List.of(name));
            }
            if (tooLong(f, v)) {
                return reject("STRING_TOO_LONG", name + ": data value too large: " + abbreviate(v.asText())
                        + " (max length=" + f.length() + ")", List.of(name));
            }
            Optional<FieldChecks.Problem> problem = FieldChecks.check(f, v);
            if (problem.isPresent()) {
                return reject(problem.get().code(), problem.get().reason(), List.of(name));
            }
        }
        return null;
    }

    private CrmWriteResult.@Nullable Rejected checkReferences(TypeState t, Map<String, FieldValue> fields) {
        for (Map.Entry<String, FieldValue> e : new TreeMap<>(fields).entrySet()) {
            if (!(e.getValue() instanceof FieldValue.Ref ref)) {
                continue;
            }
            Slot s = t.slot(e.getKey());
            TypeState target = byPrefix.get(ref.id().keyPrefix());
            List<String> to = s.schema.referenceTo();
            if (target == null || (!to.isEmpty() && !to.contains(target.type.apiName()))) {
                return reject("FIELD_INTEGRITY_EXCEPTION", e.getKey() + ": id value of incorrect type: " + ref.id(),
                        List.of(e.getKey()));
            }
            int r = target.find(ref.id());
            if (r < 0) {
                return reject("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", List.of(e.getKey()));
            }
            if (target.deleted(r)) {
                return reject("ENTITY_IS_DELETED", "entity is deleted", List.of(e.getKey()));
            }
            if (target.type.equals(ObjectType.LEAD) && isConverted(target, target.values(r))) {
                // as Salesforce: a new reference to a converted lead (a campaign member, a task's WhoId) is refused
                return reject("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", List.of(e.getKey()));
            }
        }
        return null;
    }

    /** @param changed the fields the write touched, or null for a create (all required fields checked) */
    private CrmWriteResult.@Nullable Rejected checkRequired(TypeState t, FieldValue[] values, @Nullable Set<String> changed) {
        List<String> missing = new ArrayList<>();
        Set<String> required = new LinkedHashSet<>(StandardSchemas.REQUIRED.getOrDefault(t.type.apiName(), List.of()));
        for (Slot s : t.describeOrder()) {
            if (s.schema.requiredOnCreate()) {      // per describe: createable, not nillable, not defaulted
                required.add(s.name());
            }
        }
        for (String f : required) {
            Slot s = t.slot(f);
            if (s != null && (changed == null || changed.contains(f)) && blank(values[s.index])) {
                missing.add(f);
            }
        }
        if (changed == null && t.type.equals(ObjectType.CAMPAIGN_MEMBER)) {
            Slot l = t.slot("LeadId");
            Slot c = t.slot("ContactId");
            if (l != null && c != null && blank(values[l.index]) && blank(values[c.index])) {
                missing.add("LeadId");
                missing.add("ContactId");
            }
        }
        if (missing.isEmpty()) {
            return null;
        }
        return reject("REQUIRED_FIELD_MISSING", "Required fields are missing: " + missing, missing);
    }

    /** @param self the record's own handle, or -1 for a create */
    private CrmWriteResult.@Nullable Rejected checkRules(TypeState t, int self, FieldValue[] values) {
        List<String> dup = duplicateRules.getOrDefault(t.type, List.of());
        for (String field : dup) {
            Slot s = t.slot(field);
            if (s == null || blank(values[s.index])) {
                continue;
            }
            String mine = values[s.index].asText().toLowerCase(Locale.ROOT);
            for (int r = 0, n = t.handles(); r < n; r++) {
                if (r == self || t.purged(r) || t.deleted(r)) {
                    continue;
                }
                FieldValue o = t.values(r)[s.index];
                if (o != null && !o.isNull() && o.asText().toLowerCase(Locale.ROOT).equals(mine)) {
                    return reject("DUPLICATES_DETECTED", "Use one of these records?", List.of());
                }
            }
        }
        List<Rule> rules = validationRules.getOrDefault(t.type, List.of());
        if (rules.isEmpty()) {
            return null;
        }
        Map<String, FieldValue> view = new HashMap<>();
        for (Slot s : t.activeSlots()) {
            if (values[s.index] != null && !values[s.index].isNull()) {
                view.put(s.name(), values[s.index]);
            }
        }
        Map<String, FieldValue> frozen = Collections.unmodifiableMap(view);
        for (Rule rule : rules) {
            if (rule.rejects().test(frozen)) {
                return reject(rule.code(), rule.message(), List.of());
            }
        }
        return null;
    }

    // =========================================================================================
    // helpers
    // =========================================================================================

    private static boolean blank(FieldValue v) {
        return v == null || v.isBlank();
    }

    private static boolean tooLong(FieldSchema f, FieldValue v) {
        return f.length() > 0 && v instanceof FieldValue.Text t && t.value().length() > f.length();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static FieldValue get(Map<String, FieldValue> m, String f) {
        FieldValue v = m.get(f);
        return v == null ? FieldValue.NULL : v;
    }

    private static FieldValue get(TypeState t, FieldValue[] v, String f) {
        Slot s = t.slot(f);
        if (s == null || v[s.index] == null) {
            return FieldValue.NULL;
        }
        return v[s.index];
    }

    private static boolean isConverted(TypeState t, FieldValue[] v) {
        return t.type.equals(ObjectType.LEAD)
                && get(t, v, SyncRecord.IS_CONVERTED) instanceof FieldValue.Bool b && b.value();
    }

    private void applyDefaults(TypeState t, FieldValue[] values) {
        if (corporateCurrency != null) {
            Slot c = t.slot(CURRENCY_FIELD);
            if (c != null) {
                values[c.index] = corporateCurrency;
            }
        }
        for (Slot s : t.activeSlots()) {
            if (s.schema.type() == FieldType.BOOLEAN) {
                values[s.index] = FieldValue.bool(false);
            }
        }
        StandardSchemas.CREATE_DEFAULTS.getOrDefault(t.type.apiName(), Map.of()).forEach((f, v) -> {
            Slot s = t.slot(f);
            if (s != null) {
                values[s.index] = v;
            }
        });
    }

    /** Applies a patch after checks; checkbox NULL becomes false. */
    private static void patch(TypeState t, FieldValue[] values, Map<String, FieldValue> fields) {
        fields.forEach((name, v) -> {
            Slot s = t.slot(name);
            values[s.index] = s.schema.type() == FieldType.BOOLEAN && v.isNull() ? FieldValue.bool(false) : v;
        });
    }

    /** Validates an administrator's patch (names, types, lengths), then applies it. */
    private static void patchAdmin(TypeState t, FieldValue[] values, Map<String, FieldValue> fields) {
        for (Map.Entry<String, FieldValue> e : fields.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "field name");
            FieldValue v = Objects.requireNonNull(e.getValue(), () -> "value of field " + name);
            Slot s = t.slot(name);
            if (s == null) {
                throw new IllegalArgumentException("no field '" + name + "' on " + t.type);
            }
            if (s.schema.type().isUnsyncable()) {
                throw new IllegalArgumentException("field '" + name + "' of " + t.type + " is compound ("
                        + s.schema.type() + "); set its component fields");
            }
            if (!s.schema.type().accepts(v)) {
                throw new IllegalArgumentException("value " + v + " does not fit field '" + name + "' of " + t.type
                        + " (" + s.schema.type() + ")");
            }
            if (tooLong(s.schema, v)) {
                throw new IllegalArgumentException("value of field '" + name + "' of " + t.type + " is longer than "
                        + s.schema.length() + " characters");
            }
        }
        patch(t, values, fields);
    }

    private TypeState state(ObjectType type) {
        Objects.requireNonNull(type, "type");
        TypeState t = types.get(type);
        if (t == null) {
            throw new IllegalArgumentException("unknown object type " + type + ": define it with defineType first");
        }
        return t;
    }

    private TypeState queryable(ObjectType type) {
        TypeState t = types.get(type);
        if (t == null || t.hidden) {
            throw new SyncException("INVALID_TYPE: sObject type '" + type.apiName() + "' is not supported",
                    type, null, null);
        }
        return t;
    }

    private int existing(TypeState t, CrmId id) {
        Objects.requireNonNull(id, "id");
        int r = t.find(id);
        if (r < 0) {
            throw new IllegalArgumentException("no " + t.type + " with id " + id);
        }
        return r;
    }

    private int live(TypeState t, CrmId id) {
        int r = existing(t, id);
        if (t.deleted(r)) {
            throw new IllegalStateException(t.type + " " + id + " is deleted");
        }
        return r;
    }

    /** @return now in whole epoch seconds; expires the recycle bin up to now */
    private long now() {
        long now = clock.instant().getEpochSecond();
        expire(now);
        return now;
    }

    private long lateStamp(Instant stamp) {
        Objects.requireNonNull(stamp, "stamp");
        long now = now();
        long s = stamp.getEpochSecond();
        if (s > now) {
            throw new IllegalArgumentException("late stamp " + stamp + " is after now (" + Instant.ofEpochSecond(now) + ")");
        }
        return s;
    }

    private void expire(long now) {
        for (TypeState t : types.values()) {
            List<Integer> gone = null;
            while (!t.bin.isEmpty() && t.bin.peek().deletedAt() + retentionSeconds <= now) {
                BinEntry e = t.bin.poll();
                if (t.current(e)) {
                    if (gone == null) {
                        gone = new ArrayList<>();
                    }
                    gone.add(e.handle());
                }
            }
            if (gone != null) {
                t.purge(gone);
            }
        }
    }

    private void locked(Runnable r) {
        lock.lock();
        try {
            now();
            r.run();
        } finally {
            try {
                publishIfOutermost();
            } finally {
                lock.unlock();
            }
        }
    }

    private <T> T locked(java.util.function.Supplier<T> s) {
        lock.lock();
        try {
            now();
            return s.get();
        } finally {
            try {
                publishIfOutermost();
            } finally {
                lock.unlock();
            }
        }
    }

    /** At the end of the outermost locked call: what it changed (also before a failure part-way) is committed. */
    private void publishIfOutermost() {
        if (lock.getHoldCount() != 1 || changeSink.pending.isEmpty()) {
            return;
        }
        List<RecordChange> changes = changeSink.drain();
        if (changes.isEmpty()) {
            return;
        }
        String key = String.format("%08x-0000-4000-8000-%012x", seed & 0xFFFF_FFFFL, ++transactions);
        for (RecordChange.Listener l : changeListeners) {
            l.committed(changes, key);
        }
    }

    /**
     * Adds a listener told of every committed transaction (see {@link RecordChange.Listener}): the hook a fake
     * change-event server (Salesforce's Pub/Sub API) publishes from. Until a listener is added no change is
     * tracked, so a CRM nobody listens to pays nothing.
     *
     * @param listener the listener
     */
    public void addChangeListener(RecordChange.Listener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        locked(() -> {
            changeListeners.add(listener);
            for (TypeState t : types.values()) {
                t.sink = changeSink;
            }
        });
    }

    /**
     * @param listener a listener added before
     * @return whether it was there
     */
    public boolean removeChangeListener(RecordChange.Listener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        return locked(() -> {
            boolean removed = changeListeners.remove(listener);
            if (changeListeners.isEmpty()) {
                for (TypeState t : types.values()) {
                    t.sink = null;
                }
            }
            return removed;
        });
    }

    /** Collects one transaction's record changes, one entry per record, in first-change order. */
    private static final class ChangeCollector implements TypeState.ChangeSink {
        private record Key(ObjectType type, int handle) {
        }

        private static final class Entry {
            final TypeState type;
            final int handle;
            RecordChange.Kind kind;
            final java.util.LinkedHashSet<String> changed = new java.util.LinkedHashSet<>();
            boolean touched;

            Entry(TypeState type, int handle, RecordChange.Kind kind) {
                this.type = type;
                this.handle = handle;
                this.kind = kind;
            }
        }

        final Map<Key, Entry> pending = new LinkedHashMap<>();

        private Entry entry(TypeState t, int h, RecordChange.Kind kind) {
            return pending.computeIfAbsent(new Key(t.type, h), k -> new Entry(t, h, kind));
        }

        @Override
        public void created(TypeState t, int h) {
            entry(t, h, RecordChange.Kind.CREATE).kind = RecordChange.Kind.CREATE;
        }

        @Override
        public void stored(TypeState t, int h, List<String> changed) {
            Entry e = entry(t, h, RecordChange.Kind.UPDATE);
            e.changed.addAll(changed);
        }

        @Override
        public void touched(TypeState t, int h) {
            entry(t, h, RecordChange.Kind.UPDATE).touched = true;
        }

        @Override
        public void deleted(TypeState t, int h) {
            Entry e = entry(t, h, RecordChange.Kind.DELETE);
            e.kind = e.kind == RecordChange.Kind.CREATE ? null : RecordChange.Kind.DELETE; // created and gone: nothing
            if (e.kind == null) {
                pending.remove(new Key(t.type, h));
            }
        }

        @Override
        public void undeleted(TypeState t, int h) {
            entry(t, h, RecordChange.Kind.UNDELETE).kind = RecordChange.Kind.UNDELETE;
        }

        List<RecordChange> drain() {
            List<RecordChange> out = new ArrayList<>(pending.size());
            for (Entry e : pending.values()) {
                if (e.kind == RecordChange.Kind.UPDATE && !e.touched) {
                    continue; // a calculated field's change, or values stored without a new stamp: no event
                }
                List<String> changed = e.kind == RecordChange.Kind.UPDATE ? List.copyOf(e.changed) : List.of();
                out.add(new RecordChange(e.type.type, e.type.idOf(e.handle), e.kind, changed));
            }
            pending.clear();
            return out;
        }
    }

    @Override
    public String toString() {
        return "InMemoryCrm[" + types.size() + " types]";
    }
}
