package dev.crmsync.salesforce.events;

import org.jspecify.annotations.Nullable;

import java.util.Objects;

/**
 * Why a subscription ended for good (after the client's own retries, where a retry could help): what the
 * subscriber must do instead of waiting for events that will not come.
 *
 * @param kind  what went wrong
 * @param code  Salesforce's error code from the call's trailers (e.g.
 *              {@code sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted}), or the gRPC status
 *              code's name when Salesforce sent none; never a message that could carry data
 * @param cause the underlying exception, if any (its message is not shown by {@link #toString()})
 */
public record SubscriptionFailure(Kind kind, String code, @Nullable Throwable cause) {

    /** The kinds of terminal failure. */
    public enum Kind {
        /** The replay id asked for is older than the org retains (72 hours) or not valid: events were missed. */
        REPLAY_ID_UNAVAILABLE,
        /** The credentials were refused, also after a token renewal. */
        AUTH_REFUSED,
        /** The topic does not exist or may not be subscribed to (the object is not selected for CDC). */
        TOPIC_UNAVAILABLE,
        /** The org's event delivery allocation is spent. */
        ALLOCATION_EXCEEDED,
        /** The stream kept failing and the client's reconnects were exhausted (or the client was closed). */
        STREAM_LOST,
        /** The handler threw: the events of that batch were not handled and no more are requested. */
        HANDLER_FAILED
    }

    /** @throws NullPointerException if {@code kind} or {@code code} is null */
    public SubscriptionFailure {
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(code, "code must not be null");
    }

    /** Kind and code only. */
    @Override
    public String toString() {
        return "SubscriptionFailure[" + kind + " " + code
                + (cause == null ? "" : " cause=" + cause.getClass().getName()) + "]";
    }
}
