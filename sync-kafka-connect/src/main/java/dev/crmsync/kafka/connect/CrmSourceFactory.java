package dev.crmsync.kafka.connect;

import dev.crmsync.crm.CrmSource;
import java.util.Map;

/**
 * Builds the {@link CrmSource} of one org for {@link CrmChangesSourceConnector}'s tasks. Named by class in the
 * connector's configuration ({@value CrmChangesSourceConnector#CRM_SOURCE_FACTORY}); the task creates it with its
 * public no-argument constructor.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Calls.</b> A task calls {@link #open} once per org it is given, from the task's thread, when it starts;
 *       the task owns the source it gets and closes it when it stops. Tasks of one connector run in one or more
 *       JVMs, so a factory must not rely on sharing a source between them.</li>
 *   <li><b>Settings.</b> {@code settings} holds the connector's {@code org.<orgId>.<key>} properties for that org,
 *       with the prefix removed (for example {@code org.00D5e000000abcd.login.url} arrives as {@code login.url}).
 *       Keep credentials out of plain configuration: Connect's config providers ({@code ${file:…}},
 *       {@code ${env:…}}) resolve them before the factory sees them.</li>
 *   <li><b>Failures.</b> A factory that cannot build the source throws (a
 *       {@link dev.crmsync.model.SyncException} or an {@code IllegalArgumentException} for a bad setting); the
 *       message names the org and the setting, never its value. The task then fails.</li>
 * </ul>
 */
@FunctionalInterface
public interface CrmSourceFactory {

    /**
     * Builds the source of one org.
     *
     * @param orgId the org, as listed in {@value CrmChangesSourceConnector#ORGS}
     * @param settings the org's settings (prefix removed); may be empty
     * @return a source the task owns and closes
     */
    CrmSource open(String orgId, Map<String, String> settings);
}
