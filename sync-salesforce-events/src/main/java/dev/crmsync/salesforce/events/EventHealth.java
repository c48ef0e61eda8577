package dev.crmsync.salesforce.events;

import dev.crmsync.model.ObjectType;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.Objects;

/**
 * How one object type's change events are followed by a {@link ChangeEventSync}: the mode it is in, since
 * when, and what it has done. No customer data: counts, instants, Salesforce's codes.
 *
 * @param type            the object type
 * @param topic           its change-event topic, e.g. {@code /data/LeadChangeEvent}
 * @param mode            what the type's follower is doing
 * @param since           when it entered that mode
 * @param lastEventAt     when the last batch of events was applied, if one was
 * @param events          events applied (gap and overflow events included)
 * @param records         record ids fetched and merged because of them
 * @param polls           catch-up polls run (after an overflow, a lost position, an undecodable event or a
 *                        degradation)
 * @param lastFailureCode Salesforce's code (or the gRPC status) of the last subscription failure, if any
 */
public record EventHealth(ObjectType type, String topic, Mode mode, Instant since, @Nullable Instant lastEventAt,
                          long events, long records, long polls, @Nullable String lastFailureCode) {

    /** What a type's follower is doing. */
    public enum Mode {
        /** Subscribing for the first time. */
        STARTING,
        /** Events flow and are applied: polling is only the completeness net. */
        FOLLOWING,
        /**
         * Hints were lost (an overflow, a replay id past retention, an undecodable event): the type is
         * being polled at once, and then followed again.
         */
        CATCHING_UP,
        /** The stream failed and is being resubscribed from the last applied position. */
        RECONNECTING,
        /**
         * Events are not available — CDC not enabled for the object, the org's allocation spent, or the
         * credentials refused — so the type relies on polling; the subscription is tried again later.
         */
        POLLING,
        /** Another engine instance holds the type's lease: it applies the changes; tried again later. */
        STANDBY,
        /** Closed. */
        STOPPED;

        /** @return whether events are flowing for the type (polling may be slow) */
        public boolean isHealthy() {
            return this == FOLLOWING;
        }
    }

    /** Checks nulls and counts. */
    public EventHealth {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(topic, "topic must not be null");
        Objects.requireNonNull(mode, "mode must not be null");
        Objects.requireNonNull(since, "since must not be null");
        if (events < 0 || records < 0 || polls < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
    }
}
