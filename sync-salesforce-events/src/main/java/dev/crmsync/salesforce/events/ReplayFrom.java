package dev.crmsync.salesforce.events;

import java.util.Objects;

/**
 * Where a new subscription starts in a topic's stream (the first {@code FetchRequest}'s {@code replay_preset}
 * and {@code replay_id}): at the tip, at the oldest retained event, or just after a known replay id.
 */
public sealed interface ReplayFrom permits ReplayFrom.Latest, ReplayFrom.Earliest, ReplayFrom.After {

    /** @return the tip of the stream: only events published after the subscription starts */
    static ReplayFrom latest() {
        return Latest.INSTANCE;
    }

    /** @return the oldest event the org still retains (72 hours for change events) */
    static ReplayFrom earliest() {
        return Earliest.INSTANCE;
    }

    /**
     * @param replayId the replay id of the last event already handled
     * @return the events after it (Salesforce's {@code CUSTOM} preset); the subscription fails with
     *         {@link SubscriptionFailure.Kind#REPLAY_ID_UNAVAILABLE} if the org no longer retains it
     */
    static ReplayFrom after(ReplayId replayId) {
        return new After(Objects.requireNonNull(replayId, "replayId must not be null"));
    }

    /** The {@code LATEST} preset. */
    enum Latest implements ReplayFrom {
        /** The only value. */
        INSTANCE;

        @Override
        public String toString() {
            return "LATEST";
        }
    }

    /** The {@code EARLIEST} preset. */
    enum Earliest implements ReplayFrom {
        /** The only value. */
        INSTANCE;

        @Override
        public String toString() {
            return "EARLIEST";
        }
    }

    /**
     * The {@code CUSTOM} preset with a replay id.
     *
     * @param replayId the last event already handled
     */
    record After(ReplayId replayId) implements ReplayFrom {
        /** @throws NullPointerException if {@code replayId} is null */
        public After {
            Objects.requireNonNull(replayId, "replayId must not be null");
        }
    }
}
