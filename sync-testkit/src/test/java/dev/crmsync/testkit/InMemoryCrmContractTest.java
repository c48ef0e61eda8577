package dev.crmsync.testkit;

import dev.crmsync.crm.CrmSource;
import dev.crmsync.testkit.contract.CrmAdmin;
import dev.crmsync.testkit.contract.CrmSourceContract;
import java.time.Instant;

/** {@link InMemoryCrm} keeps the {@link CrmSource} contract. */
class InMemoryCrmContractTest extends CrmSourceContract {

    private final ManualClock clock = new ManualClock(Instant.parse("2024-05-01T08:00:00Z"));
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(11).build();

    @Override
    protected CrmSource source() {
        return crm;
    }

    @Override
    protected CrmAdmin admin() {
        return CrmAdmin.of(crm, clock);
    }
}
