package dev.crmsync.core;

import dev.crmsync.core.internal.Policies;
import dev.crmsync.model.ObjectType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Decides a field changed on both sides, to different values, since the two sides last agreed
 * (the field's <em>base</em>), for the bidirectional types (Lead, Contact, Campaign,
 * CampaignMember). It sees the field, the base, both values and both records' modification
 * times ({@link Conflict}), and returns the winner or "park for manual resolution"
 * ({@link Resolution}).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Called by the thread running the cycle, once per conflicting field of a record; must not
 *       block and should be a pure function of its argument.</li>
 *   <li>A policy that throws or returns null does not stop the cycle: the engine reports a clear
 *       error naming the field and the record, leaves the record untouched on both sides, parks it
 *       (see {@link SyncEngine#parkedFailures()}) and parks the conflict with both values
 *       ({@link SyncEngine#parkedConflicts()}), so nothing is lost.</li>
 *   <li>{@link Resolution#park(String)} leaves the field as it is on both sides and parks the
 *       conflict in the state store; the host decides later through
 *       {@link SyncEngine#resolveConflict}. The record's other fields sync as usual.</li>
 *   <li>{@link #fieldRule} says how a field travels outside conflicts ({@link FieldRule}); the
 *       default is {@link FieldRule#MERGE}. The engine asks it once per type and field per cycle.</li>
 * </ul>
 *
 * <h2>Built-ins</h2>
 * {@link #crmWins()}, {@link #marketingWins()}, {@link #lastWriterWins()}, {@link #manual()}; the
 * per-field rules {@link #alwaysCrm()}, {@link #preferCrmUnlessBlank()}, {@link #twoWay()},
 * {@link #dontSync()}; {@link #builder()} composes any of them per object type and per field; and
 * {@link #marketoDefaults()}, the engine's default.
 */
@FunctionalInterface
public interface ConflictPolicy {

    /**
     * Decides one conflict.
     *
     * @param conflict the conflict
     * @return the decision, never null
     */
    Resolution resolve(Conflict conflict);

    /**
     * Says how a field travels outside conflicts.
     *
     * @param type a bidirectional object type
     * @param field a field API name
     * @return the field's rule; the default {@link FieldRule#MERGE}
     */
    default FieldRule fieldRule(ObjectType type, String field) {
        return FieldRule.MERGE;
    }

    /** @return a policy under which the CRM's value always wins a conflict (Marketo's rule for Contacts) */
    static ConflictPolicy crmWins() {
        return Policies.CRM_WINS;
    }

    /** @return a policy under which the marketing value always wins a conflict (Marketo's rule for Leads) */
    static ConflictPolicy marketingWins() {
        return Policies.MARKETING_WINS;
    }

    /**
     * @return a policy under which the side whose record changed later wins; on equal times the CRM
     *     wins (a fixed, coordination-free tie-break, so every engine decides alike)
     */
    static ConflictPolicy lastWriterWins() {
        return Policies.LAST_WRITER_WINS;
    }

    /**
     * @return a policy that decides nothing: every conflict is parked with both values, for the
     *     host to resolve through {@link SyncEngine#resolveConflict}
     */
    static ConflictPolicy manual() {
        return Policies.MANUAL;
    }

    /**
     * @return the per-field rule "always CRM" ({@link FieldRule#ALWAYS_CRM}): the field is owned by
     *     the CRM and marketing-side edits of it are overwritten
     */
    static ConflictPolicy alwaysCrm() {
        return Policies.ALWAYS_CRM;
    }

    /**
     * @return the per-field rule "always marketing" ({@link FieldRule#ALWAYS_MARKETING}): the field
     *     is owned by the marketing side, written to the CRM, and CRM-side edits of it are overwritten
     */
    static ConflictPolicy alwaysMarketing() {
        return Policies.ALWAYS_MARKETING;
    }

    /**
     * @return the per-field rule "prefer CRM unless blank" ({@link FieldRule#PREFER_CRM_UNLESS_BLANK}):
     *     the CRM's value wins unless it is blank, then the marketing value wins
     */
    static ConflictPolicy preferCrmUnlessBlank() {
        return Policies.PREFER_CRM_UNLESS_BLANK;
    }

    /**
     * @return the per-field rule "two-way" ({@link FieldRule#TWO_WAY}): changes flow both ways and a
     *     conflict goes to the last writer (the CRM on equal times)
     */
    static ConflictPolicy twoWay() {
        return Policies.TWO_WAY;
    }

    /** @return the per-field rule "don't sync" ({@link FieldRule#DONT_SYNC}): the field never travels */
    static ConflictPolicy dontSync() {
        return Policies.DONT_SYNC;
    }

    /**
     * The engine's default, as Marketo documents its sync: for <b>Leads the marketing side
     * wins</b>, for <b>Contacts the CRM wins</b>. Marketo leaves conflicts on Campaigns and campaign
     * members undocumented; here <b>the CRM wins</b> for both (and for any other type). Marketo
     * writes a program's channel and period cost to the campaign's {@code Type} and
     * {@code ActualCost} and never reads them back: those two Campaign fields are
     * {@link #alwaysMarketing()}.
     *
     * @return the Marketo defaults
     */
    static ConflictPolicy marketoDefaults() {
        return Policies.MARKETO_DEFAULTS;
    }

    /**
     * Composes policies per object type and per field. The most specific entry decides: a field's
     * policy, else its type's policy, else the fallback (default {@link #marketoDefaults()}).
     *
     * <pre>{@code
     * ConflictPolicy policy = ConflictPolicy.builder()
     *         .type(ObjectType.LEAD, ConflictPolicy.lastWriterWins())
     *         .field(ObjectType.LEAD, "Email", ConflictPolicy.alwaysCrm())
     *         .field(ObjectType.CONTACT, "Description", ConflictPolicy.dontSync())
     *         .field(ObjectType.CONTACT, "Title", ConflictPolicy.manual())
     *         .build();
     * }</pre>
     *
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /** Builds a composed {@link ConflictPolicy}; every setter validates at once. Not thread-safe. */
    final class Builder {
        private ConflictPolicy fallback = marketoDefaults();
        private final Map<ObjectType, ConflictPolicy> byType = new LinkedHashMap<>();
        private final Map<ObjectType, Map<String, ConflictPolicy>> byField = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * @param policy the policy of every type and field without an entry of its own
         * @return this builder
         */
        public Builder fallback(ConflictPolicy policy) {
            this.fallback = Objects.requireNonNull(policy, "fallback policy must not be null");
            return this;
        }

        /**
         * @param type a bidirectional object type
         * @param policy the policy of that type's fields (those without a field entry)
         * @return this builder
         * @throws IllegalArgumentException if the type is not bidirectional
         */
        public Builder type(ObjectType type, ConflictPolicy policy) {
            requireBidirectional(type);
            byType.put(type, Objects.requireNonNull(policy, "policy for " + type + " must not be null"));
            return this;
        }

        /**
         * @param type a bidirectional object type
         * @param field a field API name
         * @param policy the policy of that one field
         * @return this builder
         * @throws IllegalArgumentException if the type is not bidirectional or the field name is blank
         */
        public Builder field(ObjectType type, String field, ConflictPolicy policy) {
            requireBidirectional(type);
            Objects.requireNonNull(field, "field must not be null");
            if (field.isBlank()) {
                throw new IllegalArgumentException("field name for " + type + " must not be blank");
            }
            Objects.requireNonNull(policy, "policy for " + type + "." + field + " must not be null");
            byField.computeIfAbsent(type, k -> new LinkedHashMap<>()).put(field, policy);
            return this;
        }

        private static void requireBidirectional(ObjectType type) {
            Objects.requireNonNull(type, "type must not be null");
            if (!type.isBidirectional()) {
                throw new IllegalArgumentException("object type " + type
                        + " is one-way (CRM to marketing) and has no conflicts; expected Lead, Contact, Campaign"
                        + " or CampaignMember");
            }
        }

        /** @return the composed policy (later changes to this builder do not affect it) */
        public ConflictPolicy build() {
            return Policies.composed(fallback, byType, byField);
        }
    }
}
