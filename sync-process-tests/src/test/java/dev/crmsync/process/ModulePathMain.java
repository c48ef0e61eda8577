package dev.crmsync.process;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.jdbc.JdbcStores;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.InMemoryCrm;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;

/**
 * A host whose crmsync modules, H2 and SLF4J are on the <b>module path</b> (this class is on the
 * class path, as an application's main often is): a cycle into the H2 store, then a host's SQL
 * {@code UPDATE} and {@code DELETE} on the lead table — H2 instantiates the store's triggers by
 * name, which works only if their package is exported — and a cycle that carries both to the CRM.
 * Prints the modules it ran in and {@code OK}, and exits 0; anything else exits non-zero.
 */
public final class ModulePathMain {

    private ModulePathMain() {
    }

    /**
     * @param args none
     * @throws Exception on any failure (the parent test reads the exit code and the output)
     */
    public static void main(String[] args) throws Exception {
        System.out.println("modules: " + JdbcStores.class.getModule().getName() + " "
                + SyncEngine.class.getModule().getName() + " " + JdbcDataSource.class.getModule().getName());
        if (!JdbcStores.class.getModule().isNamed() || !JdbcDataSource.class.getModule().isNamed()) {
            throw new IllegalStateException("not on the module path");
        }
        InMemoryCrm crm = InMemoryCrm.builder().build();
        CrmId keep = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Keep"), "Company",
                FieldValue.text("Acme")));
        CrmId gone = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Gone"), "Company",
                FieldValue.text("Acme")));
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:module-path;DB_CLOSE_DELAY=-1");
        JdbcStores stores = JdbcStores.builder(ds).objectTypes(List.of(ObjectType.LEAD)).build();
        try (SyncEngine engine = SyncEngine.builder().crmSource(crm).marketingStore(stores.marketingStore())
                .syncStateStore(stores.syncStateStore()).objectTypes(ObjectType.LEAD).build()) {
            require(engine.runCycle());
            String table = stores.marketingStore().tableName(ObjectType.LEAD);
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE " + table + " SET title = 'Set in SQL' WHERE _crm_id = '" + keep.value() + "'");
                st.executeUpdate("DELETE FROM " + table + " WHERE _crm_id = '" + gone.value() + "'");
            }
            require(engine.runCycle());
        }
        FieldValue title = crm.get(ObjectType.LEAD, keep).orElseThrow().get("Title");
        if (!FieldValue.text("Set in SQL").equals(title)) {
            throw new IllegalStateException("the SQL update did not reach the CRM");
        }
        if (crm.get(ObjectType.LEAD, gone).map(r -> !r.deleted()).orElse(false)) {
            throw new IllegalStateException("the SQL delete did not reach the CRM");
        }
        System.out.println("OK");
    }

    private static void require(SyncReport r) {
        if (!r.isComplete()) {
            throw new IllegalStateException("cycle not complete:\n" + r.toTable());
        }
    }
}
