package dev.crmsync.kafka.connect.internal;

import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.store.StoreField;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.connect.errors.DataException;

/**
 * The store fields of a type, carried in a header ({@value #NAME}) on every record the source sends, so that the
 * sink can call {@link dev.crmsync.store.MarketingStore#prepareType} with them before it writes the type (the JDBC
 * store gives each field a typed column) without a describe of its own. The source task builds them from the
 * describe it reads the type with, as the engine does ({@link StoreField#forSyncedFields}: the same mapping of
 * a CRM field type, length, precision and scale to a {@link StoreField}).
 *
 * <p>The header's text is {@code name:KIND:length:precision:scale} per field, comma-separated, in describe order,
 * for example {@code Name:TEXT:255:0:0,AnnualRevenue:CURRENCY:0:18:0}. It names fields and their types only, never a
 * value. Field API names hold letters, digits and underscores only, so neither separator can occur in one.
 */
public final class StoreFieldsHeader {

    /** The header's name. */
    public static final String NAME = "crmsync.store.fields";

    private StoreFieldsHeader() {
    }

    /**
     * The store fields of the fields read, as the engine derives them.
     *
     * @param schema the type's describe
     * @param read the fields read
     * @return their store fields, in describe order; compound and binary fields are left out
     */
    public static List<StoreField> of(ObjectSchema schema, Collection<String> read) {
        return StoreField.forSyncedFields(schema, read);
    }

    /**
     * @param fields store fields
     * @return the header's text
     */
    public static String encode(List<StoreField> fields) {
        StringBuilder b = new StringBuilder();
        for (StoreField f : fields) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(f.name()).append(':').append(f.kind().name()).append(':').append(f.length()).append(':')
                    .append(f.precision()).append(':').append(f.scale());
        }
        return b.toString();
    }

    /**
     * @param text a header's text
     * @return its store fields
     * @throws DataException if the text is not of the header's form (the message names the part)
     */
    public static List<StoreField> decode(String text) {
        List<StoreField> out = new ArrayList<>();
        if (text.isEmpty()) {
            return List.of();
        }
        Set<String> names = new HashSet<>();
        for (String item : text.split(",", -1)) {
            String[] parts = item.split(":", -1);
            if (parts.length != 5 || parts[0].isBlank()) {
                throw new DataException("header " + NAME + ": malformed field entry");
            }
            try {
                StoreField f = new StoreField(parts[0], StoreField.Kind.valueOf(parts[1]), Integer.parseInt(parts[2]),
                        Integer.parseInt(parts[3]), Integer.parseInt(parts[4]));
                if (!names.add(f.name())) {
                    throw new DataException("header " + NAME + ": field " + f.name() + " twice");
                }
                out.add(f);
            } catch (IllegalArgumentException e) {
                throw new DataException("header " + NAME + ": field " + parts[0] + " has a malformed kind or size");
            }
        }
        return List.copyOf(out);
    }
}
