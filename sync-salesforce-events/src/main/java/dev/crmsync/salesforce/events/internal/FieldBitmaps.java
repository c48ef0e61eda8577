package dev.crmsync.salesforce.events.internal;

import org.apache.avro.Schema;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Expands the field bitmaps of a {@code ChangeEventHeader} ({@code changedFields}, {@code nulledFields},
 * {@code diffFields}) into field names, in Salesforce's two documented forms:
 *
 * <ul>
 *   <li>{@code "0x..."}: a hex number over the schema's top-level fields, bit {@code i} (counted from the
 *       least significant bit) standing for field {@code i} of the event schema;</li>
 *   <li>{@code "n-0x..."}: the same over the fields of the nested record of top-level field {@code n} (a
 *       compound field such as {@code Name} or {@code BillingAddress}), expanded to
 *       {@code Name.FirstName}.</li>
 * </ul>
 */
public final class FieldBitmaps {

    private FieldBitmaps() {
    }

    /**
     * The field names the bitmaps select, top-level fields first (in schema order), then each nested form's.
     *
     * @param schema  the event's Avro schema (a record whose fields the bitmaps index)
     * @param bitmaps the bitmap strings of one header field
     * @return the field names
     * @throws IllegalArgumentException if a bitmap is malformed or selects a field the schema does not have
     */
    public static List<String> expand(Schema schema, List<String> bitmaps) {
        List<String> names = new ArrayList<>();
        for (String bitmap : bitmaps) {
            int dash = bitmap.indexOf('-');
            if (dash < 0) {
                names.addAll(select(schema.getFields(), parseHex(bitmap), ""));
                continue;
            }
            int parent;
            try {
                parent = Integer.parseInt(bitmap.substring(0, dash));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a nested field bitmap starts with a field index: " + bitmap);
            }
            List<Schema.Field> top = schema.getFields();
            if (parent < 0 || parent >= top.size()) {
                throw new IllegalArgumentException("a nested field bitmap names field " + parent + " of "
                        + top.size());
            }
            Schema.Field compound = top.get(parent);
            Schema nested = recordOf(compound.schema());
            if (nested == null) {
                throw new IllegalArgumentException("a nested field bitmap names field " + compound.name()
                        + ", which is not a compound field");
            }
            names.addAll(select(nested.getFields(), parseHex(bitmap.substring(dash + 1)), compound.name() + "."));
        }
        return names;
    }

    /** The record schema of a field's schema (itself, or the record branch of a union), else null. */
    static Schema recordOf(Schema schema) {
        if (schema.getType() == Schema.Type.RECORD) {
            return schema;
        }
        if (schema.getType() == Schema.Type.UNION) {
            for (Schema branch : schema.getTypes()) {
                if (branch.getType() == Schema.Type.RECORD) {
                    return branch;
                }
            }
        }
        return null;
    }

    private static BigInteger parseHex(String bitmap) {
        if (!bitmap.startsWith("0x") || bitmap.length() == 2) {
            throw new IllegalArgumentException("a field bitmap is 0x followed by hex digits: " + bitmap);
        }
        try {
            return new BigInteger(bitmap.substring(2), 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a field bitmap is 0x followed by hex digits: " + bitmap);
        }
    }

    private static List<String> select(List<Schema.Field> fields, BigInteger bits, String prefix) {
        if (bits.signum() < 0 || bits.bitLength() > fields.size()) {
            throw new IllegalArgumentException("a field bitmap selects field " + (bits.bitLength() - 1)
                    + " of a schema with " + fields.size() + " fields");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            if (bits.testBit(i)) {
                names.add(prefix + fields.get(i).name());
            }
        }
        return names;
    }
}
