package dev.crmsync.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.Deletion;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoreChecksTest {

    private static final CrmId L1 = CrmId.of("00Q000000000001");
    private static final CrmId L2 = CrmId.of("00Q000000000002");
    private static final Instant T = Instant.parse("2024-01-01T00:00:00Z");

    private static String code(Map<String, FieldValue> fields, int maxName, int maxText) {
        return StoreChecks.valueProblem(fields, maxName, maxText).map(StoreChecks.Problem::code).orElse("OK");
    }

    @Test
    void valueRulesNameTheFieldAndNeverQuoteTheValue() {
        assertEquals("OK", code(Map.of("LastName", FieldValue.text("Ada \uD83D\uDE00")), 255, 10));
        assertEquals(StoreChecks.INVALID_FIELD_NAME, code(Map.of(" ", FieldValue.text("x")), 255, 10));
        assertEquals(StoreChecks.INVALID_FIELD_NAME, code(Map.of("x".repeat(256), FieldValue.text("x")), 255, 10));
        assertEquals(StoreChecks.INVALID_TEXT, code(Map.of("bad\uD800", FieldValue.text("x")), 255, 10));
        assertEquals(StoreChecks.VALUE_TOO_LONG, code(Map.of("City", FieldValue.text("secret-value")), 255, 5));
        StoreChecks.Problem p = StoreChecks.valueProblem(Map.of("City", FieldValue.text("secret \uDC00"))).orElseThrow();
        assertEquals(StoreChecks.INVALID_TEXT, p.code());
        assertTrue(p.message().contains("'City'") && p.message().contains("index 7"), p.message());
        assertFalse(p.message().contains("secret"), p.message());
        assertEquals(Optional.empty(), StoreChecks.valueProblem(Map.of("Notes", FieldValue.text("x".repeat(1_000_000)))));
    }

    @Test
    void aProblemIsARejectionInABatchAndAnExceptionInASingleCall() {
        StoreChecks.Problem p = new StoreChecks.Problem(StoreChecks.VALUE_TOO_LONG, "field 'City' holds 9 characters");
        assertEquals(new StoreResult.Rejected(L1, StoreChecks.VALUE_TOO_LONG, p.message(), false), p.rejection(L1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StoreChecks.requireStorable(Map.of("City", FieldValue.text("too long")), 255, 3));
        assertTrue(e.getMessage().endsWith("(VALUE_TOO_LONG)"), e.getMessage());
        assertEquals(StoreChecks.VALUE_TOO_LONG, StoreChecks.encodedLengthProblem(11, 10).orElseThrow().code());
        assertEquals(Optional.empty(), StoreChecks.encodedLengthProblem(10, 10));
    }

    @Test
    void unpairedSurrogatesAreFoundWherePairsAreNot() {
        assertEquals(-1, StoreChecks.unpairedSurrogate("a\uD83D\uDE00b"));
        assertEquals(1, StoreChecks.unpairedSurrogate("a\uD83Db"));
        assertEquals(0, StoreChecks.unpairedSurrogate("\uDE00"));
        assertEquals(2, StoreChecks.unpairedSurrogate("ab\uD83D"));
    }

    @Test
    void batchRulesRefuseAnotherTypeARepeatedIdAndALoserThatSurvives() {
        SyncRecord lead = new SyncRecord(ObjectType.LEAD, L1, Map.of(), T, false);
        assertEquals(List.of(L1), List.copyOf(StoreChecks.requireBatch(ObjectType.LEAD, List.of(lead))));
        assertThrows(IllegalArgumentException.class, () -> StoreChecks.requireBatch(ObjectType.CONTACT, List.of(lead)));
        assertThrows(IllegalArgumentException.class, () -> StoreChecks.requireBatch(ObjectType.LEAD, List.of(lead, lead)));
        assertThrows(IllegalArgumentException.class, () -> StoreChecks.requireDeletions(ObjectType.LEAD,
                List.of(new Deletion(L1, T), new Deletion(L1, T))));
        assertEquals(List.of(L2), List.copyOf(StoreChecks.requireLosers(L1, List.of(L2, L2))));
        assertThrows(IllegalArgumentException.class, () -> StoreChecks.requireLosers(L1, List.of(L2, L1)));
        assertThrows(IllegalArgumentException.class, () -> StoreChecks.requireLimit(0));
        assertThrows(IllegalArgumentException.class, () -> StoreChecks.requireBidirectional(ObjectType.ACCOUNT));
        StoreChecks.requireBidirectional(ObjectType.CAMPAIGN_MEMBER);
    }

    @Test
    void sequenceNumbersAreCanonicalPositiveDecimals() {
        assertEquals(42, StoreChecks.sequenceNumber("42"));
        assertEquals(-1, StoreChecks.sequenceNumber("042"));
        assertEquals(-1, StoreChecks.sequenceNumber(""));
        assertEquals(-1, StoreChecks.sequenceNumber("4x"));
        assertEquals(-1, StoreChecks.sequenceNumber("1234567890123456789"));
    }

    @Test
    void feedPositionsRoundTripThroughTheirCursorAndStartIsTheEmptyText() {
        assertSame(FeedCursor.START, FeedCursor.of(""));
        assertTrue(FeedCursor.START.isStart());
        assertEquals(StoreChecks.FeedPosition.START, StoreChecks.FeedPosition.of(FeedCursor.START));
        assertEquals(FeedCursor.START, StoreChecks.FeedPosition.START.cursor());
        StoreChecks.FeedPosition p = new StoreChecks.FeedPosition(0, 17);
        assertFalse(p.cursor().isStart());
        assertEquals(p, StoreChecks.FeedPosition.of(FeedCursor.of(p.cursor().value())));
        for (String bad : List.of("garbage", ".5", "5.", "-1.2", "1.x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StoreChecks.FeedPosition.of(FeedCursor.of(bad)));
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    void idCursorsStartBeforeEveryIdAndFollowTheLastOne() {
        assertTrue(IdCursor.START.isStart());
        assertEquals(L1, IdCursor.after(L1).lastId());
        assertFalse(IdCursor.after(L1).isStart());
        assertThrows(NullPointerException.class, () -> IdCursor.after(null));
    }
}
