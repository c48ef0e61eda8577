package dev.crmsync.core.internal;

import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.store.StoreField;
import java.util.Collection;
import java.util.List;

/**
 * The CRM describe of a type as the {@link StoreField}s the engine hands to
 * {@link dev.crmsync.store.MarketingStore#prepareType}: {@link StoreField#forSyncedFields}, the mapping every
 * module that prepares a store shares.
 */
final class StoreFields {

    private StoreFields() {
    }

    /**
     * @param schema the type's describe
     * @param synced the names of the fields the cycle syncs
     * @return their store fields, in describe order; compound and binary fields are left out
     */
    static List<StoreField> of(ObjectSchema schema, Collection<String> synced) {
        return StoreField.forSyncedFields(schema, synced);
    }

    /** @param f a CRM field @return its store field */
    static StoreField of(FieldSchema f) {
        return StoreField.forCrmField(f);
    }
}
