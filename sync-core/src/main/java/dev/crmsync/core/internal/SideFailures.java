package dev.crmsync.core.internal;

import dev.crmsync.core.SyncListener;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.SyncStateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failures of one object type and one target side, for the bidirectional strategy and
 * {@code pushNow}: rejections (counted, parked after the configured attempts, told to the
 * listener), and two kinds of bookkeeping entries that share the failure table but are not
 * failures:
 * <ul>
 *   <li>{@value #FOLLOW_UP}: the engine changed the record's marketing values itself (a merge or
 *       a lead conversion filled fields) and must reconcile it again; retried at once.</li>
 *   <li>{@value #PUSH_UNCONFIRMED}: a create was sent to the CRM for a marketing-only record and
 *       its answer is not recorded yet. A later cycle reads the CRM's changes, recognises the
 *       created record (by the marketing-id field, or by its values) and links it; or, when none
 *       shows, sends the create again.</li>
 * </ul>
 * Neither is counted as a failure nor ever parked, and neither counts as an earlier attempt.
 */
final class SideFailures {
    private static final Logger LOG = LoggerFactory.getLogger(SideFailures.class);

    /** Most queued failures retried per type and cycle; the rest wait for the next cycle. */
    static final int RETRY_LIMIT_PER_CYCLE = 10_000;

    /** Code of a follow-up entry. */
    static final String FOLLOW_UP = "FOLLOW_UP";
    /** Code of an unconfirmed-create entry. */
    static final String PUSH_UNCONFIRMED = "PUSH_UNCONFIRMED";

    private final SyncStateStore state;
    private final ObjectType type;
    private final SyncSide side;
    private final int maxAttempts;
    private final Clock clock;
    private final SyncListener listener;
    private final TypeCounters counters;
    private final boolean preloaded;
    private final Map<String, FailedRecord> known = new HashMap<>();
    private final Set<String> absent = new HashSet<>();
    private final List<FailedRecord> due = new ArrayList<>();
    private final Set<String> failedThisRun = new HashSet<>();
    private final List<String> followUps = new ArrayList<>();

    private SideFailures(SyncStateStore state, ObjectType type, SyncSide side, int maxAttempts, Clock clock,
                         SyncListener listener, TypeCounters counters, boolean preload) {
        this.state = state;
        this.type = type;
        this.side = side;
        this.maxAttempts = maxAttempts;
        this.clock = clock;
        this.listener = listener;
        this.counters = counters;
        this.preloaded = preload;
        if (preload) {
            for (FailedRecord f : state.retryQueue(type, side, RETRY_LIMIT_PER_CYCLE)) {
                due.add(f);
                known.put(f.key(), f);
            }
            for (FailedRecord f : state.parkedFailures()) {
                if (f.type().equals(type) && f.target() == side) {
                    known.put(f.key(), f);
                }
            }
        }
    }

    /** Loads every failure on record for the type and side (a cycle's type run). */
    static SideFailures load(SyncStateStore state, ObjectType type, SyncSide side, int maxAttempts, Clock clock,
                             SyncListener listener, TypeCounters counters) {
        return new SideFailures(state, type, side, maxAttempts, clock, listener, counters, true);
    }

    /** Looks failures up one key at a time (a push outside the cycle). */
    static SideFailures lazy(SyncStateStore state, ObjectType type, SyncSide side, int maxAttempts, Clock clock,
                             SyncListener listener, TypeCounters counters) {
        return new SideFailures(state, type, side, maxAttempts, clock, listener, counters, false);
    }

    /** @return the entries that were due for retry when loaded (not parked) */
    List<FailedRecord> due() {
        return List.copyOf(due);
    }

    /** @return every entry known now, loaded or written since (few: only records with something on record) */
    List<FailedRecord> known() {
        return new ArrayList<>(known.values());
    }

    /** @param key a record key @return the entry on record for it, if any */
    Optional<FailedRecord> find(String key) {
        FailedRecord f = known.get(key);
        if (f != null || preloaded || absent.contains(key)) {
            return Optional.ofNullable(f);
        }
        Optional<FailedRecord> loaded = state.failure(type, key, side);
        if (loaded.isPresent()) {
            known.put(key, loaded.get());
        } else {
            absent.add(key);
        }
        return loaded;
    }

    /** @param key a record key @return true if a real failure (not a bookkeeping entry) is on record */
    boolean hasFailure(String key) {
        return find(key).filter(f -> !isBookkeeping(f)).isPresent();
    }

    /** @param key a record key @return true if it was rejected during this run */
    boolean failedThisRun(String key) {
        return failedThisRun.contains(key);
    }

    /** @param f an entry @return true for a follow-up or an unconfirmed create */
    static boolean isBookkeeping(FailedRecord f) {
        return f.code().equals(FOLLOW_UP) || f.code().equals(PUSH_UNCONFIRMED);
    }

    /**
     * Records a rejection: a new failure, or one more attempt of a known one (parked once the
     * attempts are used up). A key rejected twice in one run counts once.
     */
    FailedRecord rejected(String key, String code, String message, boolean retriable) {
        Instant now = clock.instant();
        Optional<FailedRecord> previous = find(key).filter(f -> !isBookkeeping(f));
        if (!failedThisRun.add(key)) {
            return previous.orElse(null);
        }
        FailedRecord next = previous.isEmpty()
                ? new FailedRecord(type, key, side, code, message, retriable, 1, now, now, maxAttempts <= 1)
                : previous.get().failedAgain(code, message, retriable, now, maxAttempts);
        save(next);
        counters.failed();
        if (next.parked()) {
            LOG.warn("{} {} rejected by the {} side ({}: {}); parked after {} attempts",
                    type, key, side, code, message, next.attempts());
        } else {
            LOG.info("{} {} rejected by the {} side ({}: {}); attempt {} of {}, {}", type, key, side, code, message,
                    next.attempts(), maxAttempts, retriable ? "will retry" : "retried when the record changes again");
        }
        listener.onRecordRejected(next);
        return next;
    }

    /**
     * Parks a record at once (retrying it unchanged cannot help), counted and told to the listener.
     */
    void parked(String key, String code, String message) {
        if (!failedThisRun.add(key)) {
            return;
        }
        Instant now = clock.instant();
        Optional<FailedRecord> previous = find(key).filter(f -> !isBookkeeping(f));
        FailedRecord next = new FailedRecord(type, key, side, code, message, false,
                previous.map(f -> f.attempts() + 1).orElse(1), previous.map(FailedRecord::firstFailedAt).orElse(now),
                now, true);
        save(next);
        counters.failed();
        LOG.warn("{} {} parked: {}: {}", type, key, code, message);
        listener.onRecordRejected(next);
    }

    /**
     * Records that a create was sent for a marketing-only record (see the class documentation),
     * with a fingerprint of each value sent: should the answer be lost, the CRM record is linked
     * later, and a field whose store value still matches its fingerprint takes the CRM's value
     * (a CRM user's edit since the create), while one that does not keeps the host's edit.
     */
    void pushSent(String key, Map<String, FieldValue> sent) {
        Instant now = clock.instant();
        Optional<FailedRecord> previous = find(key).filter(f -> !isBookkeeping(f));
        StringBuilder fp = new StringBuilder();
        new java.util.TreeMap<>(sent).forEach((f, v) -> fp.append(fp.length() == 0 ? "" : ",").append(f).append('#')
                .append(fingerprint(v)));
        save(new FailedRecord(type, key, side, PUSH_UNCONFIRMED, "a create was sent to the CRM at " + now
                + "; its answer is not recorded yet" + SENT + fp + "]", true,
                previous.map(FailedRecord::attempts).orElse(1),
                previous.map(FailedRecord::firstFailedAt).orElse(now), now, false));
        // a real failure before the push keeps counting: remember it for rejected()
        previous.ifPresent(p -> known.put(key, p));
    }

    private static final String SENT = " [sent ";

    /** @return a short fingerprint of a value, its kind included (text "1" is not number 1) */
    static String fingerprint(FieldValue v) {
        String text = v.getClass().getSimpleName() + ":" + v.asText();
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
            h ^= text.charAt(i);
            h *= 0x100000001b3L;
        }
        return Long.toHexString(h);
    }

    /**
     * @param f an unconfirmed-create entry
     * @return the fingerprints of the values the create sent, by field; null if it carries none
     */
    static Map<String, String> sentFingerprints(FailedRecord f) {
        int at = f.message().lastIndexOf(SENT);
        if (!f.code().equals(PUSH_UNCONFIRMED) || at < 0 || !f.message().endsWith("]")) {
            return null;
        }
        Map<String, String> out = new HashMap<>();
        String body = f.message().substring(at + SENT.length(), f.message().length() - 1);
        if (body.isEmpty()) {
            return out;
        }
        for (String part : body.split(",")) {
            int hash = part.lastIndexOf('#');
            if (hash > 0) {
                out.put(part.substring(0, hash), part.substring(hash + 1));
            }
        }
        return out;
    }

    /**
     * Asks for the record to be reconciled again (by this run if it has not passed its retry
     * stage, else by the next cycle). A failure on record is kept, queued and unparked.
     */
    void followUp(String key, String why) {
        followUps.add(key);
        followUp(state, type, key, why, clock.instant());
    }

    /** @return the keys {@link #followUp} queued during this run */
    List<String> followUpsThisRun() {
        return List.copyOf(followUps);
    }

    /** Saves a follow-up entry for a record of any type (see {@link #followUp(String, String)}). */
    static void followUp(SyncStateStore state, ObjectType type, String key, String why, Instant now) {
        Optional<FailedRecord> existing = state.failure(type, key, SyncSide.CRM);
        if (existing.isPresent() && !isBookkeeping(existing.get())) {
            FailedRecord f = existing.get();
            state.saveFailure(new FailedRecord(f.type(), f.key(), f.target(), f.code(), f.message(), true,
                    f.attempts(), f.firstFailedAt(), f.lastFailedAt(), false));
        } else if (existing.isEmpty() || !existing.get().code().equals(PUSH_UNCONFIRMED)) {
            state.saveFailure(new FailedRecord(type, key, SyncSide.CRM, FOLLOW_UP, why, true, 1, now, now, false));
        }
    }

    /** Records that a key applied: forgets whatever was on record for it. */
    void succeeded(String key) {
        Optional<FailedRecord> f = find(key);
        if (f.isPresent()) {
            state.deleteFailure(type, key, side);
            known.remove(key);
            absent.add(key);
            if (!isBookkeeping(f.get())) {
                LOG.info("{} {} applied after earlier failures; removed from the retry queue", type, key);
            }
        }
    }

    private void save(FailedRecord f) {
        state.saveFailure(f);
        known.put(f.key(), f);
        absent.remove(f.key());
    }
}
