package dev.crmsync.core;

import dev.crmsync.core.WholeCallFailureProperties.CallFails;
import dev.crmsync.core.WholeCallFailureProperties.CrmEdit;
import dev.crmsync.core.WholeCallFailureProperties.CrmNew;
import dev.crmsync.core.WholeCallFailureProperties.Cycle;
import dev.crmsync.core.WholeCallFailureProperties.MktEdit;
import dev.crmsync.core.WholeCallFailureProperties.MktNew;
import dev.crmsync.core.WholeCallFailureProperties.Push;
import dev.crmsync.core.WholeCallFailureProperties.Refuse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shrunk samples {@link WholeCallFailureProperties} found, kept as plain tests. */
class WholeCallFailureRegressionTest {

    /**
     * A batch the CRM refused as a whole was narrowed down: one record's update landed, another's
     * refusal could not be booked (the state store failed the call), and a CRM user then edited the
     * landed record's field. The landed write was recorded only after the refusals, so it was taken
     * for a write that never landed, and the marketing value went back over the CRM's newer edit.
     */
    @Test
    void aRefusalThatCannotBeBookedDoesNotHideAWriteThatLanded() {
        new WholeCallFailureProperties().onceWholeCallFailuresStopNothingIsLostOrDuplicatedAndARefusedRecordIsIsolated(
                List.of(new MktNew(false), new MktNew(false), new Push(0), new CrmNew(), new Push(0), new CrmNew(),
                        new CrmNew(), new Refuse(1), new MktEdit(0, 0), new CallFails(14, 1, true), new Cycle(),
                        new CrmEdit(0, 0)), 0);
    }
}
