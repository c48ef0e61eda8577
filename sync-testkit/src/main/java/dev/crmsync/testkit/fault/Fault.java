package dev.crmsync.testkit.fault;

import java.time.Duration;
import java.util.Objects;

/**
 * What a fake does instead of (or besides) answering a call normally: the one vocabulary of
 * injected faults shared by every fake of the test kits — the store decorators of
 * {@link InstrumentedStores}, {@code InMemoryCrm} and the fake Salesforce server. A {@link FaultPlan}
 * schedules faults; the fake that asks the plan carries them out.
 *
 * <p>The standard kinds, and what a fake does with each:
 * <ul>
 *   <li>{@link Fail}: the call fails <em>before</em> it takes effect, with a
 *       {@link dev.crmsync.model.RetriableSyncException} ({@link #retriable()}) or a fatal
 *       {@link dev.crmsync.model.SyncException} ({@link #fatal()});</li>
 *   <li>{@link LoseAnswer}: the call takes effect, <em>then</em> fails retriably — the caller cannot
 *       tell whether its write landed, as after an acknowledgement lost on the wire;</li>
 *   <li>{@link Latency}: the call is delayed through the fake's {@link dev.crmsync.model.Sleeper}
 *       (delays add up; a delay does not stop another fault from applying to the same call);</li>
 *   <li>{@link QuotaExceeded}: the call is refused with a
 *       {@link dev.crmsync.model.QuotaExceededException} (an API quota spent);</li>
 *   <li>{@link Crash}: the call throws {@link SimulatedCrash}, which is not a
 *       {@link dev.crmsync.model.SyncException}: the process dies there (crash tests);</li>
 *   <li>{@link Reject}: one record of a batch is rejected while the rest is written. It is
 *       scheduled by record ({@link FaultPlan#reject}), not by call.</li>
 * </ul>
 * A fake may add effects of its own by implementing {@link Extension} (the fake Salesforce server
 * drops connections, truncates bodies, answers HTML…); a fake that meets an extension it does not
 * know ignores it.
 */
public sealed interface Fault
        permits Fault.Fail, Fault.LoseAnswer, Fault.Latency, Fault.QuotaExceeded, Fault.Crash, Fault.Reject,
        Fault.Extension {

    /** @return a retriable failure before the call takes effect */
    static Fault retriable() {
        return Fail.RETRIABLE;
    }

    /** @return a fatal (not retriable) failure before the call takes effect */
    static Fault fatal() {
        return Fail.FATAL;
    }

    /** @return the call takes effect, then fails retriably (its answer is lost) */
    static Fault loseAnswer() {
        return LoseAnswer.INSTANCE;
    }

    /**
     * @param delay how long the call is delayed, not negative
     * @return a delay of the call
     */
    static Fault latency(Duration delay) {
        return new Latency(delay);
    }

    /** @return a refusal because the API quota is spent */
    static Fault quotaExceeded() {
        return QuotaExceeded.INSTANCE;
    }

    /** @return a simulated death of the process at the call */
    static Fault crash() {
        return Crash.INSTANCE;
    }

    /**
     * Fails the call before it takes effect.
     *
     * @param retriable whether the failure says a retry may succeed
     */
    record Fail(boolean retriable) implements Fault {
        static final Fail RETRIABLE = new Fail(true);
        static final Fail FATAL = new Fail(false);
    }

    /** Lets the call take effect, then fails it retriably. */
    record LoseAnswer() implements Fault {
        static final LoseAnswer INSTANCE = new LoseAnswer();
    }

    /**
     * Delays the call.
     *
     * @param delay how long, not negative
     */
    record Latency(Duration delay) implements Fault {
        /** Checks the delay. */
        public Latency {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative, was " + delay);
            }
        }
    }

    /** Refuses the call: the API quota is spent. */
    record QuotaExceeded() implements Fault {
        static final QuotaExceeded INSTANCE = new QuotaExceeded();
    }

    /** Kills the simulated process at the call ({@link SimulatedCrash}). */
    record Crash() implements Fault {
        static final Crash INSTANCE = new Crash();
    }

    /**
     * Rejects one record of a batch (see {@link FaultPlan#reject}).
     *
     * @param code the reason code the rejection carries
     * @param retriable whether the rejection says a retry may succeed
     */
    record Reject(String code, boolean retriable) implements Fault {
        /** Checks the code. */
        public Reject {
            Objects.requireNonNull(code, "code");
            if (code.isBlank()) {
                throw new IllegalArgumentException("code must not be blank");
            }
        }
    }

    /**
     * An effect only one fake knows how to carry out (e.g. the fake Salesforce server's HTTP faults).
     * The plan schedules it like any other fault; it stops the search for another outcome of the
     * same call, as {@link Fail} does.
     */
    non-sealed interface Extension extends Fault {
    }
}
