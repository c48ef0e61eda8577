package dev.crmsync.process;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.jdbc.JdbcStores;
import dev.crmsync.model.ObjectType;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.salesforce.SalesforceCredentials;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The engine as a process of its own, as a host application runs it: {@link SalesforceCrmSource}
 * over loopback HTTP to the parent's fake Salesforce server, the JDBC stores on PostgreSQL, the
 * same engine id at every start (each start is a new instance: it waits until the lease of the one
 * killed before it lapses, by the database's clock). The parent test kills it with SIGKILL.
 *
 * <p>Arguments: the server's base URI, the PostgreSQL URL, the schema, the file listing marketing
 * ids to push (one per line; re-read before every cycle), and the mode:
 * <ul>
 *   <li>{@code run}: push and cycle forever (until killed);</li>
 *   <li>{@code settle}: push and cycle until two cycles in a row complete with nothing moved, then
 *       exit 0 (exit 3 if that does not happen within {@value #MAX_SETTLE_CYCLES} cycles);</li>
 *   <li>{@code once}: one push and one cycle, exit 0 if it completed.</li>
 * </ul>
 * Each cycle prints one line {@code cycle <outcome> moved=<n>} on standard output.
 */
public final class EngineProcess {

    /** The engine id every start uses: a restart is the same deployment. */
    static final String ENGINE_ID = "kill-nine";
    /** The CRM field every create writes the marketing id into. */
    static final String MARKETING_ID_FIELD = "Marketing_Id__c";
    /** The types the process syncs. */
    static final List<ObjectType> TYPES = List.of(ObjectType.ACCOUNT, ObjectType.LEAD, ObjectType.CONTACT);
    /** Small pages, so that a first copy spans many requests (and many kill points). */
    static final int PAGE_SIZE = 200;
    static final int MAX_SETTLE_CYCLES = 2_000;

    private EngineProcess() {
    }

    /**
     * @param args base URI, PostgreSQL URL, schema, push file, mode
     * @throws IOException if the push file cannot be read
     */
    public static void main(String[] args) throws IOException {
        URI base = URI.create(args[0]);
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(args[1]);
        ds.setCurrentSchema(args[2]);
        Path pushFile = Path.of(args[3]);
        String mode = args[4];
        JdbcStores stores = JdbcStores.builder(ds).schema(args[2]).objectTypes(TYPES).build();
        try (SalesforceCrmSource sf = SalesforceCrmSource.builder()
                     .credentials(SalesforceCredentials.accessToken(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN, base))
                     .allowHttpForLoopback(true)
                     .build();
             SyncEngine engine = SyncEngine.builder()
                     .crmSource(sf)
                     .marketingStore(stores.marketingStore())
                     .syncStateStore(stores.syncStateStore())
                     .objectTypes(TYPES)
                     .marketingIdField(MARKETING_ID_FIELD)
                     .defaultCompany("Unknown")
                     .pageSize(PAGE_SIZE)
                     .engineId(ENGINE_ID)
                     .leaseTtl(SyncEngine.MIN_LEASE_TTL)    // a killed instance's lease lapses within seconds
                     .build()) {
            switch (mode) {
                case "run" -> {
                    while (true) {
                        cycle(engine, pushFile);
                    }
                }
                case "settle" -> {
                    int quiet = 0;
                    for (int i = 0; i < MAX_SETTLE_CYCLES && quiet < 2; i++) {
                        SyncReport r = cycle(engine, pushFile);
                        quiet = r.isComplete() && r.totals().moved() == 0 ? quiet + 1 : 0;
                    }
                    System.exit(quiet >= 2 ? 0 : 3);
                }
                case "once" -> System.exit(cycle(engine, pushFile).isComplete() ? 0 : 4);
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            }
        }
    }

    private static SyncReport cycle(SyncEngine engine, Path pushFile) throws IOException {
        List<String> ids = Files.readAllLines(pushFile, StandardCharsets.UTF_8).stream()
                .filter(s -> !s.isBlank()).toList();
        if (!ids.isEmpty()) {
            engine.pushNow(ObjectType.LEAD, ids);
        }
        SyncReport r = engine.runCycle();
        System.out.println("cycle " + r.outcome() + " moved=" + r.totals().moved());
        System.out.flush();
        return r;
    }
}
