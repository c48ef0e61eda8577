package dev.crmsync.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.FieldValue;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldPatchesTest {

    @Test
    void setsNamedFieldsLeavesOthersAndNullClears() {
        Map<String, FieldValue> stored = new HashMap<>(Map.of("A", FieldValue.text("a"), "B", FieldValue.text("b")));
        boolean changed = FieldPatches.apply(stored, Map.of("A", FieldValue.NULL, "C", FieldValue.number("1.0")));
        assertTrue(changed);
        assertEquals(Map.of("B", FieldValue.text("b"), "C", FieldValue.number("1.00")), stored);
    }

    @Test
    void equalValuesAndClearingAnAbsentFieldChangeNothing() {
        Map<String, FieldValue> stored = new HashMap<>(Map.of("N", FieldValue.number("2.50")));
        assertFalse(FieldPatches.apply(stored, Map.of("N", FieldValue.number("2.5"), "X", FieldValue.NULL)));
        assertEquals(Map.of("N", FieldValue.number("2.5")), stored);
    }

    @Test
    void withoutNullsCopiesOnlyWhenNeeded() {
        Map<String, FieldValue> clean = Map.of("A", FieldValue.text(""));
        assertSame(clean, FieldPatches.withoutNulls(clean));
        assertEquals(clean, FieldPatches.withoutNulls(Map.of("A", FieldValue.text(""), "B", FieldValue.NULL)));
    }
}
