package dev.crmsync.jdbc;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.Checkpoint;
import dev.crmsync.crm.Cursor;
import dev.crmsync.store.MarketingStore;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.SyncStateStore;
import dev.crmsync.store.memory.InMemoryMarketingStore;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Not a test: measures a first copy of N realistic leads (30 fields) into the in-memory store,
 * embedded H2 (a file under {@code target/}) and PostgreSQL (when {@code CRMSYNC_PG_URL} is set,
 * in a schema of its own, dropped afterwards), page by page as the engine writes them: each page
 * of 500 is upserted and its checkpoint saved in one transaction. Prints records per second and
 * the heap in use after a full GC.
 *
 * <pre>
 * mvn -q -pl sync-jdbc -am -Pstore-bench -DskipTests verify -Dstore.bench.records=1000000 -Dstore.bench.heap=256m
 * </pre>
 *
 * Arguments: {@code records [targets [rounds]]}, targets a comma list of {@code memory,h2,postgresql}
 * (the store alone, as above) and {@code pg-engine,mariadb-engine} (the engine's first copy against a
 * raw {@code COPY} / {@code INSERT} / {@code LOAD DATA} of the same rows, {@code rounds} rounds each:
 * {@link FirstCopyBenchmark}).
 */
public final class StoreBenchmark {

    private static final int PAGE = 500;

    private StoreBenchmark() {
    }

    /**
     * @param args records count, then targets
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String targets = args.length > 1 ? args[1] : "memory,h2,postgresql";
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<String> engine = new ArrayList<>();
        for (String t : targets.split(",")) {
            if (t.trim().endsWith("-engine")) {
                engine.add(t.trim());
            }
        }
        if (!engine.isEmpty()) {
            FirstCopyBenchmark.run(n, rounds, engine);
        }
        System.out.printf(Locale.ROOT, "first copy of %,d leads (30 fields), pages of %d, max heap %d MB%n",
                n, PAGE, Runtime.getRuntime().maxMemory() >> 20);
        for (String target : targets.split(",")) {
            if (target.trim().endsWith("-engine")) {
                continue;
            }
            switch (target.trim()) {
                case "memory" -> run("in-memory", new InMemoryMarketingStore(), new InMemorySyncStateStore(), n, null);
                case "h2" -> {
                    Path dir = Files.createDirectories(Path.of("target", "bench-h2"));
                    for (Path p : Files.list(dir).toList()) {
                        Files.delete(p);
                    }
                    JdbcDataSource ds = new JdbcDataSource();
                    ds.setURL("jdbc:h2:file:" + dir.toAbsolutePath().resolve("crmsync") + ";CACHE_SIZE=32768");
                    try (ReusedConnectionDataSource pool = new ReusedConnectionDataSource(ds)) {
                        JdbcStores s = TestDatabases.stores(pool).build();
                        run("H2 (embedded, file)", s.marketingStore(), s.syncStateStore(), n, pool);
                    }
                }
                case "postgresql" -> {
                    String url = System.getenv(TestDatabases.PG_URL_VARIABLE);
                    if (url == null || url.isBlank()) {
                        System.out.println("PostgreSQL: skipped, set " + TestDatabases.PG_URL_VARIABLE);
                        continue;
                    }
                    try (TestDatabases.PgSchema schema = TestDatabases.PgSchema.create()) {
                        PGSimpleDataSource ds = schema.unpooledDataSource();
                        ds.setReWriteBatchedInserts(true);
                        if (System.getenv("BENCH_PG_OPTIONS") != null) {
                            ds.setOptions(System.getenv("BENCH_PG_OPTIONS"));
                        }
                        try (ReusedConnectionDataSource pool = new ReusedConnectionDataSource(ds)) {
                            JdbcStores s = TestDatabases.stores(pool).build();
                            run("PostgreSQL (localhost)", s.marketingStore(), s.syncStateStore(), n, pool);
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown target " + target);
            }
        }
    }

    private static void run(String name, MarketingStore store, SyncStateStore state, int n, DataSource unused) {
        Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
        Checkpoint[] cp = {Checkpoint.initial(ObjectType.LEAD, t0)};
        store.prepareType(ObjectType.LEAD, storeFields(lead(0, t0)));   // as the engine does: a typed column per field
        long start = System.nanoTime();
        long created = 0;
        List<SyncRecord> page = new ArrayList<>(PAGE);
        for (int i = 0; i < n; i++) {
            page.add(lead(i, t0));
            if (page.size() == PAGE || i == n - 1) {
                List<SyncRecord> p = List.copyOf(page);
                SyncRecord last = p.get(p.size() - 1);
                long done = i + 1L;
                List<StoreResult> res = state.inTransaction(() -> {
                    List<StoreResult> r = store.upsert(ObjectType.LEAD, p);
                    cp[0] = cp[0].withCrmCursor(Cursor.after(last.modstamp(), last.id()), done, last.modstamp());
                    state.saveCheckpoint(cp[0]);
                    return r;
                });
                created += res.stream().filter(r -> r instanceof StoreResult.Created).count();
                page.clear();
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        if (created != n) {
            throw new IllegalStateException(name + ": created " + created + " of " + n);
        }
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
        java.lang.ref.Reference.reachabilityFence(store);
        java.lang.ref.Reference.reachabilityFence(state);
        System.out.printf(Locale.ROOT, "%-24s %,9d records in %7.1f s = %,8.0f records/s, heap in use after GC %4d MB (store still live)%n",
                name, n, secs, n / secs, heap);
    }

    private static final String[] STATUS = {"Open", "Working", "Closed - Converted", "Closed - Not Converted"};
    private static final String[] SOURCE = {"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"};
    private static final String[] INDUSTRY = {"Agriculture", "Banking", "Chemicals", "Education", "Energy",
        "Finance", "Media", "Retail", "Technology"};
    private static final String[] CITY = {"Paris", "Berlin", "Oslo", "Madrid", "Rome", "London", "Dublin", "Vienna"};

    /** A realistic lead of 30 fields. */
    static SyncRecord lead(int i, Instant t0) {
        Map<String, FieldValue> f = new HashMap<>(48);
        f.put("FirstName", FieldValue.text("First" + i));
        f.put("LastName", FieldValue.text("Last" + i));
        f.put("Email", FieldValue.text("lead" + i + "@example.com"));
        f.put("Company", FieldValue.text("Company " + (i % 50_000)));
        f.put("Phone", FieldValue.text("+1-555-" + (1_000_000 + i)));
        f.put("Title", FieldValue.text(i % 3 == 0 ? "CEO" : "Engineer"));
        f.put("Street", FieldValue.text(i + " Main Street"));
        f.put("City", FieldValue.text(CITY[i % CITY.length]));
        f.put("State", FieldValue.text("ST" + (i % 50)));
        f.put("PostalCode", FieldValue.text(String.valueOf(10_000 + i % 89_999)));
        f.put("Country", FieldValue.text("Country" + (i % 20)));
        f.put("Status", FieldValue.text(STATUS[i % STATUS.length]));
        f.put("LeadSource", FieldValue.text(SOURCE[i % SOURCE.length]));
        f.put("Industry", FieldValue.text(INDUSTRY[i % INDUSTRY.length]));
        f.put("Rating", FieldValue.text(i % 2 == 0 ? "Hot" : "Cold"));
        f.put("AnnualRevenue", FieldValue.number(1_000L * (i % 10_000)));
        f.put("NumberOfEmployees", FieldValue.number(i % 5_000));
        f.put("OwnerId", FieldValue.ref(OWNERS[i % OWNERS.length]));
        f.put("IsConverted", FieldValue.bool(false));
        f.put("HasOptedOutOfEmail", FieldValue.bool(i % 7 == 0));
        f.put("DoNotCall", FieldValue.bool(false));
        f.put("Last_Touch__c", FieldValue.dateTime(t0.plusSeconds(i)));
        f.put("LastActivityDate", FieldValue.date(LocalDate.of(2025, 1, 1).plusDays(i % 300)));
        f.put("Website", FieldValue.text("https://company" + (i % 50_000) + ".example.com"));
        f.put("Description", FieldValue.NULL);
        f.put("Salutation", FieldValue.text(i % 2 == 0 ? "Mr." : "Ms."));
        f.put("MobilePhone", FieldValue.NULL);
        f.put("Score__c", FieldValue.number(i % 100));   // a double in the CRM
        f.put("Region__c", FieldValue.text("EMEA"));
        f.put("Segment__c", FieldValue.text("SMB"));
        return new SyncRecord(ObjectType.LEAD, CrmId.of(id("00Q", i)), f, t0.plusSeconds(i / 100), false);
    }

