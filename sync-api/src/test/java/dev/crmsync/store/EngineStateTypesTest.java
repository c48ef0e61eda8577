package dev.crmsync.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The typed engine state's values: keys, fingerprints, intents and their storage forms. */
class EngineStateTypesTest {

    private static final CrmId LEAD = CrmId.of("00Q000000000001");
    private static final Instant T = Instant.parse("2024-03-01T09:00:00Z");

    @Test
    void aRecordKeyReadsBackFromItsStorageForm() {
        for (RecordKey k : List.of(RecordKey.crm(LEAD), RecordKey.marketing("42"), RecordKey.marketing("crm:x y"))) {
            assertEquals(k, RecordKey.parse(k.toStorageString()));
        }
        assertEquals("crm:" + LEAD.value(), RecordKey.crm(LEAD).toStorageString());
        assertEquals("marketing:42", RecordKey.marketing("42").toStorageString());
    }

    @Test
    void aRecordKeyRefusesWhatNoStoreWrote() {
        assertThrows(IllegalArgumentException.class, () -> RecordKey.parse(LEAD.value()));
        assertThrows(IllegalArgumentException.class, () -> RecordKey.parse("crm:not-an-id"));
        assertThrows(IllegalArgumentException.class, () -> RecordKey.marketing(" "));
        assertThrows(IllegalArgumentException.class, () -> RecordKey.marketing("x".repeat(246)));
    }

    @Test
    void recordKeysOrderCrmKeysFirst() {
        assertTrue(RecordKey.crm(LEAD).compareTo(RecordKey.marketing("0")) < 0);
        assertTrue(RecordKey.marketing("a").compareTo(RecordKey.marketing("b")) < 0);
    }

    @Test
    void aFingerprintTellsKindsApart() {
        assertEquals(ValueFingerprint.of(FieldValue.text("1")), ValueFingerprint.of(FieldValue.text("1")));
        assertTrue(!ValueFingerprint.of(FieldValue.text("1")).equals(ValueFingerprint.of(FieldValue.number("1"))));
        assertTrue(ValueFingerprint.of(FieldValue.text("x")).matches(FieldValue.text("x")));
        assertTrue(!ValueFingerprint.of(FieldValue.text("x")).matches(FieldValue.NULL));
        assertThrows(IllegalArgumentException.class, () -> new ValueFingerprint("0ab"));
        assertThrows(IllegalArgumentException.class, () -> new ValueFingerprint("XYZ"));
    }

    @Test
    void everyIntentIsRestoredEqualFromItsPayload() {
        List<EngineIntent> all = List.of(
                new EngineIntent.FollowUp(ObjectType.LEAD, RecordKey.crm(LEAD), "a & b = c %20 ü", T),
                new EngineIntent.FollowUp(ObjectType.LEAD, RecordKey.marketing("7"), "", T),
                new EngineIntent.UnconfirmedCreate(ObjectType.CONTACT, RecordKey.marketing("9"), T, Map.of(
                        "LastName", ValueFingerprint.of(FieldValue.text("Doe")), "a&b=c", ValueFingerprint.of(FieldValue.NULL))),
                new EngineIntent.UnconfirmedCreate(ObjectType.CONTACT, RecordKey.marketing("9"), T, Map.of()));
        for (EngineIntent i : all) {
            assertEquals(i, EngineIntent.restore(i.kind(), i.type(), i.key(), i.recordedAt(), i.payload()));
        }
    }

    @Test
    void restoreRefusesAPayloadOrKeyItsKindNeverWrites() {
        assertThrows(IllegalArgumentException.class, () -> EngineIntent.restore(EngineIntent.Kind.FOLLOW_UP,
                ObjectType.LEAD, RecordKey.crm(LEAD), T, "no-equals-sign"));
        assertThrows(IllegalArgumentException.class, () -> EngineIntent.restore(EngineIntent.Kind.UNCONFIRMED_CREATE,
                ObjectType.LEAD, RecordKey.crm(LEAD), T, ""));
    }

    @Test
    void aBaseKeepsAnUnknownMarketingIdAsNullNeverBlank() {
        SyncBase b = new SyncBase(ObjectType.LEAD, LEAD, null, Map.of(), T, T);
        assertTrue(b.knownMarketingId().isEmpty());
        assertEquals(PendingWrites.NONE, b.pending());
        assertThrows(IllegalArgumentException.class, () -> new SyncBase(ObjectType.LEAD, LEAD, "", Map.of(), T, T));
    }
}
