package dev.crmsync.core.internal;

import dev.crmsync.core.HostDeletes;
import dev.crmsync.core.SyncFilter;
import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.core.SyncListener;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.BidirectionalStore;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.SyncStateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An engine's validated configuration, as {@code SyncEngine.Builder} assembled it.
 *
 * @param engineId the engine's id, used as lease owner and in cycle ids
 * @param crm the CRM
 * @param store the marketing store
 * @param state the state store
 * @param conflictPolicy the conflict policy for bidirectional types
 * @param objectTypes the types to sync; empty means every type the CRM makes available
 * @param fieldSelection per type, the fields to sync (types absent: every readable field)
 * @param pageSize records per CRM page
 * @param storeBatchSize records per store call
 * @param lookback how far each incremental read steps back
 * @param maxAttempts failures before a record is parked
 * @param leaseTtl lease time-to-live per object type
 * @param clock the clock
 * @param listener the host's listener (unguarded; the engine wraps it)
 * @param personDefaults values a person created in the CRM gets for required fields left blank
 *     (Lead: LastName, Company; Contact: LastName), on create only
 * @param marketingIdField a CRM text field (on Lead, Contact and Campaign) into which creates write
 *     the marketing id, so that a create whose answer was lost is recognised; null if none
 * @param warnedOnce what this engine has warned about once already (per engine start), e.g. a type
 *     whose creates are not idempotent; mutable, thread-safe
 * @param hostDeletes what a host's delete of a linked bidirectional record does in the CRM
 * @param syncFilters per type, which CRM records take part in the sync (types absent: all)
 * @param idSweeps per type, how many stored ids a cycle checks against the CRM for records it
 *     removed without a trace (types absent: none)
 * @param calculatedRefresh per type, how many stored records a cycle re-reads for their calculated
 *     fields (types absent: none)
 * @param ignoredFields which readable fields a type leaves out when no selection names them
 */
