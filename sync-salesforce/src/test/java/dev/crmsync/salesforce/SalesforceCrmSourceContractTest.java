package dev.crmsync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.testkit.contract.CrmAdmin;
import dev.crmsync.testkit.contract.CrmSourceContract;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SalesforceCrmSource} keeps the {@link CrmSource} contract, over real HTTP against the fake
 * Salesforce server backed by an {@code InMemoryCrm}.
 */
class SalesforceCrmSourceContractTest extends CrmSourceContract {

    private final FakeOrg org = new FakeOrg();
    private final SalesforceCrmSource source = org.open(org.source());
    private final CrmAdmin admin = CrmAdmin.of(org.crm, org.clock);

    @AfterEach
    void close() {
        source.close();
        org.close();
    }

    @Override
    protected CrmSource source() {
        return source;
    }

    @Override
    protected CrmAdmin admin() {
        return admin;
    }

    @Override
    protected int pageSize() {
        return SalesforceCrmSource.MIN_PAGE_SIZE;
    }

    /**
     * The kit expects a write to a merged-away record to come back rejected ({@code ENTITY_IS_DELETED}).
     * By default this source resolves the merge (issue 4: "ENTITY_IS_DELETED after a merge is resolved
     * through MasterRecordId") and writes to the master; with {@code redirectMergedWrites(false)} it keeps
     * the kit's rule exactly. Both are asserted here.
     */
    @Override
    @Test
    public void writeToAMergedAwayRecordIsRejectedAsDeleted() {
        CrmId master = admin.insert(ObjectType.LEAD, newLead());
        CrmId loser = admin.insert(ObjectType.LEAD, newLead());
        admin.merge(ObjectType.LEAD, master, List.of(loser));
        CrmWrite w = new CrmWrite.Update(loser, Map.of("Title", FieldValue.text("x")));
        try (SalesforceCrmSource plain = org.open(org.source().redirectMergedWrites(false))) {
            CrmWriteResult.Rejected r = assertInstanceOf(CrmWriteResult.Rejected.class,
                    plain.write(ObjectType.LEAD, List.of(w)).get(0));
            assertEquals("ENTITY_IS_DELETED", r.code());
        }
        CrmWriteResult.Written redirected = assertInstanceOf(CrmWriteResult.Written.class,
                source.write(ObjectType.LEAD, List.of(w)).get(0));
        assertEquals(master, redirected.id());
    }
}
