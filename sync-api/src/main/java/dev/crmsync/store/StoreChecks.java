package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The argument and value rules every {@link MarketingStore} applies, written once: the in-memory
 * and JDBC stores call them, and so should a third-party adapter, so that every store refuses the
 * same arguments with the same exception and rejects the same values with the same codes.
 *
 * <h2>Two kinds of rule</h2>
 * <ul>
 *   <li><b>Argument rules</b> ({@code require…}) throw: a batch that breaks them is a bug in the
 *       caller, and nothing of it is written. Each message names the bad argument and at most a
 *       record key, never a field value.</li>
 *   <li><b>Value rules</b> ({@link #valueProblem}) return a {@link Problem}: a value the store
 *       cannot keep exactly. In a batch ({@link MarketingStore#upsert}) it makes that one record
 *       {@link StoreResult.Rejected} ({@link Problem#rejection}); in a single-record call
 *       ({@link LocalWrites#saveLocal}, {@link BidirectionalStore#merge},
 *       {@link BidirectionalStore#relink}) it is thrown ({@link #requireStorable}).</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class StoreChecks {

    /** Rejection code: a blank field name, or one longer than the store keeps. */
    public static final String INVALID_FIELD_NAME = "INVALID_FIELD_NAME";
    /** Rejection code: a text (value or field name) holding an unpaired UTF-16 surrogate, which has no UTF-8 form. */
    public static final String INVALID_TEXT = "INVALID_TEXT";
    /** Rejection code: a text, or the whole encoded record, longer than the store keeps. */
    public static final String VALUE_TOO_LONG = "VALUE_TOO_LONG";
    /** A length limit meaning "no limit" (a store that keeps text of any length). */
    public static final int NO_LIMIT = Integer.MAX_VALUE;

    private StoreChecks() {
    }

    /**
     * A value a store cannot keep exactly.
     *
     * @param code the rejection code ({@link #INVALID_FIELD_NAME}, {@link #INVALID_TEXT}, {@link #VALUE_TOO_LONG})
     * @param message what is wrong, naming the field but never quoting its value
     */
    public record Problem(String code, String message) {
        /** Checks nulls. */
        public Problem {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }

        /**
         * @param id the record's CRM id
         * @return the batch result that rejects the record for this problem (not retriable: the
         *     same value fails again)
         */
        public StoreResult.Rejected rejection(CrmId id) {
            return new StoreResult.Rejected(id, code, message, false);
        }

        /** @return the exception a single-record call throws for this problem: message and code */
        public IllegalArgumentException exception() {
            return new IllegalArgumentException(message + " (" + code + ")");
        }
    }

    // ---- value rules ---------------------------------------------------------------------------

    /**
     * The value rules for a store that keeps names and texts of any length: every field name is
     * non-blank, and no text (name or value) holds an unpaired UTF-16 surrogate.
     *
     * @param fields the values to write
     * @return the first problem found, or empty when every value can be kept exactly
     */
    public static Optional<Problem> valueProblem(Map<String, FieldValue> fields) {
        return valueProblem(fields, NO_LIMIT, NO_LIMIT);
    }

    /**
     * The value rules: every field name is non-blank and at most {@code maxFieldNameLength}
     * characters long, every text value at most {@code maxTextLength}, and no text (name or value)
     * holds an unpaired UTF-16 surrogate.
     *
     * @param fields the values to write
     * @param maxFieldNameLength the longest field name the store keeps, at least 1, or {@link #NO_LIMIT}
     * @param maxTextLength the longest text value the store keeps, at least 0, or {@link #NO_LIMIT}
     * @return the first problem found, or empty when every value can be kept exactly
     */
    public static Optional<Problem> valueProblem(Map<String, FieldValue> fields, int maxFieldNameLength,
                                                 int maxTextLength) {
        Objects.requireNonNull(fields, "fields");
        if (maxFieldNameLength < 1) {
            throw new IllegalArgumentException("maxFieldNameLength must be >= 1, was " + maxFieldNameLength);
        }
        if (maxTextLength < 0) {
            throw new IllegalArgumentException("maxTextLength must be >= 0, was " + maxTextLength);
        }
        for (Map.Entry<String, FieldValue> e : fields.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "field name");
            Objects.requireNonNull(e.getValue(), "field value");
            if (name.isBlank()) {
                return Optional.of(new Problem(INVALID_FIELD_NAME, "a field name is blank"));
            }
            int bad = unpairedSurrogate(name);
            if (bad >= 0) {
                return Optional.of(new Problem(INVALID_TEXT, "a field name holds an unpaired UTF-16 surrogate at index "
                        + bad + ", which has no UTF-8 form"));
            }
            if (name.length() > maxFieldNameLength) {
                return Optional.of(new Problem(INVALID_FIELD_NAME, "field name '"
                        + name.substring(0, Math.min(40, maxFieldNameLength)) + "…' is "
                        + name.length() + " characters long; at most " + maxFieldNameLength + " fit"));
            }
            if (e.getValue() instanceof FieldValue.Text t) {
                String s = t.value();
                if (s.length() > maxTextLength) {
                    return Optional.of(new Problem(VALUE_TOO_LONG, "field '" + name + "' holds " + s.length()
                            + " characters; at most " + maxTextLength + " fit"));
                }
                bad = unpairedSurrogate(s);
                if (bad >= 0) {
                    return Optional.of(new Problem(INVALID_TEXT, "field '" + name
                            + "' holds an unpaired UTF-16 surrogate at index " + bad + ", which has no UTF-8 form"));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The value rules of a single-record call: throws the first {@linkplain #valueProblem problem}.
     *
     * @param fields the values to write
     * @param maxFieldNameLength the longest field name the store keeps, or {@link #NO_LIMIT}
     * @param maxTextLength the longest text value the store keeps, or {@link #NO_LIMIT}
     * @throws IllegalArgumentException naming the field and the code, if a value cannot be kept exactly
     */
    public static void requireStorable(Map<String, FieldValue> fields, int maxFieldNameLength, int maxTextLength) {
        Optional<Problem> p = valueProblem(fields, maxFieldNameLength, maxTextLength);
        if (p.isPresent()) {
            throw p.get().exception();
        }
    }

    /**
     * The rule for a store that limits the size of a whole encoded record (a column of bounded
     * length, say).
     *
     * @param encodedLength how long the record's encoded fields are
     * @param maxLength the most the store keeps
     * @return a {@link #VALUE_TOO_LONG} problem when {@code encodedLength > maxLength}, else empty
     */
    public static Optional<Problem> encodedLengthProblem(int encodedLength, int maxLength) {
        return encodedLength <= maxLength ? Optional.empty()
                : Optional.of(new Problem(VALUE_TOO_LONG, "the record's fields take " + encodedLength
                        + " characters encoded; at most " + maxLength + " fit"));
    }

    /**
     * @param text any text
     * @return the index of the first unpaired UTF-16 surrogate in it (a text with one has no UTF-8
     *     form, so a UTF-8 database cannot keep it), or -1 when there is none
     */
    public static int unpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A change-feed position of the shape both shipped stores use: the feed is ordered by
     * {@code (seq, id)}, a record's change sequence (0 for records no host write has touched) then
     * its numeric marketing id, and a position is the pair of the last record returned, spelt
     * {@code "seq.id"} inside the {@link FeedCursor}. An adapter with a feed of that shape uses it
     * instead of parsing cursors itself.
     *
     * @param seq the change sequence of the last record returned, at least 0
     * @param id the numeric marketing id of the last record returned, at least 0
     */
    public record FeedPosition(long seq, long id) {

        /** Before every record: the position {@link FeedCursor#START} stands for. */
        public static final FeedPosition START = new FeedPosition(0, 0);

        /** Checks ranges. */
        public FeedPosition {
            if (seq < 0 || id < 0) {
                throw new IllegalArgumentException("a feed position is two numbers >= 0, was (" + seq + ", " + id + ")");
            }
        }

        /**
         * @param cursor {@link FeedCursor#START} or a cursor made by {@link #cursor()}
         * @return the position it stands for
         * @throws IllegalArgumentException if the cursor is not one such a store issues
         */
        public static FeedPosition of(FeedCursor cursor) {
            Objects.requireNonNull(cursor, "cursor");
            if (cursor.isStart()) {
                return START;
            }
            String s = cursor.value();
            int dot = s.indexOf('.');
            try {
                if (dot > 0) {
                    long seq = Long.parseLong(s.substring(0, dot));
                    long id = Long.parseLong(s.substring(dot + 1));
                    if (seq >= 0 && id >= 0) {
                        return new FeedPosition(seq, id);
                    }
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("invalid change-feed cursor '" + s
                    + "': expected FeedCursor.START or a cursor this store returned");
        }

        /** @return the cursor that stands for this position ({@link FeedCursor#START} for {@link #START}) */
        public FeedCursor cursor() {
            return equals(START) ? FeedCursor.START : FeedCursor.of(seq + "." + id);
        }
    }

    // ---- argument rules ------------------------------------------------------------------------

    /**
     * The rule of {@link MarketingStore#upsert}'s batch: no null, every record of the batch's
     * type, each CRM id at most once.
     *
     * @param type the batch's type
     * @param records the batch
     * @return the batch's CRM ids, in input order
     * @throws NullPointerException if an argument or a record is null
     * @throws IllegalArgumentException if a record is of another type or an id repeats
     */
    public static Set<CrmId> requireBatch(ObjectType type, List<SyncRecord> records) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(records, "records");
        Set<CrmId> seen = new LinkedHashSet<>();
        for (SyncRecord r : records) {
            Objects.requireNonNull(r, "record");
            if (!r.type().equals(type)) {
                throw new IllegalArgumentException("record " + r.id() + " is of type " + r.type()
                        + ", not of the batch's type " + type);
            }
            if (!seen.add(r.id())) {
                throw new IllegalArgumentException("CRM id " + r.id() + " appears twice in one batch");
            }
        }
        return Collections.unmodifiableSet(seen);
    }

    /**
     * The rule of {@link MarketingStore#markDeleted}'s batch: no null, each CRM id at most once.
     *
     * @param type the batch's type
     * @param deletions the batch
     * @return the batch's CRM ids, in input order
     * @throws NullPointerException if an argument or a deletion is null
     * @throws IllegalArgumentException if an id repeats
     */
    public static Set<CrmId> requireDeletions(ObjectType type, List<Deletion> deletions) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(deletions, "deletions");
        Set<CrmId> seen = new LinkedHashSet<>();
        for (Deletion d : deletions) {
            Objects.requireNonNull(d, "deletion");
            if (!seen.add(d.crmId())) {
                throw new IllegalArgumentException("CRM id " + d.crmId() + " appears twice in one batch");
            }
        }
        return Collections.unmodifiableSet(seen);
    }

    /**
     * The rule of a lookup by CRM ids ({@link MarketingStore#findByCrmIds}): no null.
     *
     * @param type the type
     * @param ids the ids
     * @throws NullPointerException if an argument or an id is null
     */
    public static void requireIds(ObjectType type, Collection<CrmId> ids) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(ids, "ids");
        for (CrmId id : ids) {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * The rule of a merge ({@link BidirectionalStore#merge}): no null, the survivor not among the losers.
     *
     * @param survivor the surviving record's CRM id
     * @param losers the merged-away records' CRM ids
     * @return the losers, each once, in input order
     * @throws NullPointerException if an argument or a loser is null
     * @throws IllegalArgumentException if the survivor is also a loser
     */
    public static Set<CrmId> requireLosers(CrmId survivor, Collection<CrmId> losers) {
        Objects.requireNonNull(survivor, "survivor");
        Objects.requireNonNull(losers, "losers");
        Set<CrmId> out = new LinkedHashSet<>();
        for (CrmId l : losers) {
            Objects.requireNonNull(l, "loser");
            if (l.equals(survivor)) {
                throw new IllegalArgumentException("survivor " + survivor + " is also listed as a loser");
            }
            out.add(l);
        }
        return Collections.unmodifiableSet(out);
    }

    /**
     * The rule of every page size ({@link MarketingStore#crmIds}, {@link BidirectionalStore#changesSince}).
     *
     * @param limit the most items a page may hold
     * @throws IllegalArgumentException if {@code limit < 1}
     */
    public static void requireLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
    }

    /**
     * The rule of the host writes and the change feed ({@link LocalWrites#saveLocal},
     * {@link BidirectionalStore#changesSince}): only bidirectional types have them.
     *
     * @param type the type
     * @throws IllegalArgumentException if the type is one-way
     */
    public static void requireBidirectional(ObjectType type) {
        Objects.requireNonNull(type, "type");
        if (!type.isBidirectional()) {
            throw new IllegalArgumentException("object type " + type
                    + " is one-way (CRM to marketing): it has no local changes or change feed");
        }
    }

    /** Longest lease name, owner or instance token a store must keep. */
    public static final int MAX_LEASE_TEXT = 255;

    /**
     * The rule of the lease calls ({@link SyncStateStore#tryAcquireLease},
     * {@link SyncStateStore#renewLease}): texts of 1 to {@link #MAX_LEASE_TEXT} characters, not
     * blank, and a positive time-to-live. The message names the bad argument and its length, not its text.
     *
     * @param name the lease name
     * @param owner the engine id
     * @param instance the instance token
     * @param ttl the time-to-live
     * @throws IllegalArgumentException if one breaks the rule
     */
    public static void leaseArguments(String name, String owner, String instance, java.time.Duration ttl) {
        leaseText("name", name);
        leaseText("owner", owner);
        leaseText("instance", instance);
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("lease ttl must be positive, was " + ttl);
        }
    }

    private static void leaseText(String what, String text) {
        Objects.requireNonNull(text, what);
        if (text.isBlank() || text.length() > MAX_LEASE_TEXT) {
            throw new IllegalArgumentException("lease " + what + " must be 1 to " + MAX_LEASE_TEXT
                    + " characters and not blank, was " + text.length() + " characters");
        }
    }

    /**
     * Reads back a marketing id issued from a sequence, as the in-memory and JDBC stores issue
     * them: a positive decimal without leading zeros, at most 18 digits.
     *
     * @param marketingId a marketing id
     * @return its number, or -1 when the text is not such an id (so names no record: a lookup
     *     finds nothing, a write by that id fails)
     */
    public static long sequenceNumber(String marketingId) {
        Objects.requireNonNull(marketingId, "marketingId");
        int n = marketingId.length();
        if (n == 0 || n > 18 || marketingId.charAt(0) == '0') {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char ch = marketingId.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }
}
