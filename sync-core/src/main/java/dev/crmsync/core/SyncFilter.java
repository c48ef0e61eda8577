package dev.crmsync.core;

import dev.crmsync.model.FieldValue;
import dev.crmsync.model.SafeText;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Which CRM records of a type take part in the sync, both ways — Marketo's "SFDC sync filter": a
 * CRM checkbox (often a formula checkbox the CRM computes, such as {@code Sync_To_Marketo__c}),
 * or a predicate over CRM fields. Set per type with {@link SyncEngine.Builder#syncFilter}.
 *
 * <ul>
 *   <li>A CRM record outside the filter that the store does not hold is not copied (counted
 *       skipped).</li>
 *   <li>A record that <b>leaves</b> the filter stops syncing and is <b>flagged, not deleted</b>: the
 *       store keeps it, its filter fields are updated (so the store shows why: the checkbox is now
 *       false), and its other fields stop changing on both sides — CRM changes are not copied, host
 *       changes are not written to the CRM.</li>
 *   <li>A record that <b>enters</b> the filter is copied in full: every synced field takes the CRM's
 *       value (host edits made while it was outside are overwritten: they were not synced), and the
 *       sync goes on from there.</li>
 *   <li>The filter's fields are CRM-owned: always read and copied, never written back. A person the
 *       host creates is created in the CRM with a checkbox filter's field set to true where the
 *       integration user may set it, so that it stays in the sync.</li>
 * </ul>
 *
 * The filter is evaluated on the CRM's values as the engine last read them (the merge base where
 * the CRM was not read again), never on customer data in logs: {@link #toString()} names the
 * fields only.
 */
public final class SyncFilter {

    private final Set<String> fields;
    private final Predicate<Function<String, FieldValue>> test;
    private final String checkbox;
    private final String description;

    private SyncFilter(Set<String> fields, Predicate<Function<String, FieldValue>> test, String checkbox,
                       String description) {
        this.fields = Collections.unmodifiableSet(new LinkedHashSet<>(fields));
        this.test = test;
        this.checkbox = checkbox;
        this.description = description;
    }

    /**
     * Records whose CRM checkbox is true take part; false or empty, they do not.
     *
     * @param field the checkbox's API name (a boolean field, or a formula returning one)
     * @return the filter
     * @throws IllegalArgumentException if the name is blank or not an API name
     */
    public static SyncFilter checkbox(String field) {
        String f = apiName(field);
        return new SyncFilter(Set.of(f), values -> values.apply(f) instanceof FieldValue.Bool b && b.value(), f,
                "checkbox " + f);
    }

    /**
     * Records for which a predicate over CRM fields holds take part.
     *
     * @param fields the fields the predicate reads (read from the CRM with every record, and CRM-owned)
     * @param test the predicate, given the record's values of those fields ({@link FieldValue#NULL} when empty);
     *     it must not throw, and must decide on those fields alone
     * @return the filter
     * @throws IllegalArgumentException if no field is given or a name is not an API name
     */
    public static SyncFilter matching(Set<String> fields, Predicate<Map<String, FieldValue>> test) {
        Objects.requireNonNull(fields, "fields must not be null");
        Objects.requireNonNull(test, "test must not be null");
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("a sync filter reads at least one field");
        }
        Set<String> names = new LinkedHashSet<>();
        fields.forEach(f -> names.add(apiName(f)));
        return new SyncFilter(names, values -> {
            Map<String, FieldValue> m = new java.util.LinkedHashMap<>();
            names.forEach(f -> m.put(f, values.apply(f)));
            return test.test(Collections.unmodifiableMap(m));
        }, null, "predicate over " + String.join(", ", names));
    }

    /** @return the CRM fields the filter reads */
    public Set<String> fields() {
        return fields;
    }

    /** @return the checkbox field of a {@link #checkbox} filter */
    public Optional<String> checkboxField() {
        return Optional.ofNullable(checkbox);
    }

    /**
     * @param values a record's values by field name ({@link FieldValue#NULL} when empty)
     * @return true if the record takes part in the sync
     */
    public boolean includes(Function<String, FieldValue> values) {
        Objects.requireNonNull(values, "values must not be null");
        return test.test(f -> {
            FieldValue v = values.apply(f);
            return v == null ? FieldValue.NULL : v;
        });
    }

    private static String apiName(String field) {
        Objects.requireNonNull(field, "field must not be null");
        if (!field.matches("[A-Za-z][A-Za-z0-9_]{0,79}")) {
            throw new IllegalArgumentException("not a field API name: '" + SafeText.name(field) + "'");
        }
        return field;
    }

    @Override
    public String toString() {
        return "SyncFilter[" + description + "]";
    }
}
