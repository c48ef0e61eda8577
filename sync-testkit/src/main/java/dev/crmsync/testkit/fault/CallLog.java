package dev.crmsync.testkit.fault;

import dev.crmsync.model.ObjectType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What was asked of a fake: a count per operation and, while {@linkplain #recordCalls(boolean)
 * recording}, every {@link Call} in order. The one call log of the test kits (the store decorators
 * of {@link InstrumentedStores}, {@code InMemoryCrm}, the fake Salesforce server's endpoint counts).
 * Thread-safe; the fake calls {@link #record} once per call it receives, failed calls included.
 *
 * @param <O> the operation type of the fake
 */
public final class CallLog<O> {

    private final Map<O, long[]> counts = new LinkedHashMap<>();
    private final List<Call<O>> calls = new ArrayList<>();
    private long sequence;
    private long total;
    private boolean recording;

    /** Creates an empty log that counts calls and does not record them. */
    public CallLog() {
    }

    /**
     * Counts a call, and records it while recording.
     *
     * @param operation the operation called
     * @param type the object type the call was about, or null
     * @param size how many items it carried, not negative
     * @return the call's sequence number, from 1
     */
    public synchronized long record(O operation, @Nullable ObjectType type, int size) {
        Objects.requireNonNull(operation, "operation");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, was " + size);
        }
        long seq = ++sequence;
        counts.computeIfAbsent(operation, k -> new long[1])[0]++;
        total++;
        if (recording) {
            calls.add(new Call<>(seq, operation, type, size));
        }
        return seq;
    }

    /**
     * @param operation an operation
     * @return how many times it was called since creation or {@link #reset()}
     */
    public synchronized long count(O operation) {
        long[] n = counts.get(Objects.requireNonNull(operation, "operation"));
        return n == null ? 0 : n[0];
    }

    /**
     * @return the count of every operation called at least once since creation or {@link #reset()},
     *     in the operations' natural order when they have one (enums, names), else in first-call order
     */
    public synchronized Map<O, Long> counts() {
        List<O> ops = new ArrayList<>(counts.keySet());
        if (ops.stream().allMatch(o -> o instanceof Comparable)) {
            ops.sort(null);
        }
        Map<O, Long> out = new LinkedHashMap<>();
        for (O op : ops) {
            out.put(op, counts.get(op)[0]);
        }
        return Collections.unmodifiableMap(out);
    }

    /** @return how many calls were made since creation or {@link #reset()} */
    public synchronized long total() {
        return total;
    }

    /**
     * Turns recording of every call on or off. Off by default: the log then grows by one entry per call.
     *
     * @param on whether to record
     * @return this
     */
    public synchronized CallLog<O> recordCalls(boolean on) {
        recording = on;
        return this;
    }

    /** @return the calls recorded while recording, oldest first */
    public synchronized List<Call<O>> calls() {
        return List.copyOf(calls);
    }

    /** Zeroes the counts and forgets the recorded calls (sequence numbers keep rising). */
    public synchronized void reset() {
        counts.clear();
        calls.clear();
        total = 0;
    }
}
