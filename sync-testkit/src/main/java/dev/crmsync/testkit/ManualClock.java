package dev.crmsync.testkit;

import dev.crmsync.model.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when told to: the fake clock that tests give {@link InMemoryCrm} (and
 * the engine) so that nothing depends on wall-clock time. Thread-safe.
 *
 * <p>Its {@link #advance(Duration)} fits {@link Sleeper}, so injected latency can
 * move time instead of sleeping: {@code .sleeper(clock::advance)}.
 */
public final class ManualClock extends Clock {

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    /** @param start the instant the clock shows until moved */
    public ManualClock(Instant start) {
        this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /**
     * Moves the clock forward.
     *
     * @param amount how far, not negative
     * @return the new instant
     * @throws IllegalArgumentException if the amount is negative
     */
    public Instant advance(Duration amount) {
        Objects.requireNonNull(amount, "amount");
        if (amount.isNegative()) {
            throw new IllegalArgumentException("cannot advance the clock by a negative amount: " + amount);
        }
        return now.updateAndGet(i -> i.plus(amount));
    }

    /**
     * Sets the clock to an instant (which may be earlier: clocks can step back).
     *
     * @param instant the new instant
     */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** @return a view of this clock in another zone; both move together */
    @Override
    public Clock withZone(ZoneId newZone) {
        return new ManualClock(now, Objects.requireNonNull(newZone, "zone"));
    }

    @Override
    public String toString() {
        return "ManualClock[" + now.get() + "]";
    }
}
