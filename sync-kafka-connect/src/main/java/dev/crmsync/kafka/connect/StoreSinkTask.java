package dev.crmsync.kafka.connect;

import dev.crmsync.kafka.connect.internal.RecordCodec;
import dev.crmsync.kafka.connect.internal.Settings;
import dev.crmsync.kafka.connect.internal.SinkSettings;
import dev.crmsync.kafka.connect.internal.StoreFieldsHeader;
import dev.crmsync.kafka.connect.internal.Versions;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.StoreField;
import dev.crmsync.store.StoreResult;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task of {@link StoreSinkConnector}. Each {@link #put} groups its records by org and type, keeps the last
 * record of each CRM id (records of one id share a partition, so the last is the latest), calls
 * {@link MarketingStore#prepareType} with the store fields the source put in the records' {@code crmsync.store.fields}
 * header when they are new to the task (before its first write of the type, and after a describe changed), and writes each group
 * with one {@link MarketingStore#upsert} and one {@link MarketingStore#markDeleted} (tombstones) before it returns,
 * so the offsets Connect commits afterwards cover only durable writes.
 */
public class StoreSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(StoreSinkTask.class);

    private final Clock clock = Clock.systemUTC();
    private final Map<String, MarketingStore> stores = new LinkedHashMap<>();
    /** By org and type, the store fields the store was last prepared with. */
    private final Map<String, Map<ObjectType, String>> prepared = new LinkedHashMap<>();
    private @Nullable SinkSettings settings;
    private @Nullable MarketingStoreFactory factory;

    /** Creates the task; Connect calls {@link #initialize} and {@link #start} next. */
    public StoreSinkTask() {
    }

    @Override
    public String version() {
        return Versions.version();
    }

    @Override
    public void start(Map<String, String> props) {
        SinkSettings s = SinkSettings.parse(props);
        this.settings = s;
        this.factory = Settings.instantiate(MarketingStoreFactory.class, s.factory());
    }

    /** One group's writes: by CRM id, the last record (an upsert) or tombstone (a deletion). */
    private static final class Group {
        final Map<CrmId, SyncRecord> upserts = new LinkedHashMap<>();
        final Map<CrmId, Deletion> deletions = new LinkedHashMap<>();
        final Map<CrmId, SinkRecord> sources = new LinkedHashMap<>();
        /** The {@link StoreFieldsHeader} text of the group's last record that had one, or null. */
        @Nullable String storeFields;
    }

    /**
     * Writes the records.
     *
     * @param records the records of this batch
     * @throws RetriableException if the store failed in a way that may pass, or rejected a record retriably
     *     (Connect delivers the batch again; the rewrite is idempotent)
     * @throws ConnectException if the store failed for good, or rejected a record and no errant record
     *     reporter takes it
     */
    @Override
    public void put(Collection<SinkRecord> records) {
        SinkSettings s = Objects.requireNonNull(settings, "not started");
        Map<String, Map<ObjectType, Group>> groups = new LinkedHashMap<>();
        for (SinkRecord r : records) {
            if (r.value() == null) {
                Map.Entry<String, ObjectType> where = s.orgAndType(r.topic()).orElseThrow(() -> new DataException(
                        "tombstone on topic " + r.topic() + ", which is not <" + StoreSinkConnector.TOPIC_PREFIX
                                + ">.<orgId>.<type>"));
                CrmId id = keyId(r);
                Group g = groups.computeIfAbsent(where.getKey(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(where.getValue(), k -> new Group());
                g.upserts.remove(id);
                Instant at = r.timestamp() == null ? clock.instant() : Instant.ofEpochMilli(r.timestamp());
                g.deletions.put(id, new Deletion(id, at));
                g.sources.put(id, r);
                continue;
            }
            RecordCodec.Decoded d = RecordCodec.decode(r.value());
            SyncRecord rec = d.record();
            if (rec.type().isBidirectional()) {
                throw new DataException(rec.type() + " " + rec.id() + ": a two-way type; the plain store sink takes"
                        + " one-way types only");
            }
            Group g = groups.computeIfAbsent(d.org(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(rec.type(), k -> new Group());
            g.deletions.remove(rec.id());
            g.upserts.put(rec.id(), rec);
            g.sources.put(rec.id(), r);
            Header h = r.headers().lastWithName(StoreFieldsHeader.NAME);
            if (h != null && h.value() instanceof String text && !text.isEmpty()) {
                g.storeFields = text;
            }
        }
        List<String> retriable = new ArrayList<>();
        for (Map.Entry<String, Map<ObjectType, Group>> byOrg : groups.entrySet()) {
            MarketingStore store = store(byOrg.getKey(), s);
            for (Map.Entry<ObjectType, Group> byType : byOrg.getValue().entrySet()) {
                write(store, byOrg.getKey(), byType.getKey(), byType.getValue(), retriable);
            }
        }
        if (!retriable.isEmpty()) {
            throw new RetriableException("the store rejected " + retriable.size() + " record(s) retriably, first "
                    + retriable.get(0) + "; the batch is written again");
        }
    }

    private void write(MarketingStore store, String org, ObjectType type, Group g, List<String> retriable) {
        List<StoreResult> results = new ArrayList<>();
        try {
            prepare(store, org, type, g.storeFields);
            if (!g.upserts.isEmpty()) {
                results.addAll(store.upsert(type, List.copyOf(g.upserts.values())));
            }
            if (!g.deletions.isEmpty()) {
                results.addAll(store.markDeleted(type, List.copyOf(g.deletions.values())));
            }
        } catch (RetriableSyncException e) {
            throw new RetriableException("org " + org + ", " + type + ": the store failed, will retry ("
                    + e.getClass().getSimpleName() + ")", e);
        } catch (SyncException e) {
            throw new ConnectException("org " + org + ", " + type + ": the store failed (" + e.getClass().getSimpleName()
                    + ")", e);
        }
        for (StoreResult result : results) {
            if (!(result instanceof StoreResult.Rejected rejected)) {
                continue;
            }
            String what = "org " + org + ", " + type + " " + rejected.crmId() + ": " + rejected.code();
            if (rejected.retriable()) {
                retriable.add(what);
                continue;
            }
            ErrantRecordReporter reporter = context.errantRecordReporter();
            SinkRecord source = g.sources.get(rejected.crmId());
            if (reporter == null || source == null) {
                throw new ConnectException("the store rejected " + what);
            }
            LOG.warn("the store rejected {}; sent to the errant record reporter", what);
            reporter.report(source, new DataException("the store rejected " + what));
        }
    }

    /**
     * Calls {@link MarketingStore#prepareType} when the type's store fields are new to this task: before its first
     * write of the type, and again when the source's describe changed (a field became readable). A failed call is
     * made again with the batch's next delivery.
     */
    private void prepare(MarketingStore store, String org, ObjectType type, @Nullable String storeFields) {
        if (storeFields == null) {
            return;
        }
        Map<ObjectType, String> byType = prepared.computeIfAbsent(org, k -> new LinkedHashMap<>());
        if (storeFields.equals(byType.get(type))) {
            return;
        }
        List<StoreField> fields = StoreFieldsHeader.decode(storeFields);
        store.prepareType(type, fields);
        byType.put(type, storeFields);
        LOG.info("org {}, {}: store prepared for {} field(s)", org, type, fields.size());
    }

    private static CrmId keyId(SinkRecord r) {
        if (!(r.key() instanceof String key)) {
            throw new DataException("tombstone on " + r.topic() + " without a string key (the CRM id)");
        }
        try {
            return CrmId.of(key);
        } catch (IllegalArgumentException e) {
            throw new DataException("tombstone on " + r.topic() + ": the key is not a CRM id");
        }
    }

    private MarketingStore store(String org, SinkSettings s) {
        MarketingStore store = stores.get(org);
        if (store == null) {
            MarketingStoreFactory f = Objects.requireNonNull(factory, "not started");
            store = f.open(org, Settings.orgSettings(org, s.originals(), SinkSettings.STORE_PREFIX));
            stores.put(org, store);
        }
        return store;
    }

    /** Closes the stores that are {@link AutoCloseable}. */
    @Override
    public void stop() {
        for (MarketingStore store : stores.values()) {
            if (store instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn("closing a marketing store failed ({})", e.getClass().getSimpleName());
                }
            }
        }
        stores.clear();
        prepared.clear();
    }
}
