package dev.crmsync.core;

import static dev.crmsync.core.BidiHarness.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.report.PushResult;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.StoreOperation;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code pushNow} never throws on a whole-call failure of the marketing store or the state store
 * (found by {@link WholeCallFailureProperties}): the records it left without an answer are
 * rejected retriably, nothing is sent, and a later push creates them.
 */
class PushNowStoreFailureTest {

    private final BidiHarness h = new BidiHarness();

    @ParameterizedTest(name = "{0} fails, retriable={1}")
    @CsvSource({"FIND_BY_MARKETING_ID, true", "FIND_BY_MARKETING_ID, false", "TRY_ACQUIRE_LEASE, true",
            "TRY_ACQUIRE_LEASE, false"})
    void aStoreCallFailureIsARetriableAnswerNotAThrow(StoreOperation op, boolean retriable) {
        MarketingRecord p = h.data.saveLocal(ObjectType.LEAD, null, fields("LastName", "Doe", "Company", "Acme"));
        MarketingRecord q = h.data.saveLocal(ObjectType.LEAD, null, fields("LastName", "Roe", "Company", "Acme"));
        Fault fault = retriable ? Fault.retriable() : Fault.fatal();
        if (op == StoreOperation.TRY_ACQUIRE_LEASE) {
            h.state.faults().failNext(op, 1, fault);
        } else {
            h.store.faults().failNext(op, 1, fault);
        }
        try (SyncEngine engine = h.engine()) {
            List<PushResult> results = engine.pushNow(ObjectType.LEAD, List.of(p.marketingId(), q.marketingId()));
            PushResult.Rejected first = assertInstanceOf(PushResult.Rejected.class, results.get(0), results::toString);
            assertEquals("STORE_CALL_FAILED", first.code());
            assertTrue(first.retriable());
            assertTrue(first.message().contains(op == StoreOperation.TRY_ACQUIRE_LEASE ? "lease" : "marketing store"),
                    first::message);
            assertTrue(!first.message().contains("Doe"), "no customer value");
            if (op == StoreOperation.TRY_ACQUIRE_LEASE) {
                assertInstanceOf(PushResult.Rejected.class, results.get(1), results::toString);
                assertEquals(0, h.crm.count(ObjectType.LEAD), "nothing was sent");
            } else {
                assertInstanceOf(PushResult.Created.class, results.get(1), "the other record is pushed");
                assertEquals(1, h.crm.count(ObjectType.LEAD));
            }

            assertInstanceOf(PushResult.Created.class, engine.pushNow(p.marketingId()).get(0), "pushed again: created");
        }
        assertEquals(op == StoreOperation.TRY_ACQUIRE_LEASE ? 1 : 2, h.crm.count(ObjectType.LEAD));
    }
}
