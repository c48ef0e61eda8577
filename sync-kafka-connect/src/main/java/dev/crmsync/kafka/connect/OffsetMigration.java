package dev.crmsync.kafka.connect;

import dev.crmsync.kafka.connect.internal.Json;
import dev.crmsync.kafka.connect.internal.Settings;
import dev.crmsync.kafka.connect.internal.SourceOffsets;
import dev.crmsync.kafka.connect.internal.SourceOffsets.Position;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.store.SyncStateStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * Moves an org between an embedded deployment and {@link CrmChangesSourceConnector}: the engine's
 * {@link Checkpoint}s of its one-way types become the connector's source offsets, and back, through Connect's
 * offsets REST API (KIP-875). Both sides keep the same cursor (the CRM's modstamp and id of the last record applied),
 * whether the first full copy is done, and how many records it copied, so a half-done copy goes on where it was.
 *
 * <h2>Into Connect</h2>
 * <ol>
 *   <li>Stop the embedded engine for the org (its last checkpoint then covers everything it wrote).</li>
 *   <li>Create the connector stopped ({@code "initial_state": "STOPPED"} in {@code POST /connectors}), or stop it
 *       ({@code PUT /connectors/{name}/stop}).</li>
 *   <li>{@code PATCH /connectors/{name}/offsets} with the body of {@link #toConnectOffsets}.</li>
 *   <li>Resume it ({@code PUT /connectors/{name}/resume}): each type reads on from its checkpoint.</li>
 * </ol>
 *
 * <h2>Back out of Connect</h2>
 * <ol>
 *   <li>Stop the connector ({@code PUT /connectors/{name}/stop}; with exactly-once on, its offsets then cover every
 *       committed record), and let the sink drain its topics.</li>
 *   <li>{@code GET /connectors/{name}/offsets}, and give the body to {@link #fromConnectOffsets}: it saves each
 *       type's checkpoint in the engine's {@link SyncStateStore}.</li>
 *   <li>Start the embedded engine for the org; delete the connector, or leave it stopped.</li>
 * </ol>
 *
 * <p>What does not move: a checkpoint's {@link Checkpoint#deletionsCheckedUntil()} and
 * {@link Checkpoint#marketingCursor()} have no Connect counterpart; moving back keeps the values the store already
 * holds for the type (none for a type new to it). A type with no checkpoint is left out of the offsets (the connector
 * starts it with a full copy); a type with no offset is left as it is in the store. Neither body holds a field value
 * or a credential: org ids, type names, stamps, record ids and counts only.
 */
public final class OffsetMigration {

    private static final String OFFSETS = "offsets";
    private static final String PARTITION = "partition";
    private static final String OFFSET = "offset";

    private OffsetMigration() {
    }

    /**
     * The body of {@code PATCH /connectors/{name}/offsets} that sets the connector's offsets of one org to the
     * engine's checkpoints.
     *
     * @param store the embedded deployment's state store
     * @param org the org's id in the connector ({@value CrmChangesSourceConnector#ORGS})
     * @param types the one-way types the connector reads for it
     * @return the JSON body, {@code {"offsets":[{"partition":{"org":…,"type":…},"offset":{"stamp":…,"id":…,
     *     "phase":…,"copied":…}},…]}}, one entry per type that has a checkpoint
     * @throws IllegalArgumentException if the org id is malformed or a type is two-way (the connector reads one-way
     *     types only)
     */
    public static String toConnectOffsets(SyncStateStore store, String org, Collection<ObjectType> types) {
        Objects.requireNonNull(store, "store");
        checkOrg(org);
        List<Object> entries = new ArrayList<>();
        for (ObjectType type : types) {
            if (type.isBidirectional()) {
                throw new IllegalArgumentException(type + " is a two-way type: its embedded checkpoint also holds the"
                        + " marketing cursor and its bases are the merge sink's; moving two-way types is not built yet");
            }
            Optional<Checkpoint> cp = store.checkpoint(type);
            if (cp.isEmpty()) {
                continue;
            }
            Checkpoint c = cp.get();
            Position p = new Position(c.crmCursor(), c.initialCopyDone(), c.initialCopyDone() ? 0 : c.recordsDone());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put(PARTITION, ordered(SourceOffsets.partition(org, type), SourceOffsets.ORG, SourceOffsets.TYPE));
            entry.put(OFFSET, ordered(SourceOffsets.offset(p), SourceOffsets.STAMP, SourceOffsets.ID,
                    SourceOffsets.PHASE, SourceOffsets.COPIED));
            entries.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(OFFSETS, entries);
        return Json.write(body);
    }

    /**
     * Saves the connector's offsets of one org as the engine's checkpoints.
     *
     * @param connectOffsets the body of {@code GET /connectors/{name}/offsets}
     * @param org the org to move back (entries of other orgs are skipped)
     * @param store the embedded deployment's state store
     * @param now the time the checkpoints are saved at
     * @return the checkpoints saved, one per type the body has an offset for
     * @throws IllegalArgumentException if the body is not of that form (the message names the part, never a value)
     */
    public static List<Checkpoint> fromConnectOffsets(String connectOffsets, String org, SyncStateStore store,
                                                      Instant now) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(now, "now");
        checkOrg(org);
        Object body = Json.parse(connectOffsets);
        if (!(body instanceof Map<?, ?> m) || !(m.get(OFFSETS) instanceof List<?> entries)) {
            throw new IllegalArgumentException("not a Connect offsets body: no \"" + OFFSETS + "\" list");
        }
        List<Checkpoint> saved = new ArrayList<>();
        for (Object e : entries) {
            if (!(e instanceof Map<?, ?> entry) || !(entry.get(PARTITION) instanceof Map<?, ?> partition)) {
                throw new IllegalArgumentException("not a Connect offsets body: an entry without a partition");
            }
            if (!org.equals(partition.get(SourceOffsets.ORG))) {
                continue;
            }
            if (!(partition.get(SourceOffsets.TYPE) instanceof String typeName)) {
                throw new IllegalArgumentException("org " + org + ": a partition without a type");
            }
            ObjectType type;
            try {
                type = ObjectType.of(typeName);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("org " + org + ": a partition with a malformed type");
            }
            Object rawOffset = entry.get(OFFSET);
            if (rawOffset == null) {
                continue;
            }
            if (!(rawOffset instanceof Map<?, ?> offset)) {
                throw new IllegalArgumentException("org " + org + ", " + type + ": the offset is not an object");
            }
            Map<String, Object> o = new LinkedHashMap<>();
            offset.forEach((k, v) -> o.put(String.valueOf(k), v));
            Position p;
            try {
                p = SourceOffsets.position(org, type, o);
            } catch (ConnectException ex) {
                throw new IllegalArgumentException(ex.getMessage(), ex);
            }
            Checkpoint base = store.checkpoint(type).orElseGet(() -> Checkpoint.initial(type, now));
            Checkpoint c = new Checkpoint(type, p.cursor(), p.copyDone(), p.copyDone() ? 0 : p.copied(),
                    base.deletionsCheckedUntil(), base.marketingCursor(), now);
            store.saveCheckpoint(c);
            saved.add(c);
        }
        return List.copyOf(saved);
    }

    /** The map's entries in the order of the keys given (a readable body; Connect does not mind the order). */
    private static Map<String, Object> ordered(Map<String, ?> m, String... keys) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : keys) {
            if (m.containsKey(k)) {
                out.put(k, m.get(k));
            }
        }
        return out;
    }

    private static void checkOrg(String org) {
        Objects.requireNonNull(org, "org");
        if (!Settings.ORG_ID.matcher(org).matches()) {
            throw new IllegalArgumentException("not an org id (letters, digits, '_' and '-', 1 to 64 characters)");
        }
    }
}
