package dev.crmsync.store.memory;

import dev.crmsync.model.ObjectType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** Call counters, the optional call log and the fault profile of one in-memory store. */
final class Instrumentation {

    private static final StoreOperation[] OPS = StoreOperation.values();

    private final AtomicLongArray counts = new AtomicLongArray(OPS.length);
    private final AtomicLong sequence = new AtomicLong();
    private final FaultProfile faults;
    private volatile boolean logEnabled;
    private final List<StoreCall> log = Collections.synchronizedList(new ArrayList<>());

    Instrumentation(FaultProfile faults) {
        this.faults = java.util.Objects.requireNonNull(faults, "faults");
    }

    FaultProfile faults() {
        return faults;
    }

    /** Counts and logs a call, then throws if a fault is due before it. */
    void enter(StoreOperation op, ObjectType type, int size) {
        counts.incrementAndGet(op.ordinal());
        long seq = sequence.incrementAndGet();
        if (logEnabled) {
            log.add(new StoreCall(seq, op, type, size));
        }
        faults.beforeCall(op);
    }

    /** Throws if the acknowledgement of this call is to be lost. */
    void exit(StoreOperation op) {
        faults.afterCall(op);
    }

    long count(StoreOperation op) {
        return counts.get(op.ordinal());
    }

    long total() {
        long n = 0;
        for (int i = 0; i < OPS.length; i++) {
            n += counts.get(i);
        }
        return n;
    }

    Map<StoreOperation, Long> counts() {
        Map<StoreOperation, Long> m = new EnumMap<>(StoreOperation.class);
        for (StoreOperation op : OPS) {
            long n = counts.get(op.ordinal());
            if (n > 0) {
                m.put(op, n);
            }
        }
        return Collections.unmodifiableMap(m);
    }

    void setLogEnabled(boolean enabled) {
        logEnabled = enabled;
    }

    List<StoreCall> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    void reset() {
        for (int i = 0; i < OPS.length; i++) {
            counts.set(i, 0);
        }
        log.clear();
    }
}
