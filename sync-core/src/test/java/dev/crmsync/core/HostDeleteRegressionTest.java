package dev.crmsync.core;

import dev.crmsync.core.BidirectionalSyncPropertyTest.Faults;
import dev.crmsync.core.BidirectionalSyncPropertyTest.MktDelete;
import dev.crmsync.core.BidirectionalSyncPropertyTest.MktNewLead;
import dev.crmsync.core.BidirectionalSyncPropertyTest.Push;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shrunk samples of {@link BidirectionalSyncPropertyTest} with host deletes, kept as plain tests. */
class HostDeleteRegressionTest {

    /**
     * The push linked the person, but writing the CRM's defaults to the store failed (they stayed in
     * flight in the base); the host then deleted the person. The CRM record was taken for changed
     * (its default Status was not in the base) and copied back instead of deleted.
     */
    @Test
    void aPersonPushedUnderFaultsThenDeletedByTheHostEndsDeletedInTheCrm() {
        new BidirectionalSyncPropertyTest().onceFaultsStopBothSidesConvergeToThePolicysValuesWithinTwoCyclesThenStayQuiet(
                List.of(new MktNewLead(), new Faults(true), new Push(0), new MktDelete(0, 0)), 3);
    }
}
