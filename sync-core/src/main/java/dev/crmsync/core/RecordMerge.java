package dev.crmsync.core;

import dev.crmsync.core.internal.Merges;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.SyncBase;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The engine's three-way merge of one linked record, callable outside a cycle: the same field-by-field merge
 * against the {@link SyncBase} and the same {@link ConflictPolicy} decisions a bidirectional cycle makes, as a pure
 * function of the two sides' values and the base. For runtimes that move the records themselves (the Kafka Connect
 * merge sink) and must merge exactly as the engine does; it writes nothing.
 *
 * <p>The rules: both sides equal — agreed; {@link FieldRule#ALWAYS_CRM} (and every field named CRM-owned: those the
 * integration user cannot update) — the CRM's value to the store; {@link FieldRule#ALWAYS_MARKETING},
 * {@link FieldRule#PREFER_CRM_UNLESS_BLANK} as documented there; {@link FieldRule#MERGE} and
 * {@link FieldRule#TWO_WAY} — with no base, the CRM's value; a change on one side only flows to the other; both
 * changed to different values is a conflict, decided by {@link ConflictPolicy#resolve} ({@code MERGE}) or the last
 * writer ({@code TWO_WAY}). A policy that throws or answers null fails the record's merge: nothing may be written.
 */
public final class RecordMerge {

    private final ObjectType type;
    private final ConflictPolicy policy;
    private final Map<String, FieldRule> rules;

    private RecordMerge(ObjectType type, ConflictPolicy policy, Map<String, FieldRule> rules) {
        this.type = type;
        this.policy = policy;
        this.rules = rules;
    }

    /**
     * @param type a two-way object type
     * @param policy the conflict policy (its {@link ConflictPolicy#fieldRule} gives each field's rule; fields it
     *     answers {@link FieldRule#DONT_SYNC} for are left out)
     * @param fields the fields to merge, in order (the marketing-id field is the caller's to leave out)
     * @param crmOwned fields the integration user cannot update: always {@link FieldRule#ALWAYS_CRM}
     * @return the merge
     * @throws IllegalArgumentException if the type is not two-way, or the policy answers no rule for a field
     */
    public static RecordMerge of(ObjectType type, ConflictPolicy policy, Collection<String> fields, Set<String> crmOwned) {
        Objects.requireNonNull(policy, "policy");
        if (!type.isBidirectional()) {
            throw new IllegalArgumentException(type + " syncs one way: there is nothing to merge");
        }
        Map<String, FieldRule> rules = new LinkedHashMap<>();
        for (String f : fields) {
            FieldRule rule = policy.fieldRule(type, f);
            if (rule == null) {
                throw new IllegalArgumentException("conflict policy " + policy + " returned no fieldRule for field '"
                        + f + "' of " + type);
            }
            if (rule == FieldRule.DONT_SYNC) {
                continue;
            }
            rules.put(f, crmOwned.contains(f) ? FieldRule.ALWAYS_CRM : rule);
        }
        return new RecordMerge(type, policy, rules);
    }

    /** @return the fields merged, with their effective rules */
    public Map<String, FieldRule> rules() {
        return java.util.Collections.unmodifiableMap(rules);
    }

    /**
     * Merges one record.
     *
     * @param crm the CRM's record
     * @param marketing the store's record linked to it
     * @param base the base the two last agreed on, or null if they never were merged
     * @return what to write where, and what both sides hold afterwards
     * @throws IllegalArgumentException if the records are not of this merge's type
     */
    public Outcome merge(SyncRecord crm, MarketingRecord marketing, @Nullable SyncBase base) {
        if (!crm.type().equals(type) || !marketing.type().equals(type)) {
            throw new IllegalArgumentException("records of " + crm.type() + "/" + marketing.type() + " given to the merge of "
                    + type);
        }
        return Merges.merge(type, rules, policy, crm, marketing, base);
    }

    /**
     * One conflict and the policy's decision.
     *
     * @param conflict the conflict (its values are customer data: never log them)
     * @param resolution the decision
     */
    public record Decision(Conflict conflict, Resolution resolution) {
        /** Checks nulls. */
        public Decision {
            Objects.requireNonNull(conflict, "conflict");
            Objects.requireNonNull(resolution, "resolution");
        }
    }

    /**
     * The merge's outcome.
     *
     * @param toCrm values to write to the CRM
     * @param toStore values to write to the store
     * @param agreed per merged field not parked, the value both sides hold once the writes are done (the new base)
     * @param parked fields whose conflict the policy parked (left as they are on both sides)
     * @param decisions the conflicts and their decisions, parks included
     * @param failure why the policy failed (nothing of the record may be written), or null
     */
    public record Outcome(Map<String, FieldValue> toCrm, Map<String, FieldValue> toStore, Map<String, FieldValue> agreed,
                          Set<String> parked, List<Decision> decisions, @Nullable String failure) {
        /** Copies the collections (keeping their order). */
        public Outcome {
            toCrm = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(toCrm));
            toStore = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(toStore));
            agreed = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(agreed));
            parked = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(parked));
            decisions = List.copyOf(decisions);
        }

        /** @return the failure, if the policy failed */
        public Optional<String> failed() {
            return Optional.ofNullable(failure);
        }

        /** @return true if nothing is to be written to either side */
        public boolean nothingToWrite() {
            return toCrm.isEmpty() && toStore.isEmpty();
        }
    }
}
