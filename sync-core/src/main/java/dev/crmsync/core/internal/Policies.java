package dev.crmsync.core.internal;

import dev.crmsync.core.Conflict;
import dev.crmsync.core.ConflictPolicy;
import dev.crmsync.core.FieldRule;
import dev.crmsync.core.Resolution;
import dev.crmsync.model.ObjectType;
import java.util.LinkedHashMap;
import java.util.Map;

/** The built-in {@link ConflictPolicy} implementations behind its static factories. */
public final class Policies {

    private Policies() {
    }

    /** A built-in: a fixed field rule, a resolve function and a name for logs. */
    private record Builtin(String name, FieldRule rule, java.util.function.Function<Conflict, Resolution> decide)
            implements ConflictPolicy {
        @Override
        public Resolution resolve(Conflict conflict) {
            return decide.apply(conflict);
        }

        @Override
        public FieldRule fieldRule(ObjectType type, String field) {
            return rule;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The last writer: the side whose record changed later; the CRM on equal times.
     *
     * @param c a conflict
     * @return the resolution
     */
    public static Resolution lastWriter(Conflict c) {
        return c.marketingModifiedAt().isAfter(c.crmModifiedAt()) ? Resolution.MARKETING : Resolution.CRM;
    }

    /** See {@link ConflictPolicy#crmWins()}. */
    public static final ConflictPolicy CRM_WINS = new Builtin("crmWins", FieldRule.MERGE, c -> Resolution.CRM);
    /** See {@link ConflictPolicy#marketingWins()}. */
    public static final ConflictPolicy MARKETING_WINS = new Builtin("marketingWins", FieldRule.MERGE,
            c -> Resolution.MARKETING);
    /** See {@link ConflictPolicy#lastWriterWins()}. */
    public static final ConflictPolicy LAST_WRITER_WINS = new Builtin("lastWriterWins", FieldRule.MERGE,
            Policies::lastWriter);
    /** See {@link ConflictPolicy#manual()}. */
    public static final ConflictPolicy MANUAL = new Builtin("manual", FieldRule.MERGE,
            c -> Resolution.park("manual resolution required"));
    /** See {@link ConflictPolicy#alwaysCrm()}. */
    public static final ConflictPolicy ALWAYS_CRM = new Builtin("alwaysCrm", FieldRule.ALWAYS_CRM,
            c -> Resolution.CRM);
    /** See {@link ConflictPolicy#alwaysMarketing()}. */
    public static final ConflictPolicy ALWAYS_MARKETING = new Builtin("alwaysMarketing", FieldRule.ALWAYS_MARKETING,
            c -> Resolution.MARKETING);
    /** See {@link ConflictPolicy#preferCrmUnlessBlank()}. */
    public static final ConflictPolicy PREFER_CRM_UNLESS_BLANK = new Builtin("preferCrmUnlessBlank",
            FieldRule.PREFER_CRM_UNLESS_BLANK,
            c -> c.crmValue().isBlank() && !c.marketingValue().isBlank() ? Resolution.MARKETING : Resolution.CRM);
    /** See {@link ConflictPolicy#twoWay()}. */
    public static final ConflictPolicy TWO_WAY = new Builtin("twoWay", FieldRule.TWO_WAY, Policies::lastWriter);
    /** See {@link ConflictPolicy#dontSync()}. */
    public static final ConflictPolicy DONT_SYNC = new Builtin("dontSync", FieldRule.DONT_SYNC, c -> Resolution.CRM);

    /** See {@link ConflictPolicy#marketoDefaults()}. */
    public static final ConflictPolicy MARKETO_DEFAULTS = new Composed("marketoDefaults", CRM_WINS,
            Map.of(ObjectType.LEAD, MARKETING_WINS, ObjectType.CONTACT, CRM_WINS, ObjectType.CAMPAIGN, CRM_WINS,
                    ObjectType.CAMPAIGN_MEMBER, CRM_WINS),
            Map.of(ObjectType.CAMPAIGN, Map.of("Type", ALWAYS_MARKETING, "ActualCost", ALWAYS_MARKETING)));

    /**
     * @param fallback the policy of everything without an entry
     * @param byType per type
     * @param byField per type and field
     * @return the composed policy (the maps are copied)
     */
    public static ConflictPolicy composed(ConflictPolicy fallback, Map<ObjectType, ConflictPolicy> byType,
                                          Map<ObjectType, Map<String, ConflictPolicy>> byField) {
        Map<ObjectType, Map<String, ConflictPolicy>> fields = new LinkedHashMap<>();
        byField.forEach((t, m) -> fields.put(t, Map.copyOf(m)));
        return new Composed("composed", fallback, Map.copyOf(byType), Map.copyOf(fields));
    }

    /** Per field, else per type, else the fallback. */
    private record Composed(String name, ConflictPolicy fallback, Map<ObjectType, ConflictPolicy> byType,
                            Map<ObjectType, Map<String, ConflictPolicy>> byField) implements ConflictPolicy {

        private ConflictPolicy of(ObjectType type, String field) {
            Map<String, ConflictPolicy> fields = byField.get(type);
            ConflictPolicy p = fields == null ? null : fields.get(field);
            if (p == null) {
                p = byType.get(type);
            }
            return p == null ? fallback : p;
        }

        @Override
        public Resolution resolve(Conflict conflict) {
            return of(conflict.type(), conflict.field()).resolve(conflict);
        }

        @Override
        public FieldRule fieldRule(ObjectType type, String field) {
            return of(type, field).fieldRule(type, field);
        }

        @Override
        public String toString() {
            return name + byType + (byField.isEmpty() ? "" : byField.toString()) + " else " + fallback;
        }
    }
}