public record EngineSettings(String engineId, CrmSource crm, MarketingStore store, SyncStateStore state,
                             ConflictPolicy conflictPolicy, List<ObjectType> objectTypes,
                             Map<ObjectType, Set<String>> fieldSelection, int pageSize, int storeBatchSize,
                             Duration lookback, int maxAttempts, Duration leaseTtl, Clock clock,
                             SyncListener listener, Map<String, String> personDefaults,
                             String marketingIdField, Set<String> warnedOnce, HostDeletes hostDeletes,
                             Map<ObjectType, SyncFilter> syncFilters, Map<ObjectType, Integer> idSweeps,
                             Map<ObjectType, Integer> calculatedRefresh, IgnoreRules ignoredFields) {

    /**
     * Settings with nothing warned yet, host deletes carried out in the CRM and no field ignored
     * (every readable field of a type without a selection syncs; {@code SyncEngine.Builder} sets
     * Marketo's list, {@link #withIgnoredFields}).
     *
     * @param engineId see the record
     * @param crm see the record
     * @param store see the record
     * @param state see the record
     * @param conflictPolicy see the record
     * @param objectTypes see the record
     * @param fieldSelection see the record
     * @param pageSize see the record
     * @param storeBatchSize see the record
     * @param lookback see the record
     * @param maxAttempts see the record
     * @param leaseTtl see the record
     * @param clock see the record
     * @param listener see the record
     * @param personDefaults see the record
     * @param marketingIdField see the record
     */
    public EngineSettings(String engineId, CrmSource crm, MarketingStore store, SyncStateStore state,
                          ConflictPolicy conflictPolicy, List<ObjectType> objectTypes,
                          Map<ObjectType, Set<String>> fieldSelection, int pageSize, int storeBatchSize,
                          Duration lookback, int maxAttempts, Duration leaseTtl, Clock clock,
                          SyncListener listener, Map<String, String> personDefaults, String marketingIdField) {
        this(engineId, crm, store, state, conflictPolicy, objectTypes, fieldSelection, pageSize, storeBatchSize,
                lookback, maxAttempts, leaseTtl, clock, listener, personDefaults, marketingIdField,
                java.util.concurrent.ConcurrentHashMap.newKeySet(), HostDeletes.DELETE_IN_CRM, Map.of(), Map.of(), Map.of(),
                IgnoreRules.NONE);
    }

    /** Checks nulls and copies collections. */
    public EngineSettings {
        Objects.requireNonNull(engineId, "engineId");
        Objects.requireNonNull(crm, "crm");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(conflictPolicy, "conflictPolicy");
        objectTypes = List.copyOf(objectTypes);
        fieldSelection = Map.copyOf(fieldSelection);
        Objects.requireNonNull(lookback, "lookback");
        Objects.requireNonNull(leaseTtl, "leaseTtl");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(listener, "listener");
        personDefaults = Map.copyOf(personDefaults);
        Objects.requireNonNull(warnedOnce, "warnedOnce");
        Objects.requireNonNull(hostDeletes, "hostDeletes");
        syncFilters = Map.copyOf(syncFilters);
        idSweeps = Map.copyOf(idSweeps);
        calculatedRefresh = Map.copyOf(calculatedRefresh);
        Objects.requireNonNull(ignoredFields, "ignoredFields");
    }

    /**
     * @param refresh per type, the stored records a cycle re-reads for their calculated fields
     * @return these settings with them (the same warnings remembered)
     */
    public EngineSettings withCalculatedRefresh(Map<ObjectType, Integer> refresh) {
        return new EngineSettings(engineId, crm, store, state, conflictPolicy, objectTypes, fieldSelection, pageSize,
                storeBatchSize, lookback, maxAttempts, leaseTtl, clock, listener, personDefaults, marketingIdField,
                warnedOnce, hostDeletes, syncFilters, idSweeps, refresh, ignoredFields);
    }

    /**
     * @param sweeps per type, the stored ids a cycle checks against the CRM
     * @return these settings with them (the same warnings remembered)
     */
    public EngineSettings withIdSweeps(Map<ObjectType, Integer> sweeps) {
        return new EngineSettings(engineId, crm, store, state, conflictPolicy, objectTypes, fieldSelection, pageSize,
                storeBatchSize, lookback, maxAttempts, leaseTtl, clock, listener, personDefaults, marketingIdField,
                warnedOnce, hostDeletes, syncFilters, sweeps, calculatedRefresh, ignoredFields);
    }

    /**
     * @param filters per type, which CRM records take part in the sync
     * @return these settings with them (the same warnings remembered)
     */
    public EngineSettings withSyncFilters(Map<ObjectType, SyncFilter> filters) {
        return new EngineSettings(engineId, crm, store, state, conflictPolicy, objectTypes, fieldSelection, pageSize,
                storeBatchSize, lookback, maxAttempts, leaseTtl, clock, listener, personDefaults, marketingIdField,
                warnedOnce, hostDeletes, filters, idSweeps, calculatedRefresh, ignoredFields);
    }

    /**
     * @param how what a host's delete does in the CRM
     * @return these settings with it (the same warnings remembered)
     */
    public EngineSettings withHostDeletes(HostDeletes how) {
        return new EngineSettings(engineId, crm, store, state, conflictPolicy, objectTypes, fieldSelection, pageSize,
                storeBatchSize, lookback, maxAttempts, leaseTtl, clock, listener, personDefaults, marketingIdField,
                warnedOnce, how, syncFilters, idSweeps, calculatedRefresh, ignoredFields);
    }

    /**
     * @param rules which readable fields the types leave out
     * @return these settings with them (the same warnings remembered)
     */
    public EngineSettings withIgnoredFields(IgnoreRules rules) {
        return new EngineSettings(engineId, crm, store, state, conflictPolicy, objectTypes, fieldSelection, pageSize,
                storeBatchSize, lookback, maxAttempts, leaseTtl, clock, listener, personDefaults, marketingIdField,
                warnedOnce, hostDeletes, syncFilters, idSweeps, calculatedRefresh, rules);
    }

    /**
     * @param type a type
     * @param readable the fields of it the integration user can read
     * @return the fields it syncs: the host's selection of them, else those not ignored
     */
    public Set<String> syncedFields(ObjectType type, Set<String> readable) {
        return ignoredFields.synced(type, readable, fieldSelection.get(type));
    }

    /**
     * @param other the state store to use instead
     * @return these settings with another state store (the same warnings remembered)
     */
    public EngineSettings withState(SyncStateStore other) {
        return new EngineSettings(engineId, crm, store, other, conflictPolicy, objectTypes, fieldSelection, pageSize,
                storeBatchSize, lookback, maxAttempts, leaseTtl, clock, listener, personDefaults, marketingIdField,
                warnedOnce, hostDeletes, syncFilters, idSweeps, calculatedRefresh, ignoredFields);
    }

    /**
     * @param what what a warning is about, e.g. {@code "not-idempotent:Lead"}
     * @return true the first time this engine asks about it, false after
     */
    public boolean firstWarning(String what) {
        return warnedOnce.add(what);
    }

    /**
     * The store as the bidirectional path uses it. {@code SyncEngine.Builder.build()} refuses a
     * bidirectional type against a store without the capability, so this holds wherever that path runs.
     *
     * @return the marketing store's {@link BidirectionalStore} capability
     * @throws IllegalStateException if the store has none
     */
    public BidirectionalStore bidirectionalStore() {
        if (store instanceof BidirectionalStore b) {
            return b;
        }
        throw new IllegalStateException("the marketing store (" + store.getClass().getName()
                + ") is not a BidirectionalStore, so it cannot hold bidirectional object types");
    }

    /** @return how many ids to fetch from the CRM per call */
    public int fetchSize() {
        return Math.max(1, Math.min(pageSize, crm.maxPageSize()));
    }
}
