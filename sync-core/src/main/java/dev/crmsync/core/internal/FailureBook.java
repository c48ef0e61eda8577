package dev.crmsync.core.internal;

import dev.crmsync.core.SyncListener;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.SyncSide;
import dev.crmsync.store.SyncStateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failures of one object type and one target side during one type run: it knows which keys
 * have a failure on record (queued or parked), saves a new or repeated rejection (parking it after
 * the configured attempts), and forgets a failure once the record applies.
 *
 * <p>A key rejected twice in one cycle (once as a retry, once from the change stream) counts as
 * one attempt.
 */
public final class FailureBook {
    private static final Logger LOG = LoggerFactory.getLogger(FailureBook.class);

    /** Most queued failures retried per type and cycle; the rest wait for the next cycle. */
    public static final int RETRY_LIMIT_PER_CYCLE = 10_000;

    private final SyncStateStore state;
    private final ObjectType type;
    private final SyncSide side;
    private final int maxAttempts;
    private final Clock clock;
    private final SyncListener listener;
    private final TypeCounters counters;
    private final Map<String, FailedRecord> known = new HashMap<>();
    private final List<FailedRecord> due;
    private final Set<String> failedThisCycle = new HashSet<>();

    /**
     * Loads the failures on record for the type and side.
     *
     * @param state the state store
     * @param type the object type
     * @param side the side writes go to
     * @param maxAttempts failures before parking
     * @param clock the clock
     * @param listener the (guarded) listener
     * @param counters the type's counters
     */
    public FailureBook(SyncStateStore state, ObjectType type, SyncSide side, int maxAttempts, Clock clock,
                       SyncListener listener, TypeCounters counters) {
        this.state = state;
        this.type = type;
        this.side = side;
        this.maxAttempts = maxAttempts;
        this.clock = clock;
        this.listener = listener;
        this.counters = counters;
        this.due = List.copyOf(state.retryQueue(type, side, RETRY_LIMIT_PER_CYCLE));
        for (FailedRecord f : due) {
            known.put(f.key(), f);
        }
        for (FailedRecord f : state.parkedFailures()) {
            if (f.type().equals(type) && f.target() == side) {
                known.put(f.key(), f);
            }
        }
    }

    /** @return the failures due for retry this cycle (not parked), as loaded */
    public List<FailedRecord> due() {
        return due;
    }

    /**
     * Records a rejection: a new failure, or one more attempt of a known one (parked once the
     * attempts are used up). Saves it, counts it, tells the listener.
     *
     * @param key the record key
     * @param code the reason code
     * @param message the reason
     * @param retriable whether a retry without change may pass
     */
    public void rejected(String key, String code, String message, boolean retriable) {
        if (!failedThisCycle.add(key)) {
            return;
        }
        Instant now = clock.instant();
        FailedRecord previous = known.get(key);
        FailedRecord next = previous == null
                ? new FailedRecord(type, key, side, code, message, retriable, 1, now, now, maxAttempts <= 1)
                : previous.failedAgain(code, message, retriable, now, maxAttempts);
        state.saveFailure(next);
        known.put(key, next);
        counters.failed();
        if (next.parked()) {
            LOG.warn("{} {} rejected by the {} side ({}: {}); parked after {} attempts",
                    type, key, side, code, message, next.attempts());
        } else {
            LOG.info("{} {} rejected by the {} side ({}: {}); attempt {} of {}, will retry",
                    type, key, side, code, message, next.attempts(), maxAttempts);
        }
        listener.onRecordRejected(next);
    }

    /**
     * Records that a key applied: forgets its failure, if it had one.
     *
     * @param key the record key
     */
    public void succeeded(String key) {
        if (known.remove(key) != null) {
            state.deleteFailure(type, key, side);
            LOG.info("{} {} applied after earlier failures; removed from the retry queue", type, key);
        }
    }
}
