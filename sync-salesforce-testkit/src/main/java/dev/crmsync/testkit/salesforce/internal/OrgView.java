package dev.crmsync.testkit.salesforce.internal;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.Cursor;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.testkit.InMemoryCrm;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The backing CRM as a real org shows it: every object describes the audit fields
 * {@code CreatedDate}, {@code CreatedById}, {@code LastModifiedDate} and {@code LastModifiedById}
 * (read-only, never null), and custom objects an {@code OwnerId}, where the CRM's schema does not
 * list them. Their values are made on every read: {@code CreatedDate} from
 * {@link InMemoryCrm#createdDate} (the record's stamp when the CRM is another {@link CrmSource}),
 * {@code LastModifiedDate} from the record's {@code SystemModstamp}, the user ids and the owner
 * the server's integration user. A write that sets one of them is rejected as a real org rejects a
 * write to a read-only field, {@code INVALID_FIELD_FOR_INSERT_UPDATE}.
 */
final class OrgView implements CrmSource {

    static final String CREATED_DATE = "CreatedDate";
    static final String CREATED_BY_ID = "CreatedById";
    static final String LAST_MODIFIED_DATE = "LastModifiedDate";
    static final String LAST_MODIFIED_BY_ID = "LastModifiedById";
    static final String OWNER_ID = "OwnerId";
    static final String NAME = "Name";
    private static final String FIRST_NAME = "FirstName";
    private static final String LAST_NAME = "LastName";

    private final CrmSource crm;
    private final CrmId userId;

    /**
     * @param crm the backing CRM
     * @param userId the server's integration user (creator, modifier and owner of made-up values)
     */
    OrgView(CrmSource crm, String userId) {
        this.crm = Objects.requireNonNull(crm, "crm");
        this.userId = CrmId.of(userId);
    }

    /** @return the CRM behind this view */
    CrmSource backing() {
        return crm;
    }

    /** The fields this view adds to a type's schema, by name (empty when the CRM lists them all). */
    private static Map<String, FieldSchema> added(ObjectSchema s) {
        Map<String, FieldSchema> byName = s.fieldsByName();
        Map<String, FieldSchema> out = new java.util.LinkedHashMap<>();
        if (s.type().isCustom() && !byName.containsKey(OWNER_ID)) {
            out.put(OWNER_ID, FieldSchema.builder(OWNER_ID, FieldType.REFERENCE).referenceTo(List.of("User"))
                    .createable(true).updateable(true).nillable(false).defaultedOnCreate(true).build());
        }
        if (!byName.containsKey(NAME) && byName.containsKey(FIRST_NAME) && byName.containsKey(LAST_NAME)) {
            // a person's full name, as a real org describes it on User, Lead and Contact (read-only)
            out.put(NAME, FieldSchema.builder(NAME, FieldType.STRING).length(121).createable(false)
                    .updateable(false).build());
        }
        for (String name : List.of(CREATED_DATE, CREATED_BY_ID, LAST_MODIFIED_DATE, LAST_MODIFIED_BY_ID)) {
            if (!byName.containsKey(name)) {
                boolean date = name.endsWith("Date");
                FieldSchema.Builder b = FieldSchema.builder(name, date ? FieldType.DATETIME : FieldType.REFERENCE)
                        .createable(false).updateable(false).nillable(false).defaultedOnCreate(true);
                if (!date) {
                    b.referenceTo(List.of("User"));
                }
                out.put(name, b.build());
            }
        }
        return out;
    }

    @Override
    public Set<ObjectType> availableTypes() {
        return crm.availableTypes();
    }

    @Override
    public Optional<ObjectSchema> describe(ObjectType type) {
        return crm.describe(type).map(s -> {
            Map<String, FieldSchema> extra = added(s);
            if (extra.isEmpty()) {
                return s;
            }
            List<FieldSchema> fields = new ArrayList<>();
            FieldSchema owner = extra.remove(OWNER_ID);
            if (owner != null) {
                fields.add(owner);
            }
            fields.addAll(s.fields());
            fields.addAll(extra.values());
            return new ObjectSchema(s.type(), fields, s.queryable(), s.createable(), s.updateable());
        });
    }

    /** The names among {@code fields} this view makes up for the type. */
    private Set<String> madeUp(ObjectType type, Set<String> fields) {
        Optional<ObjectSchema> s = crm.describe(type);
        if (s.isEmpty()) {
            return Set.of();
        }
        Set<String> names = new LinkedHashSet<>(added(s.get()).keySet());
        names.retainAll(fields);
        return names;
    }

    private SyncRecord enrich(SyncRecord r, Set<String> names) {
        if (names.isEmpty()) {
            return r;
        }
        Map<String, FieldValue> m = new HashMap<>(r.fields());
        for (String name : names) {
            m.put(name, switch (name) {
                case CREATED_DATE -> FieldValue.dateTime(created(r));
                case LAST_MODIFIED_DATE -> FieldValue.dateTime(r.modstamp());
                case NAME -> fullName(r);
                default -> FieldValue.ref(userId);
            });
        }
        return r.withFields(m);
    }

    private static FieldValue fullName(SyncRecord r) {
        String first = r.get(FIRST_NAME).isNull() ? "" : r.get(FIRST_NAME).asText();
        String last = r.get(LAST_NAME).isNull() ? "" : r.get(LAST_NAME).asText();
        String full = (first + " " + last).trim();
        return full.isEmpty() ? FieldValue.NULL : FieldValue.text(full);
    }

    /** The fields to ask the CRM for: the asked ones it holds, and what the made-up ones are made from. */
    private static Set<String> toRead(Set<String> fields, Set<String> names) {
        Set<String> rest = new LinkedHashSet<>(fields);
        rest.removeAll(names);
        if (names.contains(NAME)) {
            rest.add(FIRST_NAME);
            rest.add(LAST_NAME);
        }
        return rest;
    }

    private Instant created(SyncRecord r) {
        if (crm instanceof InMemoryCrm memory) {
            Optional<Instant> at = memory.createdDate(r.type(), r.id());
            if (at.isPresent() && !at.get().isAfter(r.modstamp())) {
                return at.get();
            }
        }
        return r.modstamp();
    }

    @Override
    public ChangeStream openChanges(ChangeQuery query) {
        Set<String> names = madeUp(query.type(), query.fields());
        if (names.isEmpty()) {
            return crm.openChanges(query);
        }
        Set<String> rest = toRead(query.fields(), names);
        ChangeStream s = crm.openChanges(new ChangeQuery(query.type(), rest, query.after(), query.pageSize(),
                query.resumable(), query.resumeToken()));
        return new ChangeStream() {
            @Override
            public List<SyncRecord> nextPage() {
                List<SyncRecord> page = s.nextPage();
                List<SyncRecord> out = new ArrayList<>(page.size());
                page.forEach(r -> out.add(enrich(r, names)));
                return out;
            }

            @Override
            public OptionalLong estimatedTotal() {
                return s.estimatedTotal();
            }

            @Override
            public Optional<String> resumePoint() {
                return s.resumePoint();
            }

            @Override
            public Optional<Cursor> endCursor() {
                return s.endCursor();
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    @Override
    public DeletedRecords deletedSince(ObjectType type, Instant start, Instant end) {
        return crm.deletedSince(type, start, end);
    }

    @Override
    public List<SyncRecord> fetch(ObjectType type, Collection<CrmId> ids, Set<String> fields) {
        Set<String> names = madeUp(type, fields);
        if (names.isEmpty()) {
            return crm.fetch(type, ids, fields);
        }
        Set<String> rest = toRead(fields, names);
        List<SyncRecord> out = new ArrayList<>();
        crm.fetch(type, ids, rest).forEach(r -> out.add(enrich(r, names)));
        return out;
    }

    @Override
    public List<CrmWriteResult> delete(ObjectType type, List<CrmId> ids) {
        return crm.delete(type, ids);
    }

    @Override
    public dev.crmsync.crm.LeadConvertResult convertLead(dev.crmsync.crm.LeadConvert request) {
        return crm.convertLead(request);
    }

    @Override
    public dev.crmsync.crm.MergeResult mergeRecords(ObjectType type, CrmId masterId, List<CrmId> loserIds) {
        return crm.mergeRecords(type, masterId, loserIds);
    }

    @Override
    public List<CrmWriteResult> write(ObjectType type, List<? extends CrmWrite> writes) {
        Optional<ObjectSchema> s = crm.describe(type);
        Set<String> readOnly = s.isEmpty() ? Set.of() : added(s.get()).keySet();
        List<CrmWrite> pass = new ArrayList<>();
        CrmWriteResult[] out = new CrmWriteResult[writes.size()];
        List<Integer> passAt = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            CrmWrite w = writes.get(i);
            List<String> bad = w.fields().keySet().stream().filter(readOnly::contains).sorted().toList();
            if (bad.isEmpty()) {
                pass.add(w);
                passAt.add(i);
            } else {
                out[i] = new CrmWriteResult.Rejected("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update "
                        + "fields: " + String.join(", ", bad) + ". Please check the security settings of this field "
                        + "and verify that it is read/write for your profile or permission set.", bad, false);
            }
        }
        if (!pass.isEmpty()) {
            List<CrmWriteResult> results = crm.write(type, pass);
            for (int i = 0; i < passAt.size(); i++) {
                out[passAt.get(i)] = i < results.size() ? results.get(i)
                        : new CrmWriteResult.Rejected("UNKNOWN_EXCEPTION", "no result for this record", List.of(), false);
            }
        }
        return List.of(out);
    }

    @Override
    public void beginCycle() {
        crm.beginCycle();
    }

    @Override
    public void wakeup(Thread caller) {
        crm.wakeup(caller);
    }

    @Override
    public int maxPageSize() {
        return crm.maxPageSize();
    }

    @Override
    public Duration maxWriteDuration() {
        return crm.maxWriteDuration();
    }

    @Override
    public int maxWriteBatch() {
        return crm.maxWriteBatch();
    }

    @Override
    public Map<String, Long> callCounts() {
        return crm.callCounts();
    }

    @Override
    public void close() {
        // the server does not own the CRM
    }
}
