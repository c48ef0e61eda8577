package dev.crmsync.testkit.contract;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small builders the contract tests share. Public so that integrators' own tests may use them. */
public final class ContractFixtures {

    /** A fixed instant the tests count from. */
    public static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

    private ContractFixtures() {
    }

    /**
     * @param prefix a 3-character key prefix such as {@code "00Q"} (Lead)
     * @param n a number
     * @return a well-formed CRM id, distinct for each {@code n}
     */
    public static CrmId id(String prefix, long n) {
        return CrmId.of(prefix + String.format("%012d", n));
    }

    /** @param n a number @return a lead id */
    public static CrmId lead(long n) {
        return id("00Q", n);
    }

    /** @param n a number @return a contact id */
    public static CrmId contact(long n) {
        return id("003", n);
    }

    /** @param n a number @return a campaign member id */
    public static CrmId member(long n) {
        return id("00v", n);
    }

    /** @param n a number @return an account id */
    public static CrmId account(long n) {
        return id("001", n);
    }

    /** @param seconds seconds after {@link #T0} @return the instant */
    public static Instant t(long seconds) {
        return T0.plusSeconds(seconds);
    }

    /**
     * @param kv alternating field names and values
     * @return the map, in the given order
     */
    public static Map<String, FieldValue> fields(Object... kv) {
        if (kv.length % 2 != 0) {
            throw new IllegalArgumentException("expected name/value pairs");
        }
        Map<String, FieldValue> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            FieldValue fv = v instanceof FieldValue f ? f
                    : v instanceof String s ? FieldValue.text(s)
                    : v instanceof Boolean b ? FieldValue.bool(b)
                    : v instanceof Integer n ? FieldValue.number(n)
                    : v instanceof Long n ? FieldValue.number(n)
                    : v instanceof CrmId c ? FieldValue.ref(c)
                    : null;
            if (fv == null) {
                throw new IllegalArgumentException("unsupported value " + v);
            }
            m.put((String) kv[i], fv);
        }
        return m;
    }

    /**
     * @param type the type
     * @param id the id
     * @param stamp the CRM stamp
     * @param kv alternating field names and values
     * @return a live record
     */
    public static SyncRecord rec(ObjectType type, CrmId id, Instant stamp, Object... kv) {
        return new SyncRecord(type, id, fields(kv), stamp, false);
    }

    /**
     * @param type the type
     * @param id the id
     * @param kv alternating field names and values
     * @return a live record stamped {@link #T0}
     */
    public static SyncRecord rec(ObjectType type, CrmId id, Object... kv) {
        return rec(type, id, T0, kv);
    }
}
