package dev.crmsync.store;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.model.ObjectType;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Something the engine has set out to do for one record and must finish or check in a later
 * cycle, kept in the {@link SyncStateStore} so that a crash loses nothing. An intent is not a
 * failure: it is never counted, never parked, and never listed by
 * {@link SyncStateStore#parkedFailures()}.
 *
 * <h2>Persisting an intent</h2>
 * A store need not know the kinds: it keeps, per (type, {@link #key() key}, {@link #kind() kind}),
 * the {@link #recordedAt()} instant and the {@link #payload()} text, and rebuilds the intent with
 * {@link #restore}. Later releases may add kinds (and sealed subtypes) without changing the SPI; a
 * store that persists generically keeps them with no change. The payload is the intent's own data
 * in a stable text form (at most a few kilobytes); it never needs to be read by the store.
 */
public sealed interface EngineIntent {

    /** The kinds of intent. A store keeps {@link #name()} as the kind. */
    enum Kind {
        /** {@link FollowUp}. */
        FOLLOW_UP,
        /** {@link UnconfirmedCreate}. */
        UNCONFIRMED_CREATE,
        /** {@link ReadResume}. */
        READ_RESUME,
        /** {@link SyncedFields}. */
        SYNCED_FIELDS,
        /** {@link HostDelete}. */
        HOST_DELETE,
        /** {@link IdSweep}. */
        ID_SWEEP,
        /** {@link Position}. */
        POSITION
    }

    /** @return the record's object type */
    ObjectType type();

    /** @return the record's key */
    RecordKey key();

    /** @return the kind; with the type and the key, the intent's identity in the store */
    Kind kind();

    /** @return when the engine recorded the intent */
    Instant recordedAt();

    /** @return the intent's own data in its stable storage form (see the class documentation) */
    String payload();

    /**
     * Rebuilds an intent a store kept.
     *
     * @param kind its kind
     * @param type its object type
     * @param key its key
     * @param recordedAt when it was recorded
     * @param payload its {@link #payload()}
     * @return the intent, equal to the one saved
     * @throws IllegalArgumentException if the payload is not one this kind writes, or the key is not of
     *     the kind's form (an unconfirmed create has a marketing key)
     */
    static EngineIntent restore(Kind kind, ObjectType type, RecordKey key, Instant recordedAt, String payload) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(payload, "payload");
        Map<String, String> p = IntentPayloads.decode(payload);
        return switch (kind) {
            case FOLLOW_UP -> new FollowUp(type, key, p.getOrDefault("reason", ""), recordedAt);
            case UNCONFIRMED_CREATE -> {
                if (!(key instanceof RecordKey.Marketing mk)) {
                    throw new IllegalArgumentException("key of an unconfirmed create must be a marketing key");
                }
                Map<String, ValueFingerprint> sent = new TreeMap<>();
                p.forEach((k, v) -> {
                    if (k.startsWith(IntentPayloads.SENT)) {
                        sent.put(k.substring(IntentPayloads.SENT.length()), new ValueFingerprint(v));
                    }
                });
                yield new UnconfirmedCreate(type, mk, recordedAt, sent);
            }
            case READ_RESUME -> {
                if (!ReadResume.KEY.equals(key)) {
                    throw new IllegalArgumentException("key of a read resume point must be ReadResume.KEY");
                }
                String token = p.get("token");
                if (token == null) {
                    throw new IllegalArgumentException("payload of a read resume point has no token");
                }
                yield new ReadResume(type, recordedAt, token);
            }
            case SYNCED_FIELDS -> {
                if (!SyncedFields.KEY.equals(key)) {
                    throw new IllegalArgumentException("key of a type's synced fields must be SyncedFields.KEY");
                }
                String stamp = p.get("backfill.stamp");
                String last = p.get("backfill.id");
                dev.crmsync.crm.Cursor at = stamp == null ? null
                        : new dev.crmsync.crm.Cursor(Instant.parse(stamp), last == null || last.isEmpty() ? null
                                : dev.crmsync.model.CrmId.of(last));
                yield new SyncedFields(type, recordedAt, names(p.getOrDefault("fields", "")),
                        names(p.getOrDefault("backfill", "")), at);
            }
            case HOST_DELETE -> {
                if (!(key instanceof RecordKey.Crm ck)) {
                    throw new IllegalArgumentException("key of a host delete must be a CRM key");
                }
                String mid = p.get("marketingId");
                if (mid == null || mid.isBlank()) {
                    throw new IllegalArgumentException("payload of a host delete has no marketing id");
                }
                yield new HostDelete(type, ck, mid, recordedAt);
            }
            case POSITION -> {
                if (!(key instanceof RecordKey.Marketing mk) || !mk.marketingId().startsWith(Position.KEY_PREFIX)) {
                    throw new IllegalArgumentException("key of a position must be Position.key(name)");
                }
                String position = p.get("position");
                if (position == null) {
                    throw new IllegalArgumentException("payload of a position has no position");
                }
                yield new Position(type, mk.marketingId().substring(Position.KEY_PREFIX.length()), position, recordedAt);
            }
            case ID_SWEEP -> {
                if (!(key instanceof RecordKey.Marketing mk) || !IdSweep.KEYS.contains(mk)) {
                    throw new IllegalArgumentException("key of an id sweep must be IdSweep.KEY or IdSweep.CALCULATED_KEY");
                }
                String after = p.getOrDefault("after", "");
                String done = p.getOrDefault("lastPassDoneAt", "");
                yield new IdSweep(type, mk, recordedAt, after.isEmpty() ? null : dev.crmsync.model.CrmId.of(after),
                        Long.parseLong(p.getOrDefault("passes", "0")), done.isEmpty() ? null : Instant.parse(done));
            }
        };
    }

    private static java.util.Set<String> names(String joined) {
        return joined.isEmpty() ? java.util.Set.of() : java.util.Set.of(joined.split(",", -1));
    }

    /**
     * A host's position in a stream of change hints for a type — for instance the replay id of a
     * Salesforce change-event subscription — saved by {@code SyncEngine.applyCrmChanges} only after
     * the records the hints named were applied, so that a crash between the two re-delivers them
     * (harmless: a record merged again merges to nothing). Opaque to the engine and the store.
     *
     * @param type the object type
     * @param name the position's name (the stream's, e.g. {@code pubsub:/data/LeadChangeEvent}): 1 to 100
     *     characters of letters, digits and {@code / . _ : -}
     * @param position the position, 1 to 2,000 characters (no customer data)
     * @param recordedAt when it was saved
     */
    record Position(ObjectType type, String name, String position, Instant recordedAt) implements EngineIntent {

        /** The key prefix of a position: the key is the prefix and the name. */
        public static final String KEY_PREFIX = "crmsync.position:";
        private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9/._:-]{1,100}");

        /** Checks nulls, the name's form and the position's length. */
        public Position {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(position, "position");
            Objects.requireNonNull(recordedAt, "recordedAt");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a position's name is 1 to 100 letters, digits or / . _ : -");
            }
            if (position.isEmpty() || position.length() > 2_000) {
                throw new IllegalArgumentException("a position is 1 to 2000 characters, was " + position.length());
            }
        }

        /**
         * @param name a position's name
         * @return the key it is kept under
         */
        public static RecordKey.Marketing key(String name) {
            return RecordKey.marketing(KEY_PREFIX + name);
        }

        @Override
        public RecordKey key() {
            return key(name);
        }

        @Override
        public Kind kind() {
            return Kind.POSITION;
        }

        @Override
        public String payload() {
            return IntentPayloads.encode(Map.of("position", position));
        }
    }

    /**
     * Where a walk of a type's stored ids, a slice per cycle, stands; {@code after} is where the next
     * slice starts (null: from the first id). Two walks, each one per type under its fixed key:
     * {@link #KEY}, the sweep for records the CRM removes without a trace in its delete log
     * (Salesforce hard-deletes a removed campaign member), and {@link #CALCULATED_KEY}, the refresh of
     * calculated fields (formula and roll-up values change without moving the record's stamp). Ids
     * only, no customer data.
     *
     * @param type the object type
     * @param key which walk: {@link #KEY} or {@link #CALCULATED_KEY}
     * @param recordedAt when the last slice was committed
     * @param after the last id swept, or null at the start of a pass
     * @param passes full passes completed
     * @param lastPassDoneAt when the last full pass ended, or null before the first
     */
    record IdSweep(ObjectType type, RecordKey.Marketing key, Instant recordedAt,
                   dev.crmsync.model.@org.jspecify.annotations.Nullable CrmId after, long passes,
                   @org.jspecify.annotations.Nullable Instant lastPassDoneAt) implements EngineIntent {

        /** The key of a type's sweep for records removed without a trace. */
        public static final RecordKey.Marketing KEY = RecordKey.marketing("crmsync.id-sweep");
        /** The key of a type's refresh of calculated fields. */
        public static final RecordKey.Marketing CALCULATED_KEY = RecordKey.marketing("crmsync.calculated-refresh");
        /** Both keys. */
        public static final java.util.Set<RecordKey.Marketing> KEYS = java.util.Set.of(KEY, CALCULATED_KEY);

        /** Checks nulls, the key and the count. */
        public IdSweep {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(key, "key");
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("key of an id sweep must be IdSweep.KEY or IdSweep.CALCULATED_KEY");
            }
            Objects.requireNonNull(recordedAt, "recordedAt");
            if (passes < 0) {
                throw new IllegalArgumentException("passes must be >= 0, was " + passes);
            }
        }

        @Override
        public Kind kind() {
            return Kind.ID_SWEEP;
        }

        @Override
        public String payload() {
            return IntentPayloads.encode(Map.of("after", after == null ? "" : after.value(), "passes",
                    Long.toString(passes), "lastPassDoneAt", lastPassDoneAt == null ? "" : lastPassDoneAt.toString()));
        }
    }

    /**
     * The host deleted a linked record from the marketing store, and the CRM record is to be
     * deleted too: recorded when the change feed reports the deletion, ended once the CRM deleted
     * it (or it turned out changed in the CRM since, and was kept).
     *
     * @param type the object type
     * @param key the CRM record
     * @param marketingId the marketing id the deleted record had
     * @param recordedAt when the deletion was read from the feed
     */
    record HostDelete(ObjectType type, RecordKey.Crm key, String marketingId, Instant recordedAt) implements EngineIntent {
        /** Checks nulls. */
        public HostDelete {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(marketingId, "marketingId");
            Objects.requireNonNull(recordedAt, "recordedAt");
        }

        @Override
        public Kind kind() {
            return Kind.HOST_DELETE;
        }

        @Override
        public String payload() {
            return IntentPayloads.encode(Map.of("marketingId", marketingId));
        }
    }

    /**
     * The engine changed a record's values itself (a merge filled the survivor's empty fields, a
     * lead conversion moved the person, a parked conflict was resolved) and must reconcile it
     * again: the next cycle (or the current one, if it has not passed its retry stage) does.
     *
     * @param type the object type
     * @param key the record
     * @param reason why, for people reading the state (never customer data)
     * @param recordedAt when it was asked for
     */
    record FollowUp(ObjectType type, RecordKey key, String reason, Instant recordedAt) implements EngineIntent {
        /** Checks nulls. */
        public FollowUp {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(recordedAt, "recordedAt");
        }

        @Override
        public Kind kind() {
            return Kind.FOLLOW_UP;
        }

        @Override
        public String payload() {
            return IntentPayloads.encode(Map.of("reason", reason));
        }
    }

    /**
     * A create was sent to the CRM for a marketing-only record and its answer is not recorded
     * yet. A later cycle reads the CRM's changes, recognises the created record (by the
     * marketing-id field, or by its values) and links it; when none shows, it sends the create
     * again. The fingerprints of the values sent tell, once it is linked, which side changed a
     * field since.
     *
     * @param type the object type the create was sent as
     * @param key the marketing record
     * @param recordedAt when the create was sent
     * @param sent the fingerprint of each value sent, by field name
     */
    record UnconfirmedCreate(ObjectType type, RecordKey.Marketing key, Instant recordedAt,
                             Map<String, ValueFingerprint> sent) implements EngineIntent {
        /** Checks nulls and copies the map. */
        public UnconfirmedCreate {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(recordedAt, "recordedAt");
            sent = Map.copyOf(Objects.requireNonNull(sent, "sent"));
            for (String f : sent.keySet()) {
                if (f.isBlank()) {
                    throw new IllegalArgumentException("sent field names must not be blank");
                }
            }
        }

        @Override
        public Kind kind() {
            return Kind.UNCONFIRMED_CREATE;
        }

        @Override
        public String payload() {
            Map<String, String> p = new TreeMap<>();
            sent.forEach((f, v) -> p.put(IntentPayloads.SENT + f, v.hex()));
            return IntentPayloads.encode(p);
        }
    }

    /**
     * Where the type's first full copy continues after a restart: the
     * {@link dev.crmsync.crm.ChangeStream#resumePoint() resume point} of the CRM read under way (for
     * Salesforce, a Bulk API job, its next result locator and a hash of its query). Saved in the same
     * transaction as the page's writes and checkpoint, one per type under the fixed {@link #KEY};
     * deleted with the checkpoint that ends the copy. The token is opaque, bounded and holds neither
     * secrets nor customer data.
     *
     * @param type the object type being copied
     * @param recordedAt when the page it follows was committed
     * @param token the stream's resume point ({@link dev.crmsync.crm.ChangeQuery#checkToken} form)
     */
    record ReadResume(ObjectType type, Instant recordedAt, String token) implements EngineIntent {

        /** The one key a type's read resume point is kept under. */
        public static final RecordKey.Marketing KEY = RecordKey.marketing("crmsync.read-resume");

        /** Checks nulls and the token's form. */
        public ReadResume {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(recordedAt, "recordedAt");
            ChangeQuery.checkToken(token);
        }

        @Override
        public RecordKey key() {
            return KEY;
        }

        @Override
        public Kind kind() {
            return Kind.READ_RESUME;
        }

        @Override
        public String payload() {
            return IntentPayloads.encode(Map.of("token", token));
        }
    }

    /**
     * The fields the engine synced for a type when its last cycle ended, and the back-fill under way
     * of fields that became synced since (readable in the CRM, or selected by the host): their values
     * are re-read from every record of the type, page by page from {@link dev.crmsync.crm.Cursor#START}
     * to the end of the CRM's stream, and {@code backfillCursor} is where the next page starts. Saved
     * in the same transaction as a page's store writes, one per type under the fixed {@link #KEY}.
     * Holds field names only (no customer data).
     *
     * @param type the object type
     * @param recordedAt when it was saved
     * @param fields the fields synced (and, for those not in {@code backfill}, held by every record the
     *     store has)
     * @param backfill the fields whose values are being back-filled (a subset of {@code fields}); empty
     *     when none is
     * @param backfillCursor where the back-fill goes on, or null when none is under way
     */
    record SyncedFields(ObjectType type, Instant recordedAt, java.util.Set<String> fields, java.util.Set<String> backfill,
                        dev.crmsync.crm.@org.jspecify.annotations.Nullable Cursor backfillCursor) implements EngineIntent {

        /** The one key a type's synced fields are kept under. */
        public static final RecordKey.Marketing KEY = RecordKey.marketing("crmsync.synced-fields");

        /** Checks nulls and names, copies the sets. */
        public SyncedFields {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(recordedAt, "recordedAt");
            fields = java.util.Set.copyOf(fields);
            backfill = java.util.Set.copyOf(backfill);
            for (String f : fields) {
                if (f.isEmpty() || f.indexOf(',') >= 0) {
                    throw new IllegalArgumentException("a field name must not be empty nor hold a comma: '" + f + "'");
                }
            }
            if (!fields.containsAll(backfill)) {
                throw new IllegalArgumentException("the back-filled fields must be among the synced fields");
            }
            if (backfill.isEmpty() != (backfillCursor == null)) {
                throw new IllegalArgumentException("a back-fill has both fields and a cursor, or neither");
            }
        }

        @Override
        public RecordKey key() {
            return KEY;
        }

        @Override
        public Kind kind() {
            return Kind.SYNCED_FIELDS;
        }

        @Override
        public String payload() {
            Map<String, String> p = new TreeMap<>();
            p.put("fields", String.join(",", new java.util.TreeSet<>(fields)));
            if (backfillCursor != null) {
                p.put("backfill", String.join(",", new java.util.TreeSet<>(backfill)));
                p.put("backfill.stamp", backfillCursor.modstamp().toString());
                p.put("backfill.id", backfillCursor.lastId() == null ? "" : backfillCursor.lastId().value());
            }
            return IntentPayloads.encode(p);
        }
    }
}
