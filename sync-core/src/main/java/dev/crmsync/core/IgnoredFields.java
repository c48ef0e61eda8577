package dev.crmsync.core;

import dev.crmsync.model.ObjectType;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The fields Marketo's native Salesforce sync never syncs although the integration user can read
 * them — the engine's default, per type, overridable through
 * {@link SyncEngine.Builder#ignoredFields(ObjectType, java.util.Collection)} and
 * {@link SyncEngine.Builder#syncAllReadableFields()}.
 *
 * <p>On every type: {@code SystemModstamp}, {@code LastModifiedDate} and {@code CreatedById}. On
 * Contact besides: {@code Name}, the mailing and the other address ({@code Mailing*},
 * {@code Other*}: street, city, state, postal code, country, latitude, longitude, geocode
 * accuracy and the compound address; and {@code OtherPhone}), {@code HomePhone} and
 * {@code ReportsToId}. On Account besides: the shipping address ({@code Shipping*}, the same
 * components) — Marketo's documentation names {@code ShippingCity}; the engine ignores the whole
 * shipping address rather than keeping a partial one.
 *
 * <p>Ignoring a field means it is not read or copied as a data field, nor written to the CRM. It
 * does not touch the engine's cursor: the modification stamp travels in each record by itself
 * ({@code SyncRecord.modstamp()}), whatever the field list. A field named explicitly in
 * {@link SyncEngine.Builder#fields(ObjectType, java.util.Collection)} is synced even when it is on
 * this list: an explicit selection wins.
 */
public final class IgnoredFields {

    /** Fields ignored on every type (Marketo: "on all objects"). */
    public static final Set<String> ON_EVERY_TYPE = Set.of("SystemModstamp", "LastModifiedDate", "CreatedById");

    private static final List<String> ADDRESS_PARTS = List.of("Street", "City", "State", "PostalCode", "Country",
            "Latitude", "Longitude", "GeocodeAccuracy", "Address");

    private static final Map<ObjectType, Set<String>> BY_TYPE = Map.of(
            ObjectType.CONTACT, with(Set.of("Name", "HomePhone", "OtherPhone", "ReportsToId"), "Mailing", "Other"),
            ObjectType.ACCOUNT, with(Set.of(), "Shipping"));

    private IgnoredFields() {
    }

    private static Set<String> with(Set<String> names, String... addressPrefixes) {
        Set<String> out = new LinkedHashSet<>(ON_EVERY_TYPE);
        out.addAll(names);
        for (String prefix : addressPrefixes) {
            ADDRESS_PARTS.forEach(p -> out.add(prefix + p));
        }
        return Set.copyOf(out);
    }

    /**
     * @param type an object type (standard or custom)
     * @return the fields Marketo never syncs on it: the type's own list plus {@link #ON_EVERY_TYPE}
     * @throws NullPointerException if {@code type} is null
     */
    public static Set<String> marketoDefault(ObjectType type) {
        Objects.requireNonNull(type, "type must not be null");
        return BY_TYPE.getOrDefault(type, ON_EVERY_TYPE);
    }
}
