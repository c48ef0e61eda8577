package dev.crmsync.core.internal;

import dev.crmsync.model.ObjectType;
import java.util.function.Function;

/** Chooses the {@link TypeSync} strategy of each object type. */
public final class TypeSyncs {

    private TypeSyncs() {
    }

    /**
     * The engine's routing: which strategy syncs which type.
     *
     * @param settings the engine's settings (a bidirectional strategy needs the conflict policy)
     * @return the strategy per type
     */
    public static Function<ObjectType, TypeSync> defaults(EngineSettings settings) {
        TypeSync oneWay = new OneWaySync();
        TypeSync bidirectional = new BidirectionalSync();
        return type -> type.isBidirectional() ? bidirectional : oneWay;
    }
}
