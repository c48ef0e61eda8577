package dev.crmsync.kafka.connect;

import dev.crmsync.store.SyncStateStore;
import java.util.Map;

/**
 * Builds the {@link SyncStateStore} that {@link MergeSinkConnector}'s tasks keep one org's merge bases, leases and
 * failure book in: the same state store an embedded engine of that org would use, shared by every task of the
 * connector (in every JVM), so it must judge leases by its own clock (a database store: the database's). Named by
 * class in the connector's configuration ({@value MergeSinkConnector#STATE_STORE_FACTORY}); the task creates it with
 * its public no-argument constructor and calls {@link #open} once per org, from the task's thread. If the store is
 * {@link AutoCloseable}, the task closes it when it stops.
 */
@FunctionalInterface
public interface SyncStateStoreFactory {

    /**
     * @param orgId the org
     * @param settings the org's {@code org.<orgId>.<key>} settings over the shared {@code state.<key>} ones, prefixes
     *     removed; may be empty
     * @return the org's state store
     */
    SyncStateStore open(String orgId, Map<String, String> settings);
}