    /** The benchmark lead's fields as the engine would describe them to the store. */
    static List<dev.crmsync.store.StoreField> storeFields(SyncRecord sample) {
        List<dev.crmsync.store.StoreField> out = new ArrayList<>();
        sample.fields().forEach((name, v) -> out.add(new dev.crmsync.store.StoreField(name,
                v instanceof FieldValue.Number ? dev.crmsync.store.StoreField.Kind.DECIMAL
                        : v instanceof FieldValue.Ref ? dev.crmsync.store.StoreField.Kind.REFERENCE
                        : v instanceof FieldValue.Bool ? dev.crmsync.store.StoreField.Kind.BOOLEAN
                        : v instanceof FieldValue.Date ? dev.crmsync.store.StoreField.Kind.DATE
                        : v instanceof FieldValue.DateTime ? dev.crmsync.store.StoreField.Kind.DATETIME
                        : dev.crmsync.store.StoreField.Kind.TEXT,
                v instanceof FieldValue.Text || v.isNull() ? 255 : 0, v instanceof FieldValue.Number ? 18 : 0, 0)));
        return out;
    }

    private static final CrmId[] OWNERS = new CrmId[100];

    static {
        for (int i = 0; i < OWNERS.length; i++) {
            OWNERS[i] = CrmId.of(id("005", i));
        }
    }

    private static String id(String prefix, long n) {
        String digits = Long.toString(n);
        return prefix + "000000000000".substring(digits.length()) + digits;
    }
}
