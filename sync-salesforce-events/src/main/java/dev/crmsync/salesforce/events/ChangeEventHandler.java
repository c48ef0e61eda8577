package dev.crmsync.salesforce.events;

import java.util.List;

/**
 * Receives one subscription's events. Calls for one subscription never overlap and come in stream order.
 *
 * <p>Flow control is pull: the client asks the server for more events only after {@link #onEvents} returns,
 * so a slow handler slows the stream instead of filling memory (at most the client's batch size, never more
 * than 100, is outstanding). The client remembers the last replay id of a batch whose {@code onEvents}
 * returned normally, and reconnects after it.
 */
public interface ChangeEventHandler {

    /**
     * One response's events, in order.
     *
     * @param events the decoded events (at least one)
     * @param latest the response's {@code latest_replay_id}: the last event's replay id, or later
     * @throws Exception to stop the subscription: it ends with {@link SubscriptionFailure.Kind#HANDLER_FAILED}
     *                   and the batch counts as not handled
     */
    void onEvents(List<ChangeEvent> events, ReplayId latest) throws Exception;

    /**
     * An event whose payload could not be decoded (its schema unavailable or the bytes malformed): the
     * subscriber knows only that something changed on the topic, so it should poll the topic's object.
     * The stream goes on.
     *
     * @param replayId the event's replay id
     * @param reason   what failed, without any value (safe to log)
     * @throws Exception as for {@link #onEvents}
     */
    void onUndecodable(ReplayId replayId, String reason) throws Exception;

    /**
     * The server's keepalive: no new events, the topic's latest replay id (at most every 270 seconds on an
     * idle topic). The default does nothing.
     *
     * @param latest the topic's latest replay id
     */
    default void onKeepAlive(ReplayId latest) {
    }

    /**
     * The subscription has ended for good; no more calls follow.
     *
     * @param failure why
     */
    void onFailure(SubscriptionFailure failure);
}
