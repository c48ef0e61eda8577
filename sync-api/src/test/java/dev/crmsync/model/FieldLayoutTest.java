package dev.crmsync.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Field maps built from a shared layout: immutable, null-free, equal to any map of the same entries, kept by SyncRecord. */
class FieldLayoutTest {

    private static final FieldLayout LAYOUT = FieldLayout.of(List.of("Email", "LastName", "Score__c"));
    private static final ObjectType LEAD = ObjectType.of("Lead");
    private static final CrmId ID = CrmId.of("00Q000000000001");

    private static Map<String, FieldValue> sample() {
        return LAYOUT.map(FieldValue.text("a@b.c"), FieldValue.NULL, FieldValue.number(3));
    }

    @Test
    void aLaidOutMapEqualsAndHashesLikeAnyMapOfTheSameEntries() {
        Map<String, FieldValue> m = sample();
        Map<String, FieldValue> plain = Map.of("Email", FieldValue.text("a@b.c"), "LastName", FieldValue.NULL,
                "Score__c", FieldValue.number(3));
        assertEquals(plain, m);
        assertEquals(m, plain);
        assertEquals(plain.hashCode(), m.hashCode());
        assertEquals(new HashMap<>(plain), m);
        assertEquals(sample(), m);
        assertFalse(m.equals(LAYOUT.map(FieldValue.text("a@b.c"), FieldValue.NULL, FieldValue.number(4))));
        assertEquals(FieldValue.number(3), m.get("Score__c"));
        assertNull(m.get("Phone"));
        assertTrue(m.containsKey("LastName"));
        assertFalse(m.containsKey("Phone"));
        assertTrue(m.containsValue(FieldValue.NULL));
        assertEquals(List.of("Email", "LastName", "Score__c"), new ArrayList<>(m.keySet()));
        assertEquals(3, m.size());
    }

    @Test
    void aLaidOutMapCannotBeChangedNorHoldNulls() {
        Map<String, FieldValue> m = sample();
        assertThrows(UnsupportedOperationException.class, () -> m.put("Email", FieldValue.NULL));
        assertThrows(UnsupportedOperationException.class, () -> m.remove("Email"));
        assertThrows(UnsupportedOperationException.class, m::clear);
        assertThrows(UnsupportedOperationException.class, () -> m.putIfAbsent("Phone", FieldValue.NULL));
        assertThrows(UnsupportedOperationException.class, () -> m.merge("Email", FieldValue.NULL, (a, b) -> b));
        assertThrows(UnsupportedOperationException.class, () -> m.keySet().remove("Email"));
        assertThrows(UnsupportedOperationException.class, () -> m.values().clear());
        assertThrows(UnsupportedOperationException.class, () -> m.entrySet().iterator().next().setValue(FieldValue.NULL));
        assertThrows(NullPointerException.class, () -> m.get(null));
        assertThrows(NullPointerException.class, () -> m.containsKey(null));
        assertThrows(NullPointerException.class, () -> LAYOUT.map(FieldValue.NULL, null, FieldValue.NULL));
        assertThrows(IllegalArgumentException.class, () -> LAYOUT.map(FieldValue.NULL));
        assertThrows(IllegalArgumentException.class, () -> FieldLayout.of(List.of("A", "B", "A")));
    }

    @Test
    void theValuesArrayIsCopied() {
        FieldValue[] values = {FieldValue.text("x"), FieldValue.NULL, FieldValue.NULL};
        Map<String, FieldValue> m = LAYOUT.map(values);
        values[0] = FieldValue.text("changed");
        assertEquals(FieldValue.text("x"), m.get("Email"));
    }

    @Test
    void aRecordKeepsALaidOutMapAndCopiesAnyOther() {
        Map<String, FieldValue> m = sample();
        SyncRecord r = new SyncRecord(LEAD, ID, m, Instant.EPOCH, false);
        assertSame(m, r.fields());
        Map<String, FieldValue> mutable = new HashMap<>(m);
        SyncRecord copied = new SyncRecord(LEAD, ID, mutable, Instant.EPOCH, false);
        mutable.clear();
        assertEquals(3, copied.fields().size());
        assertEquals(r, copied);
    }

    @Test
    void indexOfFindsEveryNameOfALargeLayout() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            names.add("Field" + i + "__c");
        }
        FieldLayout big = FieldLayout.of(names);
        for (int i = 0; i < 300; i++) {
            assertEquals(i, big.indexOf("Field" + i + "__c"));
        }
        assertEquals(-1, big.indexOf("Field300__c"));
    }

    @Test
    void anIdAlreadyInItsNormalFormIsKeptAndOthersNormalise() {
        String normal = CrmId.of("00Q000000000001").value();
        assertSame(normal, CrmId.of(normal).value());
        assertEquals(normal, CrmId.of(normal.substring(0, 15)).value());
        String lowerSuffix = normal.substring(0, 15) + normal.substring(15).toLowerCase(java.util.Locale.ROOT);
        assertEquals(normal, CrmId.of(lowerSuffix).value());
        assertThrows(IllegalArgumentException.class, () -> CrmId.of(normal.substring(0, 15) + "ZZZ"));
    }
}
