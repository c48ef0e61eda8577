package dev.crmsync.core;

/**
 * How the engine treats one field of a bidirectional type, before any conflict arises. A
 * {@link ConflictPolicy} names the rule of each field ({@link ConflictPolicy#fieldRule}); the
 * built-ins {@link ConflictPolicy#alwaysCrm()}, {@link ConflictPolicy#alwaysMarketing()},
 * {@link ConflictPolicy#preferCrmUnlessBlank()},
 * {@link ConflictPolicy#twoWay()} and {@link ConflictPolicy#dontSync()} carry one each, and
 * {@link ConflictPolicy#builder()} composes them per object type and per field.
 *
 * <p>Fields the CRM does not let the integration user update (system fields, formulas,
 * create-only references such as a campaign member's {@code LeadId}) always behave as
 * {@link #ALWAYS_CRM}, whatever the policy says.
 */
public enum FieldRule {

    /**
     * Three-way merge against the base: a change on one side only flows to the other; the same
     * field changed on both sides to different values is decided by
     * {@link ConflictPolicy#resolve}. The default.
     */
    MERGE,

    /**
     * Like {@link #MERGE}, but a conflict goes to the side whose record changed last (the CRM on
     * equal times), without asking {@link ConflictPolicy#resolve}.
     */
    TWO_WAY,

    /**
     * The CRM's value always wins: it flows to the store, and a marketing-side edit is replaced by
     * the CRM's value instead of being written to the CRM.
     */
    ALWAYS_CRM,

    /**
     * The marketing value always wins: it flows to the CRM, and a CRM-side edit is overwritten by
     * the marketing value instead of being read into the store. The mirror of {@link #ALWAYS_CRM};
     * Marketo's rule for the fields it pushes one way, a program's channel and period cost into
     * the campaign's {@code Type} and {@code ActualCost}.
     *
     * <p>A record first copied from the CRM takes the CRM's values; from then on the marketing side
     * owns the field. A blank marketing value clears the CRM's only once the two sides agreed on a
     * value (clearing it is then a marketing edit); a blank field the two never agreed on — a
     * record linked before the field was synced, say — takes the CRM's value instead of erasing it.
     */
    ALWAYS_MARKETING,

    /**
     * The CRM's value wins unless it is blank ({@link dev.crmsync.model.FieldValue#isBlank()}); then
     * the marketing value wins and is written to the CRM. Applies whenever the two sides differ,
     * not only on conflicts.
     */
    PREFER_CRM_UNLESS_BLANK,

    /** Not synced at all: neither read into the store nor written to the CRM, on create or update. */
    DONT_SYNC
}
