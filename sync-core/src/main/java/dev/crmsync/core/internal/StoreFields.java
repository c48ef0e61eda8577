package dev.crmsync.core.internal;

import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.store.StoreField;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The CRM describe of a type as the {@link StoreField}s the engine hands to
 * {@link dev.crmsync.store.MarketingStore#prepareType}: one per synced field the describe knows,
 * typed from the field's CRM type and sized from its length, precision and scale.
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
        Map<String, FieldSchema> byName = schema.fieldsByName();
        List<StoreField> out = new ArrayList<>();
        for (FieldSchema f : byName.values()) {
            if (!synced.contains(f.name()) || f.type().isUnsyncable()) {
                continue;
            }
            out.add(of(f));
        }
        return List.copyOf(out);
    }

    /** @param f a CRM field @return its store field */
    static StoreField of(FieldSchema f) {
        return switch (f.type()) {
            case ID -> new StoreField(f.name(), StoreField.Kind.ID, 18, 0, 0);
            case REFERENCE -> new StoreField(f.name(), StoreField.Kind.REFERENCE, 18, 0, 0);
            case STRING, OTHER -> new StoreField(f.name(), StoreField.Kind.TEXT, f.length(), 0, 0);
            case TEXTAREA -> new StoreField(f.name(), StoreField.Kind.TEXTAREA, f.length(), 0, 0);
            case EMAIL -> new StoreField(f.name(), StoreField.Kind.EMAIL, f.length(), 0, 0);
            case PHONE -> new StoreField(f.name(), StoreField.Kind.PHONE, f.length(), 0, 0);
            case URL -> new StoreField(f.name(), StoreField.Kind.URL, f.length(), 0, 0);
            case PICKLIST -> new StoreField(f.name(), StoreField.Kind.PICKLIST, f.length(), 0, 0);
            case MULTIPICKLIST -> new StoreField(f.name(), StoreField.Kind.MULTIPICKLIST, f.length(), 0, 0);
            case TIME -> new StoreField(f.name(), StoreField.Kind.TIME, 0, 0, 0);
            case BOOLEAN -> StoreField.of(f.name(), StoreField.Kind.BOOLEAN);
            case DATE -> StoreField.of(f.name(), StoreField.Kind.DATE);
            case DATETIME -> StoreField.of(f.name(), StoreField.Kind.DATETIME);
            // describe's digits for an int: up to 9 fit 32 bits; unknown or more: 64 bits
            case INT -> f.precision() > 0 && f.precision() <= 9
                    ? new StoreField(f.name(), StoreField.Kind.INTEGER, 0, f.precision(), 0)
                    : new StoreField(f.name(), StoreField.Kind.LONG, 0, f.precision(), 0);
            // Salesforce "double" number fields are decimals of a declared precision and scale: kept exact
            case DOUBLE -> new StoreField(f.name(), StoreField.Kind.DECIMAL, 0, f.precision(), Math.min(f.scale(), f.precision() == 0 ? f.scale() : f.precision()));
            case CURRENCY -> new StoreField(f.name(), StoreField.Kind.CURRENCY, 0, f.precision(), Math.min(f.scale(), f.precision() == 0 ? f.scale() : f.precision()));
            case PERCENT -> new StoreField(f.name(), StoreField.Kind.PERCENT, 0, f.precision(), Math.min(f.scale(), f.precision() == 0 ? f.scale() : f.precision()));
            case BASE64, ADDRESS, LOCATION -> throw new IllegalArgumentException("not a synced field type: " + f.type());
        };
    }
}
