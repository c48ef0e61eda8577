package example;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.jdbc.JdbcStores;
import dev.crmsync.salesforce.SalesforceCrmSource;

/** Compiles against the modules the BOM pins: the import works. */
public final class App {
    private App() {
    }

    /** @return the types a host wires, by name */
    public static String wiring() {
        return SyncEngine.class.getSimpleName() + " " + JdbcStores.class.getSimpleName() + " "
                + SalesforceCrmSource.class.getSimpleName();
    }
}
