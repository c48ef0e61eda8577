package dev.crmsync.core.internal;

import dev.crmsync.core.IgnoredFields;
import dev.crmsync.model.ObjectType;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which readable fields a type leaves out: Marketo's list ({@link IgnoredFields}) unless the host
 * turned it off, a type's own list where the host gave one; an explicit field selection wins over both.
 *
 * @param marketoDefaults whether types without a list of their own ignore Marketo's
 * @param overrides per type, the host's list (empty: every readable field)
 */
public record IgnoreRules(boolean marketoDefaults, Map<ObjectType, Set<String>> overrides) {

    /** No field ignored on any type: every readable field syncs. */
    public static final IgnoreRules NONE = new IgnoreRules(false, Map.of());

    /** Marketo's list on every type. */
    public static final IgnoreRules MARKETO = new IgnoreRules(true, Map.of());

    /** Checks and copies. */
    public IgnoreRules {
        overrides = Map.copyOf(Objects.requireNonNull(overrides, "overrides"));
    }

    /**
     * @param type a type
     * @return the fields it ignores
     */
    public Set<String> of(ObjectType type) {
        Set<String> own = overrides.get(type);
        if (own != null) {
            return own;
        }
        return marketoDefaults ? IgnoredFields.marketoDefault(type) : Set.of();
    }

    /**
     * The fields a type syncs.
     *
     * @param type the type
     * @param readable the fields the integration user can read
     * @param selection the host's explicit selection, or null
     * @return the selected readable fields if there is a selection (an explicit name wins over the
     *     ignore list), else the readable fields the type does not ignore
     */
    public Set<String> synced(ObjectType type, Set<String> readable, Set<String> selection) {
        Set<String> out = new LinkedHashSet<>(readable);
        if (selection != null) {
            out.retainAll(selection);
        } else {
            out.removeAll(of(type));
        }
        return out;
    }
}
