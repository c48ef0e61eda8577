package dev.crmsync.crm;

import dev.crmsync.model.ObjectType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the CRM says about one object type for the integration user: its fields and what may be
 * done with them. Describe drives the sync: only readable fields are read, only createable or
 * updateable fields are written.
 *
 * @param type the object type
 * @param fields the fields, in the CRM's order (hidden fields may be listed with {@code readable=false} or left out)
 * @param queryable true if the integration user may read records of this type
 * @param createable true if records may be created
 * @param updateable true if records may be updated
 */
public record ObjectSchema(ObjectType type, List<FieldSchema> fields, boolean queryable, boolean createable,
                           boolean updateable) {

    /** Checks nulls, copies the list, rejects duplicate field names. */
    public ObjectSchema {
        Objects.requireNonNull(type, "type");
        fields = List.copyOf(fields);
        Set<String> seen = new java.util.HashSet<>();
        for (FieldSchema f : fields) {
            if (!seen.add(f.name())) {
                throw new IllegalArgumentException("duplicate field '" + f.name() + "' in schema of " + type);
            }
        }
    }

    /** @param name a field API name @return the field, if described */
    public Optional<FieldSchema> field(String name) {
        for (FieldSchema f : fields) {
            if (f.name().equals(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** @return the fields by name, in the CRM's order */
    public Map<String, FieldSchema> fieldsByName() {
        Map<String, FieldSchema> m = new LinkedHashMap<>();
        fields.forEach(f -> m.put(f.name(), f));
        return m;
    }

    /** @return the names of readable, syncable fields, in the CRM's order */
    public Set<String> readableFieldNames() {
        return fields.stream().filter(f -> f.readable() && !f.type().isUnsyncable())
                .map(FieldSchema::name).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }
}
