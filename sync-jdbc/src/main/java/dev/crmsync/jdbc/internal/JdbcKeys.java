package dev.crmsync.jdbc.internal;

import dev.crmsync.model.CrmId;
import dev.crmsync.store.RecordKey;

/**
 * How the JDBC store keeps a {@link RecordKey}: two columns, {@code key_kind} ({@code CRM} or
 * {@code MARKETING}) and {@code record_key} (the CRM id or the marketing id).
 */
public final class JdbcKeys {

    private JdbcKeys() {
    }

    /** @param key a key @return its {@code key_kind} column value */
    public static String kind(RecordKey key) {
        return key instanceof RecordKey.Crm ? "CRM" : "MARKETING";
    }

    /** @param key a key @return its {@code record_key} column value */
    public static String value(RecordKey key) {
        return key instanceof RecordKey.Crm crm ? crm.id().value() : ((RecordKey.Marketing) key).marketingId();
    }

    /**
     * @param kind a {@code key_kind} value
     * @param value a {@code record_key} value
     * @return the key
     * @throws IllegalArgumentException if the columns hold no key
     */
    public static RecordKey of(String kind, String value) {
        return switch (kind) {
            case "CRM" -> RecordKey.crm(CrmId.of(value));
            case "MARKETING" -> RecordKey.marketing(value);
            default -> throw new IllegalArgumentException("key_kind must be CRM or MARKETING");
        };
    }
}
