package dev.crmsync.core.internal;

import dev.crmsync.core.report.Backlog;
import dev.crmsync.model.ObjectType;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The backlogs this engine instance measured, per type, for the trend against
 * {@link Backlog#TREND_WINDOW} before: each type keeps its samples of the last window and the
 * newest one older than it, nothing more (a sample per cycle: at a 5-minute pause, about 73 per
 * type). In memory: a restarted instance has no trend for one window. Thread-safe.
 */
final class BacklogHistory {

    private record Sample(Instant at, long total) {
    }

    private final Map<ObjectType, Deque<Sample>> samples = new HashMap<>();
    private final Map<ObjectType, Backlog> latest = new HashMap<>();

    /**
     * Adds a measured backlog and sets its trend.
     *
     * @param type the type
     * @param measured the backlog a run found (trend unknown)
     * @return the backlog with its trend; an unknown backlog is kept out of the history
     */
    synchronized Backlog record(ObjectType type, Backlog measured) {
        if (measured.isUnknown()) {
            return measured;
        }
        Deque<Sample> d = samples.computeIfAbsent(type, t -> new ArrayDeque<>());
        Instant horizon = measured.measuredAt().minus(Backlog.TREND_WINDOW);
        // drop every sample older than the horizon but the newest of them: that one is the baseline
        while (d.size() >= 2) {
            Sample first = d.removeFirst();
            if (d.peekFirst().at().isAfter(horizon)) {
                d.addFirst(first);
                break;
            }
        }
        Sample base = d.peekFirst();
        Backlog out = measured;
        if (base != null && !base.at().isAfter(horizon)) {
            out = measured.withTrend(measured.total() > base.total() ? Backlog.Trend.GROWING : Backlog.Trend.NOT_GROWING,
                    OptionalLong.of(base.total()));
        }
        Sample last = d.peekLast();
        if (last != null && measured.measuredAt().isBefore(last.at())) {
            d.clear();                      // the clock went back: start over rather than misjudge the trend
        }
        d.addLast(new Sample(measured.measuredAt(), measured.total()));
        latest.put(type, out);
        return out;
    }

    /** @return the latest counted backlog of each type */
    synchronized Map<ObjectType, Backlog> latest() {
        return Map.copyOf(latest);
    }

    /** @return the latest counted backlog of a type, if any */
    synchronized Optional<Backlog> latest(ObjectType type) {
        return Optional.ofNullable(latest.get(type));
    }
}
