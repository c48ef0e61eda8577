package dev.crmsync.store;

import dev.crmsync.model.ObjectType;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A marketing store that can tell when the host changed records of a two-way type — an optional
 * capability next to {@link BidirectionalStore}, so that a host edit reaches the CRM within seconds
 * ({@code dev.crmsync.core.HostChangePusher} calls {@code SyncEngine.pushHostChangesNow} on each)
 * rather than at the next cycle. A notification is a hint, not data: the change feed
 * ({@link BidirectionalStore#changesSince}) stays the one source of what changed, so a lost or
 * late notification costs latency, never a change, and several changes may come as one.
 */
public interface ChangeNotifications {

    /**
     * Starts telling {@code onChange} about committed host changes, on a thread of the store's
     * own, until the returned handle is closed. The engine's own writes are not told.
     *
     * @param onChange called with the type whose records changed; must not block for long, and
     *     its failures are the listener's (logged, the listening goes on)
     * @param pollInterval how often a store that cannot be told by its database checks its change
     *     feed (a database that notifies ignores it)
     * @return the handle; closing it stops the listening and its thread
     */
    AutoCloseable listen(Consumer<ObjectType> onChange, Duration pollInterval);
}
