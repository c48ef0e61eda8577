package dev.crmsync.spring.boot;

import dev.crmsync.model.ObjectType;
import java.util.Objects;

/** Object type names from properties: a standard type in any case ({@code lead}, {@code Lead}), else as written. */
final class Types {

    private Types() {
    }

    static ObjectType resolve(String name) {
        Objects.requireNonNull(name, "object type must not be null");
        String n = name.strip();
        for (ObjectType t : ObjectType.STANDARD) {
            if (t.apiName().equalsIgnoreCase(n)) {
                return t;
            }
        }
        if (ObjectType.GROUP.apiName().equalsIgnoreCase(n)) {
            return ObjectType.GROUP;
        }
        return ObjectType.of(n);
    }
}
