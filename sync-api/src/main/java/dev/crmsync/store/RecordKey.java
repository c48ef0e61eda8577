package dev.crmsync.store;

import dev.crmsync.model.CrmId;
import java.util.Objects;

/**
 * The key of a record in the engine's state: its CRM id, or, for a record not (yet) in the CRM,
 * its marketing id. Failures ({@link FailedRecord}) and engine intents ({@link EngineIntent}) are
 * kept per (object type, key, …).
 *
 * <p>A store with typed columns keeps the kind and the value apart (as the JDBC store does); a
 * store with one text column may keep {@link #toStorageString()} and read it back with
 * {@link #parse(String)}. That string form is for storage only: it is stable across releases, and
 * it is never shown to people nor parsed from anything but what a store wrote.
 *
 * <p>Keys order CRM keys first (by CRM id), then marketing keys (by marketing id).
 */
public sealed interface RecordKey extends Comparable<RecordKey> {

    /** Longest marketing id a key holds (the storage form must fit 255 characters). */
    int MAX_MARKETING_ID_LENGTH = 245;

    /**
     * @param id a CRM id
     * @return the key of the record with that CRM id
     */
    static RecordKey.Crm crm(CrmId id) {
        return new Crm(id);
    }

    /**
     * @param marketingId a marketing id
     * @return the key of a record known only by its marketing id
     * @throws IllegalArgumentException if the id is blank or longer than {@value #MAX_MARKETING_ID_LENGTH}
     */
    static RecordKey.Marketing marketing(String marketingId) {
        return new Marketing(marketingId);
    }

    /** @return the storage form: {@code crm:<id>} or {@code marketing:<id>} */
    String toStorageString();

    /**
     * Reads a key back from its {@linkplain #toStorageString() storage form}.
     *
     * @param stored a string a store wrote with {@link #toStorageString()}
     * @return the key
     * @throws IllegalArgumentException if it is not a storage form of a key
     */
    static RecordKey parse(String stored) {
        Objects.requireNonNull(stored, "stored");
        if (stored.startsWith(Crm.PREFIX)) {
            return new Crm(CrmId.of(stored.substring(Crm.PREFIX.length())));
        }
        if (stored.startsWith(Marketing.PREFIX)) {
            return new Marketing(stored.substring(Marketing.PREFIX.length()));
        }
        throw new IllegalArgumentException("stored must start with '" + Crm.PREFIX + "' or '" + Marketing.PREFIX
                + "' (a RecordKey storage form)");
    }

    @Override
    default int compareTo(RecordKey other) {
        Objects.requireNonNull(other, "other");
        if (this instanceof Crm a && other instanceof Crm b) {
            return a.id().compareTo(b.id());
        }
        if (this instanceof Marketing a && other instanceof Marketing b) {
            return a.marketingId().compareTo(b.marketingId());
        }
        return this instanceof Crm ? -1 : 1;
    }

    /**
     * The key of a record in the CRM.
     *
     * @param id its CRM id
     */
    record Crm(CrmId id) implements RecordKey {
        private static final String PREFIX = "crm:";

        /** Checks the id. */
        public Crm {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String toStorageString() {
            return PREFIX + id.value();
        }

        /** @return the CRM id (a record key may appear in logs) */
        @Override
        public String toString() {
            return id.value();
        }
    }

    /**
     * The key of a record not (yet) in the CRM, by its marketing id.
     *
     * @param marketingId its marketing id: not blank, at most {@value RecordKey#MAX_MARKETING_ID_LENGTH} characters
     */
    record Marketing(String marketingId) implements RecordKey {
        private static final String PREFIX = "marketing:";

        /** Checks the id. */
        public Marketing {
            Objects.requireNonNull(marketingId, "marketingId");
            if (marketingId.isBlank() || marketingId.length() > MAX_MARKETING_ID_LENGTH) {
                throw new IllegalArgumentException("marketingId must be 1 to " + MAX_MARKETING_ID_LENGTH
                        + " characters and not blank (length " + marketingId.length() + ")");
            }
        }

        @Override
        public String toStorageString() {
            return PREFIX + marketingId;
        }

        /** @return {@code marketing id <id>} (a record key may appear in logs) */
        @Override
        public String toString() {
            return "marketing id " + marketingId;
        }
    }
}
