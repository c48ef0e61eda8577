package dev.crmsync.kafka.connect;

import dev.crmsync.kafka.connect.internal.MergeSettings;
import dev.crmsync.kafka.connect.internal.Versions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * The merge sink for the two-way types (Lead, Contact, Campaign, CampaignMember): it consumes both change topics of a
 * type — the CRM's, {@code <prefix>.<org>.<type>} from {@link CrmChangesSourceConnector}, and the marketing store's,
 * {@code <prefix>.<org>.<type>.marketing} from {@link MarketingChangesSourceConnector} — and merges each record by
 * the engine's three-way merge ({@link dev.crmsync.core.RecordMerge}) and the org's
 * {@link dev.crmsync.core.ConflictPolicy}, against the merge base in the org's shared
 * {@link dev.crmsync.store.SyncStateStore}. Writes to both sides are batched (store upserts guarded against host
 * writes; CRM updates and creates through the {@link dev.crmsync.crm.CrmSource}); rejections go into the failure
 * book ({@link dev.crmsync.store.SyncStateStore#saveFailure}), conflicts the policy parks into the parked conflicts.
 *
 * <h2>One record, one merger</h2>
 * Both topics are keyed by CRM id and must have the same partition count, so the default partitioner puts one
 * record's CRM and marketing changes in the same partition number. Two sinks can never race on one record's base:
 * <ol>
 *   <li><b>Assignment.</b> A task merges partition number {@code p} of a type only while it is assigned {@code p} of
 *       <em>both</em> topics (the consumer's range assignment gives co-partitioned topics to the same member; set
 *       {@code consumer.override.partition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor} if
 *       the worker's default differs). An assignment that splits a partition number fails the task.</li>
 *   <li><b>Fencing.</b> Before merging records of {@code p} the task takes the lease
 *       {@code crmsync-merge:<org>:<type>:<p>} in the org's state store (owner the connector's name, instance unique
 *       to the task object); a task holding it renews it on every put. Each batch's bases are saved in one
 *       {@link dev.crmsync.store.SyncStateStore#inTransaction} that first asks
 *       {@link dev.crmsync.store.SyncStateStore#holdsLease}: a zombie (a task whose partitions moved while it hung)
 *       lost its lease when the new owner took it after the expiry, so its base write is refused and it stops. A new
 *       owner is refused while the old owner's lease is unexpired and retries the batch (Connect's retriable put).</li>
 * </ol>
 *
 * <h2>Records not in the CRM yet</h2>
 * The marketing source keys a record with no CRM id by its marketing id. The sink creates it in the CRM
 * ({@link dev.crmsync.crm.CrmWrite.Create} with the merged fields) and links it in the store; it saves no base for the
 * new id, since that base belongs to the task owning the new id's partition number: the create comes back on the CRM
 * topic under the new id and merges there, both sides equal, to nothing but its base. A create is never sent twice
 * for one record: with {@code marketing.id.field.<Type>} (a CRM field marked external id) it is an idempotent
 * {@link dev.crmsync.crm.CrmWrite.Upsert} by the marketing id; without one the sink records an
 * {@link dev.crmsync.store.EngineIntent.UnconfirmedCreate} first, as the engine does, and should the answer be lost
 * it links the record the create made when it comes back on the CRM topic (by the values sent), sending the create
 * again only after {@value #CREATE_CONFIRM_TIMEOUT_MS}.
 *
 * <h2>Host deletes</h2>
 * A record the host deleted ({@code deleted=true} on the marketing topic) is carried to the CRM as the embedded
 * engine carries it, by {@value #HOST_DELETES} ({@link dev.crmsync.core.HostDeletes}; default
 * {@code DELETE_IN_CRM}): deleted there unless the CRM changed it since the merge (then it is copied back: an edit
 * wins over a delete); a refusal is booked, retried when retriable, else the record is copied back. The CRM's own
 * delete, back on the CRM topic, and any older CRM version of the record merge to nothing.
 *
 * <h2>Retries</h2>
 * Each put re-drives up to {@value #RETRIES_PER_PUT} due records of the failure book (CRM rejections with a
 * retriable code, the store's rejections, host deletes refused retriably, creates left unconfirmed past their
 * timeout), each at most once per {@value #RETRY_INTERVAL_MS}, parked after five attempts. A task takes only the
 * records of the partition numbers it holds: their keys' partition by the default partitioner over
 * {@value #TOPIC_PARTITIONS} string keys, which the task checks on every record it is given.

 * <h2>Settings</h2>
 * {@value #CRM_SOURCE_FACTORY}, {@value #MARKETING_STORE_FACTORY}, {@value #STATE_STORE_FACTORY}, {@value #TOPIC_PREFIX},
 * {@value #TOPIC_PARTITIONS} and {@code merge.fields.<Type>} (the fields merged, per type) are required;
 * {@value #CONFLICT_POLICY_FACTORY}, {@code crm.owned.fields.<Type>} (fields the integration user cannot update),
 * {@code marketing.id.field.<Type>}, {@value #HOST_DELETES}, {@value #RETRY_INTERVAL_MS},
 * {@value #CREATE_CONFIRM_TIMEOUT_MS}, {@value #LEASE_TTL_MS}; per org
 * {@code org.<orgId>.<key>}, handed to the factories. List both topics of every type in {@code topics}.
 */
public class MergeSinkConnector extends SinkConnector {

    /** The {@link CrmSourceFactory} class. */
    public static final String CRM_SOURCE_FACTORY = "crm.source.factory";
    /** The {@link MarketingStoreFactory} class (its stores must be {@link dev.crmsync.store.BidirectionalStore}s). */
    public static final String MARKETING_STORE_FACTORY = "marketing.store.factory";
    /** The {@link SyncStateStoreFactory} class. */
    public static final String STATE_STORE_FACTORY = "state.store.factory";
    /** The {@link ConflictPolicyFactory} class. */
    public static final String CONFLICT_POLICY_FACTORY = "conflict.policy.factory";
    /** The sources' topic prefix. */
    public static final String TOPIC_PREFIX = "topic.prefix";
    /** A partition lease's time-to-live, in milliseconds. */
    public static final String LEASE_TTL_MS = "lease.ttl.ms";
    /** The partition count of every two-way topic. */
    public static final String TOPIC_PARTITIONS = "topic.partitions";
    /** What becomes of the CRM record when the host deletes a linked record ({@link dev.crmsync.core.HostDeletes}). */
    public static final String HOST_DELETES = "host.deletes";
    /** The least time between two attempts of a record in the failure book, in milliseconds. */
    public static final String RETRY_INTERVAL_MS = "retry.interval.ms";
    /** How long a create whose answer was lost waits to come back on the CRM topic, in milliseconds. */
    public static final String CREATE_CONFIRM_TIMEOUT_MS = "create.confirm.timeout.ms";
    /** Prefix of the per-type external-id field holding the marketing id: {@code marketing.id.field.Lead=Mkt_Id__c}. */
    public static final String MARKETING_ID_FIELD_PREFIX = "marketing.id.field.";
    /** Prefix of the per-type merged fields: {@code merge.fields.Lead=LastName,Email,Company}. */
    public static final String MERGE_FIELDS_PREFIX = "merge.fields.";
    /** Prefix of the per-type fields the CRM owns: {@code crm.owned.fields.Lead=Rating}. */
    public static final String CRM_OWNED_FIELDS_PREFIX = "crm.owned.fields.";

    /** Default {@value #LEASE_TTL_MS}: one minute. */
    public static final long DEFAULT_LEASE_TTL_MS = 60_000;
    /** Default {@value #RETRY_INTERVAL_MS}: one minute. */
    public static final long DEFAULT_RETRY_INTERVAL_MS = 60_000;
    /** Default {@value #CREATE_CONFIRM_TIMEOUT_MS}: ten minutes. */
    public static final long DEFAULT_CREATE_CONFIRM_TIMEOUT_MS = 600_000;
    /** Most booked records a task retries per put. */
    public static final int RETRIES_PER_PUT = 100;

    private Map<String, String> props = Map.of();

    /** Creates the connector; Connect calls {@link #start} next. */
    public MergeSinkConnector() {
    }

    @Override
    public void start(Map<String, String> props) {
        MergeSettings.parse(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return MergeSinkTask.class;
    }

    /**
     * @param maxTasks {@code tasks.max}
     * @return that many copies of the configuration (Connect's consumer group spreads the partitions)
     */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < Math.max(1, maxTasks); i++) {
            out.add(props);
        }
        return out;
    }

    @Override
    public void stop() {
        // nothing held
    }

    @Override
    public ConfigDef config() {
        return MergeSettings.CONFIG;
    }

    @Override
    public String version() {
        return Versions.version();
    }
}
