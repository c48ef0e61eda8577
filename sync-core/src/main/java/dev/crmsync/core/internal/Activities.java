package dev.crmsync.core.internal;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.ActivityHistory;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.PersonActivity;
import dev.crmsync.store.RecordKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The persons' activity history the engine writes ({@link ActivityHistory}), for one type run (or
 * one host action outside a cycle): the stages record what they applied here, and the activities
 * are appended to the store in one call per flush — inside the type run's store transaction
 * ({@link TypeRun#commit}), so with the JDBC store the activities commit with the records and the
 * checkpoint, or not at all. Each activity's key is made from what happened (type, ids, kind, the
 * CRM version or the failure's attempt), never from values, so a batch replayed after a crash
 * appends nothing twice.
 *
 * <p>When the store keeps no history, {@link #NONE} is used: {@link #on()} is false and every
 * method returns at once, so the engine does no extra work. Used by one thread at a time.
 */
final class Activities {

    /**
     * An Account change writes an {@link PersonActivity.Kind#ACCOUNT_CHANGED} activity on each of
     * its contacts unless more than this many are linked (as Marketo: the data still updates).
     */
    static final int ACCOUNT_CONTACTS_LIMIT = dev.crmsync.core.SyncEngine.ACCOUNT_CHANGE_ACTIVITY_LIMIT;

    /** Most CRM ids per store look-up of rejected records. */
    private static final int LOOKUP = 500;

    /** The reference field of a Contact to its account. */
    static final String ACCOUNT_ID = "AccountId";

    /** A recorder for a store that keeps no history: does nothing. */
    static final Activities NONE = new Activities(null, null, null, null, false);

    private final @Nullable ActivityHistory history;
    private final @Nullable MarketingStore store;
    private final @Nullable Clock clock;
    private final @Nullable String cycleId;
    /** Whether the engine syncs contacts (else an account change has no contact to write on). */
    private final boolean contacts;
    private final List<PersonActivity> pending = new ArrayList<>();
    /** Rejections of records known by CRM id: their marketing ids are looked up at the flush. */
    private final List<FailedRecord> rejectedByCrmId = new ArrayList<>();

    private Activities(@Nullable ActivityHistory history, @Nullable MarketingStore store, @Nullable Clock clock,
                       @Nullable String cycleId, boolean contacts) {
        this.contacts = contacts;
        this.history = history;
        this.store = store;
        this.clock = clock;
        this.cycleId = cycleId;
    }

    /**
     * @param settings the engine's settings
     * @param cycleId the cycle's id, or null for a host action outside a cycle
     * @return a recorder for the engine's store, or {@link #NONE} when the store keeps no history
     */
    static Activities of(EngineSettings settings, @Nullable String cycleId) {
        return settings.store() instanceof ActivityHistory h
                ? new Activities(h, settings.store(), settings.clock(), cycleId, settings.objectTypes().isEmpty()
                        || settings.objectTypes().contains(ObjectType.CONTACT)) : NONE;
    }

    /** @return true when the store keeps a history (otherwise nothing need be prepared for it) */
    boolean on() {
        return history != null;
    }

    /** @param type an object type @return true for the persons (Lead, Contact), the types with a history */
    static boolean person(ObjectType type) {
        return type.equals(ObjectType.LEAD) || type.equals(ObjectType.CONTACT);
    }

    /**
     * Records an activity of a person (nothing for another type, or when the store keeps no history).
     *
     * @param type the person's type
     * @param marketingId the person's marketing id
     * @param crmId its CRM id, or null
     * @param kind what happened
     * @param fields the field names concerned
     * @param reason a rejection's code, else null
     * @param related the other record involved, or null
     * @param version what makes this occurrence unique among those of the same kind for the record
     *     (the CRM version applied, the failure's attempt…), part of the key
     */
    void add(ObjectType type, String marketingId, @Nullable CrmId crmId, PersonActivity.Kind kind,
             Collection<String> fields, @Nullable String reason, @Nullable CrmId related, Object version) {
        if (history == null || !person(type)) {
            return;
        }
        String subject = crmId != null ? crmId.value() : "m" + marketingId;
        pending.add(new PersonActivity(type, marketingId, crmId, kind, List.copyOf(fields), reason, related, cycleId,
                now(), key(type.apiName(), subject, kind.name(), related == null ? "" : related.value(), version)));
    }

    /** Records a rejection (told to the listener) as a {@link PersonActivity.Kind#REJECTED} activity. */
    void rejected(FailedRecord f) {
        if (history == null || !person(f.type())) {
            return;
        }
        if (f.key() instanceof RecordKey.Marketing m) {
            addRejected(f, m.marketingId(), null);
        } else {
            rejectedByCrmId.add(f);
        }
    }

    private void addRejected(FailedRecord f, String marketingId, @Nullable CrmId crmId) {
        add(f.type(), marketingId, crmId, PersonActivity.Kind.REJECTED, List.of(), f.code(), null,
                f.target() + "/" + f.code() + "/" + f.attempts() + "/" + f.lastFailedAt());
    }

    /**
     * Moves a person's history to another (a merge's survivor, a converted lead's contact), after
     * appending what is pending (which may be kept under the person that moves).
     */
    void move(ObjectType fromType, String fromMarketingId, ObjectType toType, String toMarketingId) {
        if (history == null || (fromType.equals(toType) && fromMarketingId.equals(toMarketingId))) {
            return;
        }
        flush();
        history.moveHistory(fromType, fromMarketingId, toType, toMarketingId);
    }

    /**
     * Records an {@link PersonActivity.Kind#ACCOUNT_CHANGED} activity on each contact of accounts
     * whose fields changed, unless more than {@link #ACCOUNT_CONTACTS_LIMIT} are linked to one (then
     * none for that account). One bounded store query for the batch.
     *
     * @param changed per account, its changed field names
     * @param versions per account, the CRM version applied (part of the keys)
     */
    void accountsChanged(Map<CrmId, List<String>> changed, Map<CrmId, Instant> versions) {
        if (history == null || !this.contacts || changed.isEmpty()) {
            return;
        }
        Map<CrmId, List<String>> contacts = history.referencing(ObjectType.CONTACT, ACCOUNT_ID, changed.keySet(),
                ACCOUNT_CONTACTS_LIMIT + 1);
        for (Map.Entry<CrmId, List<String>> e : contacts.entrySet()) {
            List<String> fields = changed.get(e.getKey());
            if (fields == null || e.getValue().size() > ACCOUNT_CONTACTS_LIMIT) {
                continue;            // more than 5,000 contacts: the data updates, no activity is written
            }
            for (String mid : e.getValue()) {
                add(ObjectType.CONTACT, mid, null, PersonActivity.Kind.ACCOUNT_CHANGED, fields, null, e.getKey(),
                        versions.get(e.getKey()));
            }
        }
    }

    /**
     * Appends what is pending: rejections known by CRM id get their marketing ids first (one store
     * look-up per type; a record the store does not hold has no history). Called inside the type
     * run's transaction with its writes, and at the end of a type run or host action.
     */
    void flush() {
        if (history == null) {
            return;
        }
        if (!rejectedByCrmId.isEmpty()) {
            Map<ObjectType, List<FailedRecord>> byType = new LinkedHashMap<>();
            rejectedByCrmId.forEach(f -> byType.computeIfAbsent(f.type(), k -> new ArrayList<>()).add(f));
            rejectedByCrmId.clear();
            for (Map.Entry<ObjectType, List<FailedRecord>> e : byType.entrySet()) {
                List<CrmId> ids = e.getValue().stream().map(f -> ((RecordKey.Crm) f.key()).id()).distinct().toList();
                Map<CrmId, MarketingRecord> held = new LinkedHashMap<>();
                for (int from = 0; from < ids.size(); from += LOOKUP) {
                    held.putAll(store.findByCrmIds(e.getKey(), ids.subList(from, Math.min(ids.size(), from + LOOKUP))));
                }
                for (FailedRecord f : e.getValue()) {
                    CrmId id = ((RecordKey.Crm) f.key()).id();
                    MarketingRecord r = held.get(id);
                    if (r != null) {
                        addRejected(f, r.marketingId(), id);
                    }
                }
            }
        }
        if (pending.isEmpty()) {
            return;
        }
        List<PersonActivity> out = new ArrayList<>(pending);
        pending.clear();
        for (int from = 0; from < out.size(); from += ActivityHistory.MAX_BATCH) {
            history.append(out.subList(from, Math.min(out.size(), from + ActivityHistory.MAX_BATCH)));
        }
    }

    /** Forgets what is pending (its transaction failed: a retry records it again). */
    void discard() {
        pending.clear();
        rejectedByCrmId.clear();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** @return the parts joined; a key longer than a store keeps is replaced by its SHA-256 */
    static String key(Object... parts) {
        StringBuilder sb = new StringBuilder();
        for (Object p : parts) {
            sb.append(sb.length() == 0 ? "" : ":").append(p);
        }
        String k = sb.toString();
        if (k.length() <= PersonActivity.MAX_KEY_LENGTH) {
            return k;
        }
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(k.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

}
