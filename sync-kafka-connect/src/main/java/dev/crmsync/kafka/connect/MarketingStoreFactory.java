package dev.crmsync.kafka.connect;

import dev.crmsync.store.MarketingStore;
import java.util.Map;

/**
 * Builds the {@link MarketingStore} that {@link StoreSinkConnector}'s tasks write one org's records to. Named by
 * class in the connector's configuration ({@value StoreSinkConnector#MARKETING_STORE_FACTORY}); the task creates
 * it with its public no-argument constructor.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Calls.</b> A task calls {@link #open} once per org, from the task's thread, when the first record of
 *       that org arrives. Several tasks (in several JVMs) may open a store for the same org at once and write to
 *       it concurrently (different records: a record's id decides its topic partition), so the store must be
 *       thread-safe, as {@link MarketingStore} requires anyway. If the store is {@link AutoCloseable}, the task
 *       closes it when it stops.</li>
 *   <li><b>Settings.</b> {@code settings} holds the sink's {@code org.<orgId>.<key>} properties for that org, with
 *       the prefix removed, and otherwise the sink's {@code store.<key>} properties (prefix removed) shared by
 *       every org.</li>
 *   <li><b>Failures.</b> A factory that cannot build the store throws; the message names the org and the setting,
 *       never its value.</li>
 * </ul>
 */
@FunctionalInterface
public interface MarketingStoreFactory {

    /**
     * Builds the store of one org.
     *
     * @param orgId the org the records come from (the org in their topic name)
     * @param settings the org's settings (prefix removed); may be empty
     * @return the store
     */
    MarketingStore open(String orgId, Map<String, String> settings);
}
