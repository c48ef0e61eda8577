package dev.crmsync.kafka.connect;

import dev.crmsync.core.ConflictPolicy;
import java.util.Map;

/**
 * Builds the {@link ConflictPolicy} {@link MergeSinkConnector} merges one org's records with: the policy an embedded
 * engine of that org would be built with. Named by class ({@value MergeSinkConnector#CONFLICT_POLICY_FACTORY}); the
 * default, {@link MarketoDefaults}, gives {@link ConflictPolicy#marketoDefaults()}.
 */
@FunctionalInterface
public interface ConflictPolicyFactory {

    /**
     * @param orgId the org
     * @param settings the org's settings ({@code org.<orgId>.<key>}, prefix removed)
     * @return the org's policy
     */
    ConflictPolicy open(String orgId, Map<String, String> settings);

    /** {@link ConflictPolicy#marketoDefaults()} for every org. */
    final class MarketoDefaults implements ConflictPolicyFactory {
        /** Creates the factory. */
        public MarketoDefaults() {
        }

        @Override
        public ConflictPolicy open(String orgId, Map<String, String> settings) {
            return ConflictPolicy.marketoDefaults();
        }
    }
}
