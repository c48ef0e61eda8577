package dev.crmsync.core.internal;

import dev.crmsync.core.SyncListener;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SafeText;
import dev.crmsync.store.EngineIntent;
import dev.crmsync.store.EngineIntent.FollowUp;
import dev.crmsync.store.EngineIntent.UnconfirmedCreate;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.store.ValueFingerprint;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is on record for the records of one object type and one target side, for the
 * bidirectional strategy and {@code pushNow}: rejections ({@link FailedRecord}s: counted, parked
 * after the configured attempts, told to the listener) and, for the CRM side, the engine's own
 * intents, kept apart from them ({@link EngineIntent}s: never counted nor parked, and never an
 * earlier attempt):
 * <ul>
 *   <li>{@link FollowUp}: the engine changed the record's marketing values itself (a merge or a
 *       lead conversion filled fields, a conflict was resolved) and must reconcile it again;
 *       retried at once.</li>
 *   <li>{@link UnconfirmedCreate}: a create was sent to the CRM for a marketing-only record and
 *       its answer is not recorded yet. A later cycle reads the CRM's changes, recognises the
 *       created record (by the marketing-id field, or by its values) and links it; or, when none
 *       shows, sends the create again. While one is outstanding, a failure of the same record from
 *       before the create is not acted on (it is the create's answer that counts).</li>
 * </ul>
 * A rejection of a record ends its intents: the CRM answered.
 */
final class SideFailures {
    private static final Logger LOG = LoggerFactory.getLogger(SideFailures.class);

    /** Most queued failures (and intents of each kind) retried per type and cycle; the rest wait for the next cycle. */
    static final int RETRY_LIMIT_PER_CYCLE = 10_000;

    /** What is on record for one key, as far as this object knows. */
    private static final class Entry {
        FailedRecord failure;
        UnconfirmedCreate unconfirmed;
        FollowUp followUp;
    }

    /** A retry due: a failure or a follow-up, by when it was recorded. */
    record Due(Instant at, RecordKey key) {
    }

    private final SyncStateStore state;
    private final ObjectType type;
    private final SyncSide side;
    private final int maxAttempts;
    private final Clock clock;
    private final SyncListener listener;
    private final TypeCounters counters;
    private final boolean preloaded;
    private final Map<RecordKey, Entry> entries = new LinkedHashMap<>();
    /** The entries' unconfirmed creates, kept apart: the CRM phase asks for them once per record read. */
    private final Map<RecordKey, UnconfirmedCreate> unconfirmedByKey = new LinkedHashMap<>();
    /** What a preloaded book holds for a key it has nothing on record for (never written). */
    private static final Entry NOTHING = new Entry();
    private final List<FailedRecord> due = new ArrayList<>();
    private final List<FollowUp> dueFollowUps = new ArrayList<>();
    private final Set<RecordKey> failedThisRun = new HashSet<>();
    private final List<RecordKey> followUps = new ArrayList<>();

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
            List<FailedRecord> queued = state.retryQueue(type, side, RETRY_LIMIT_PER_CYCLE);
            for (FailedRecord f : queued) {
                slot(f.key()).failure = f;
            }
            for (FailedRecord f : state.parkedFailures()) {
                if (f.type().equals(type) && f.target() == side) {
                    slot(f.key()).failure = f;
                }
            }
            if (side == SyncSide.CRM) {
                for (EngineIntent i : state.intents(type, EngineIntent.Kind.UNCONFIRMED_CREATE, RETRY_LIMIT_PER_CYCLE)) {
                    if (i instanceof UnconfirmedCreate u) {
                        setUnconfirmed(u.key(), slot(u.key()), u);
                    }
                }
                for (EngineIntent i : state.intents(type, EngineIntent.Kind.FOLLOW_UP, RETRY_LIMIT_PER_CYCLE)) {
                    if (i instanceof FollowUp fu) {
                        slot(fu.key()).followUp = fu;
                        dueFollowUps.add(fu);
                    }
                }
            }
            for (FailedRecord f : queued) {
                if (entries.get(f.key()).unconfirmed == null) {
                    due.add(f);
                }
            }
        }
    }

    /** Loads everything on record for the type and side (a cycle's type run). */
    static SideFailures load(SyncStateStore state, ObjectType type, SyncSide side, int maxAttempts, Clock clock,
                             SyncListener listener, TypeCounters counters) {
        return new SideFailures(state, type, side, maxAttempts, clock, listener, counters, true);
    }

    /** Looks entries up one key at a time (a push outside the cycle). */
    static SideFailures lazy(SyncStateStore state, ObjectType type, SyncSide side, int maxAttempts, Clock clock,
                             SyncListener listener, TypeCounters counters) {
        return new SideFailures(state, type, side, maxAttempts, clock, listener, counters, false);
    }

    private Entry slot(RecordKey key) {
        return entries.computeIfAbsent(key, k -> new Entry());
    }

    /** @return what is on record for a key, looked up in the store on first use unless all was loaded */
    private Entry entry(RecordKey key) {
        Entry e = entries.get(key);
        if (e != null) {
            return e;
        }
        e = slot(key);
        if (!preloaded) {
            e.failure = state.failure(type, key, side).orElse(null);
            if (side == SyncSide.CRM) {
                if (key instanceof RecordKey.Marketing) {
                    setUnconfirmed(key, e, state.intent(type, key, EngineIntent.Kind.UNCONFIRMED_CREATE)
                            .filter(UnconfirmedCreate.class::isInstance).map(UnconfirmedCreate.class::cast).orElse(null));
                }
                e.followUp = state.intent(type, key, EngineIntent.Kind.FOLLOW_UP)
                        .filter(FollowUp.class::isInstance).map(FollowUp.class::cast).orElse(null);
            }
        }
        return e;
    }

    /** @return the failures that were due for retry when loaded (not parked, no create outstanding) */
    List<FailedRecord> due() {
        return List.copyOf(due);
    }

    /** @return the follow-ups on record when loaded */
    List<FollowUp> dueFollowUps() {
        return List.copyOf(dueFollowUps);
    }

    /** @return the keys known now, loaded or written since, in that order */
    List<RecordKey> keys() {
        return new ArrayList<>(entries.keySet());
    }

    /** @return the unconfirmed creates known now, loaded or written since */
    List<UnconfirmedCreate> unconfirmed() {
        return new ArrayList<>(unconfirmedByKey.values());
    }

    private void setUnconfirmed(RecordKey key, Entry e, UnconfirmedCreate u) {
        e.unconfirmed = u;
        if (u == null) {
            unconfirmedByKey.remove(key);
        } else {
            unconfirmedByKey.put(key, u);
        }
    }

    /**
     * What is on record for a key, for reading: a preloaded book answers from memory and keeps no
     * entry for a key with nothing on record (a first copy reads every record's key: the book stays
     * as small as what is on record).
     */
    private Entry peek(RecordKey key) {
        if (preloaded) {
            Entry e = entries.get(key);
            return e == null ? NOTHING : e;
        }
        return entry(key);
    }

    /** @param key a record key @return the unconfirmed create on record for it, if any */
    Optional<UnconfirmedCreate> unconfirmed(RecordKey key) {
        if (side != SyncSide.CRM || !(key instanceof RecordKey.Marketing)) {
            return Optional.empty();
        }
        return Optional.ofNullable(peek(key).unconfirmed);
    }

    /**
     * @param key a record key
     * @return the failure on record for it, if any, unless a create of the record is outstanding
     */
    Optional<FailedRecord> find(RecordKey key) {
        if (unconfirmed(key).isPresent()) {
            return Optional.empty();
        }
        return Optional.ofNullable(peek(key).failure);
    }

    /** @param key a record key @return true if a failure is on record (see {@link #find}) */
    boolean hasFailure(RecordKey key) {
        return find(key).isPresent();
    }

    /** @param key a record key @return true if it was rejected during this run */
    boolean failedThisRun(RecordKey key) {
        return failedThisRun.contains(key);
    }

    /**
     * Records a rejection: a new failure, or one more attempt of a known one (parked once the
     * attempts are used up). A key rejected twice in one run counts once. The record's intents end.
     */
    FailedRecord rejected(RecordKey key, String code, String reason, boolean retriable) {
        String message = SafeText.bounded(reason);
        Instant now = clock.instant();
        Entry e = entry(key);
        Optional<FailedRecord> previous = Optional.ofNullable(e.failure);
        if (!failedThisRun.add(key)) {
            return previous.orElse(null);
        }
        FailedRecord next = previous.isEmpty()
                ? new FailedRecord(type, key, side, code, message, retriable, 1, now, now, maxAttempts <= 1)
                : previous.get().failedAgain(code, message, retriable, now, maxAttempts);
        save(e, next);
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
     * The record's intents end.
     */
    void parked(RecordKey key, String code, String reason) {
        String message = SafeText.bounded(reason);
        if (!failedThisRun.add(key)) {
            return;
        }
        Instant now = clock.instant();
        Entry e = entry(key);
        Optional<FailedRecord> previous = Optional.ofNullable(e.failure);
        FailedRecord next = new FailedRecord(type, key, side, code, message, false,
                previous.map(f -> f.attempts() + 1).orElse(1), previous.map(FailedRecord::firstFailedAt).orElse(now),
                now, true);
        save(e, next);
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
    void pushSent(RecordKey.Marketing key, Map<String, FieldValue> sent) {
        Map<String, ValueFingerprint> fp = new TreeMap<>();
        sent.forEach((f, v) -> fp.put(f, ValueFingerprint.of(v)));
        UnconfirmedCreate u = new UnconfirmedCreate(type, key, clock.instant(), fp);
        state.saveIntent(u);
        setUnconfirmed(key, entry(key), u);
    }

    /**
     * Asks for the record to be reconciled again (by this run if it has not passed its retry
     * stage, else by the next cycle). A failure on record is kept, queued and unparked.
     */
    void followUp(RecordKey key, String why) {
        followUps.add(key);
        followUp(state, type, key, why, clock.instant());
    }

    /** @return the keys {@link #followUp} queued during this run */
    List<RecordKey> followUpsThisRun() {
        return List.copyOf(followUps);
    }

    /**
     * Asks for a record of any type to be reconciled again (see {@link #followUp(RecordKey, String)}):
     * a failure on record is queued again (its reason kept); otherwise a {@link FollowUp} is saved.
     * Nothing is saved while a create of the record is outstanding (its link reconciles it).
     */
    static void followUp(SyncStateStore state, ObjectType type, RecordKey key, String why, Instant now) {
        if (key instanceof RecordKey.Marketing
                && state.intent(type, key, EngineIntent.Kind.UNCONFIRMED_CREATE).isPresent()) {
            return;
        }
        Optional<FailedRecord> existing = state.failure(type, key, SyncSide.CRM);
        if (existing.isPresent()) {
            FailedRecord f = existing.get();
            state.saveFailure(new FailedRecord(f.type(), f.key(), f.target(), f.code(), f.message(), true,
                    f.attempts(), f.firstFailedAt(), f.lastFailedAt(), false));
        } else {
            state.saveIntent(new FollowUp(type, key, why, now));
        }
    }

    /** Records that a key applied: forgets whatever was on record for it. */
    void succeeded(RecordKey key) {
        Entry e = peek(key);
        if (e == NOTHING) {
            return;     // nothing on record
        }
        if (e.failure != null) {
            state.deleteFailure(type, key, side);
            e.failure = null;
            LOG.info("{} {} applied after earlier failures; removed from the retry queue", type, key);
        }
        endIntents(e, key);
    }

    private void endIntents(Entry e, RecordKey key) {
        if (e.unconfirmed != null) {
            state.deleteIntent(type, key, EngineIntent.Kind.UNCONFIRMED_CREATE);
            setUnconfirmed(key, e, null);
        }
        if (e.followUp != null) {
            state.deleteIntent(type, key, EngineIntent.Kind.FOLLOW_UP);
            e.followUp = null;
        }
    }

    private void save(Entry e, FailedRecord f) {
        state.saveFailure(f);
        e.failure = f;
        endIntents(e, f.key());
        if (followUps.contains(f.key())) {
            // a follow-up this run saved (not in the loaded entries): the failure replaces it
            state.deleteIntent(type, f.key(), EngineIntent.Kind.FOLLOW_UP);
        }
    }
}
