package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One entry of a person's activity history ({@link ActivityHistory}): something the engine did to
 * or for a person (a Lead or a Contact), as Marketo writes it on the person's Activity Log. It
 * names fields, never their values; a rejection carries its reason code, never the CRM's message
 * (which may quote a value). Its {@link #toString()} therefore shows no customer data.
 *
 * @param type the person's object type: {@link ObjectType#LEAD} or {@link ObjectType#CONTACT}
 * @param marketingId the person's marketing id (the history is kept per type and marketing id)
 * @param crmId the person's CRM id when the engine knew it, or null
 * @param kind what happened
 * @param fields the field names the activity concerns (updated, decided, changed on the account),
 *     in the engine's order, possibly empty
 * @param reason for {@link Kind#REJECTED} the reason code (the CRM's status code or the store's),
 *     otherwise null
 * @param related the other record involved, or null: for {@link Kind#MERGED} the first merged-away
 *     record, for {@link Kind#CONVERTED} the lead, for {@link Kind#ACCOUNT_CHANGED} the account
 * @param cycleId the engine cycle that did it, or null for an action the host called outside a cycle
 * @param at when, by the engine's clock (the engine gives microseconds; a SQL store keeps no finer)
 * @param key the activity's identity, unique within the store: appending an activity whose key the
 *     store holds already does nothing ({@link ActivityHistory#append}), so a batch the engine
 *     writes again after a crash does not duplicate entries. At most {@value #MAX_KEY_LENGTH}
 *     characters; made of object types, ids, kinds, field names and instants, never of values.
 */
public record PersonActivity(ObjectType type, String marketingId, @Nullable CrmId crmId, Kind kind, List<String> fields,
                             @Nullable String reason, @Nullable CrmId related, @Nullable String cycleId, Instant at,
                             String key) {

    /** The longest {@link #key()}. */
    public static final int MAX_KEY_LENGTH = 255;

    /** The longest marketing id, reason code and cycle id an activity holds. */
    public static final int MAX_TEXT_LENGTH = 255;

    /** What happened to the person. */
    public enum Kind {
        /** The person was created in the store from a CRM record. */
        CREATED_FROM_CRM,
        /** The engine created the person's record in the CRM (a push of a marketing-only person). */
        CREATED_IN_CRM,
        /** CRM values were written into the person ({@link #fields()}: which). */
        UPDATED_FROM_CRM,
        /** The person's marketing values were written to the CRM ({@link #fields()}: which). */
        UPDATED_IN_CRM,
        /** Both sides changed fields since the last sync and the conflict policy decided them ({@link #fields()}). */
        CONFLICT_RESOLVED,
        /** A write of the person was refused by the CRM or the store ({@link #reason()}: the code); kept for retry. */
        REJECTED,
        /** The lead was converted into this contact ({@link #related()}: the lead); its history was carried over. */
        CONVERTED,
        /**
         * Other persons were merged into this one ({@link #related()}: one of them; {@link #fields()}: those the
         * merge filled or summed on the survivor); their histories were carried over.
         */
        MERGED,
        /** The CRM deleted the person's record; the person stays, flagged. */
        DELETED,
        /** Fields of the person's account changed in the CRM ({@link #fields()}: which; {@link #related()}: the account). */
        ACCOUNT_CHANGED
    }

    /** Checks nulls and lengths, copies the field names. */
    public PersonActivity {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(marketingId, "marketingId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(key, "key");
        if (!type.equals(ObjectType.LEAD) && !type.equals(ObjectType.CONTACT)) {
            throw new IllegalArgumentException("an activity history is kept for persons (Lead, Contact), not for "
                    + type);
        }
        text("marketingId", marketingId, MAX_TEXT_LENGTH);
        text("key", key, MAX_KEY_LENGTH);
        if (reason != null) {
            text("reason", reason, MAX_TEXT_LENGTH);
        }
        if (cycleId != null) {
            text("cycleId", cycleId, MAX_TEXT_LENGTH);
        }
        if (kind == Kind.REJECTED && reason == null) {
            throw new IllegalArgumentException("a REJECTED activity needs its reason code");
        }
        fields = List.copyOf(fields);
        for (String f : fields) {
            if (f.isBlank() || f.indexOf(',') >= 0) {
                throw new IllegalArgumentException("a field name must be non-blank and hold no comma, was '" + f + "'");
            }
        }
    }

    private static void text(String what, String value, int max) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        if (value.length() > max) {
            throw new IllegalArgumentException(what + " must be at most " + max + " characters, was " + value.length());
        }
    }
}
