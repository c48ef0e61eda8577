package dev.crmsync.salesforce.events;

/**
 * Subscribes to change-event topics: what {@code ChangeEventSync} needs of a Pub/Sub client (implemented by
 * {@code PubSubClient}; a test may give its own).
 */
public interface ChangeEventSubscriber {

    /**
     * Starts a subscription. It runs until it fails ({@link ChangeEventHandler#onFailure}) or is closed.
     *
     * @param topic   the topic, e.g. {@code /data/LeadChangeEvent}
     * @param from    where to start
     * @param handler receives the events
     * @return the live subscription
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code topic} is not a topic name ({@code /data/…} or {@code /event/…})
     */
    Subscription subscribe(String topic, ReplayFrom from, ChangeEventHandler handler);
}
