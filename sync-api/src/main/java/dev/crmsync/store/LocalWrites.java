package dev.crmsync.store;

import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An optional capability of a {@link BidirectionalStore}: the host application's own writes
 * ("local" changes, as in {@link MarketingRecord#localModstamp()}), which enter the store's change
 * feed and so reach the CRM in the next cycle. The engine never calls it: it is for the host, and
 * for {@code MarketingStoreContract}, which makes its host changes through it (a store whose host
 * writes take another way, a database trigger say, supplies them to the kit by overriding
 * {@code localWrites()}).
 *
 * <pre>{@code
 * MarketingRecord lead = stores.marketingStore().saveLocal(ObjectType.LEAD, null, fields);
 * }</pre>
 *
 * <p>The host may call it from any thread, concurrently with the engine.
 */
public interface LocalWrites {

    /**
     * A write by the host application (not by the engine): creates a record when
     * {@code marketingId} is null, otherwise patches it (patch semantics, see
     * {@link MarketingStore}). The change enters the change feed; a call that changes no value may
     * leave the feed as it is. Values are checked as by {@link StoreChecks#requireStorable}.
     *
     * @param type a bidirectional object type
     * @param marketingId the record to change, or null to create one
     * @param fields the values to set ({@link FieldValue#NULL} clears)
     * @return the record as stored afterwards
     * @throws IllegalArgumentException if the type is not bidirectional, the record does not exist,
     *     or a value cannot be stored (the message names the field)
     */
    MarketingRecord saveLocal(ObjectType type, @Nullable String marketingId, Map<String, FieldValue> fields);

    /**
     * Deletes a record as the host application does (a host's SQL {@code DELETE}): the change
     * feed reports it as a {@link HostDeletion}, so that the engine can delete the CRM record too.
     * The default refuses: a store that cannot report deletions does not offer it.
     *
     * @param type a bidirectional type
     * @param marketingId the record's marketing id
     * @return true if a record was deleted, false if the store held none with that id
     * @throws UnsupportedOperationException if the store does not report host deletions
     */
    default boolean deleteLocal(ObjectType type, String marketingId) {
        throw new UnsupportedOperationException("this store does not report host deletions");
    }
}
