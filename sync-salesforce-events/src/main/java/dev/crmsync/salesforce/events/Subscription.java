package dev.crmsync.salesforce.events;

import java.time.Instant;
import java.util.Optional;

/** One topic's subscription: live until it fails or is closed. */
public interface Subscription extends AutoCloseable {

    /** @return the topic, e.g. {@code /data/LeadChangeEvent} */
    String topic();

    /** @return the replay id of the last batch whose handler returned normally, if any */
    Optional<ReplayId> lastHandled();

    /** @return when the server last answered on this subscription (events or keepalive), if it has */
    Optional<Instant> lastResponseAt();

    /** @return whether the subscription is live (not failed, not closed) */
    boolean isActive();

    /** Ends the subscription; no handler call starts after this returns. Idempotent. */
    @Override
    void close();
}
