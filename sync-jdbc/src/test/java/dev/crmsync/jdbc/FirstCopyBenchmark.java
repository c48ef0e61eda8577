package dev.crmsync.jdbc;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.StoreField;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Not a test: the first copy of N leads (the 30 fields of {@link StoreBenchmark#lead}) through the
 * engine ({@link SyncEngine#runCycle} over an {@link InMemoryCrm}, pages of 2,000, store batches of
 * 500, the JDBC stores for data and state) against a raw load of the same rows into an equivalent
 * table (the lead table the store creates for the engine's fields, in a schema or database of its
 * own, with its trigger: the rows carry {@code _engine_write}, as the engine's do), a page of 2,000
 * rows per transaction: on PostgreSQL {@code COPY … FROM STDIN} (PgJDBC's {@link CopyManager}); on
 * MariaDB a multi-row {@code INSERT} of 500 rows per statement, and {@code LOAD DATA LOCAL INFILE}
 * from a stream, the faster of the two being the baseline. Each round runs both sides, alternating
 * which goes first, each into a fresh schema; prints every run, the medians and the ratio, and the
 * engine's live heap after a full GC before and after its copy.
 */
final class FirstCopyBenchmark {

    static final int PAGE = 2_000;
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private final int n;
    private final int rounds;
    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryCrm crm;
    private final List<CrmId> ids;

    private FirstCopyBenchmark(int n, int rounds) {
        this.n = n;
        this.rounds = rounds;
        this.crm = InMemoryCrm.builder().clock(clock).seed(7).sleeper(d -> { }).build();
        List<FieldSchema> schema = new ArrayList<>(crm.describe(ObjectType.LEAD).orElseThrow().fields());
        schema.add(custom("Score__c", FieldType.DOUBLE, 0));
        schema.add(custom("Region__c", FieldType.STRING, 40));
        schema.add(custom("Segment__c", FieldType.STRING, 40));
        schema.add(custom("Last_Touch__c", FieldType.DATETIME, 0));
        crm.defineType(ObjectType.LEAD, schema);
        List<CrmId> owners = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            owners.add(crm.insert(ObjectType.USER, Map.of("LastName", FieldValue.text("Owner " + i))));
        }
        ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(crm.insert(ObjectType.LEAD, fields(i, owners)));
            if (i % 50 == 49) {
                clock.advance(Duration.ofSeconds(1));
            }
        }
        clock.advance(Duration.ofDays(1));
        this.owners = owners;
    }

    private final List<CrmId> owners;

    private static FieldSchema custom(String name, FieldType type, int length) {
        return FieldSchema.builder(name, type).length(length).build();
    }

    /** The benchmark lead's fields, with owners that exist in the CRM. */
    static Map<String, FieldValue> fields(int i, List<CrmId> owners) {
        Map<String, FieldValue> f = new HashMap<>(StoreBenchmark.lead(i, T0).fields());
        f.put("OwnerId", FieldValue.ref(owners.get(i % owners.size())));
        return f;
    }

    /** A side of the comparison: loads the n leads into a fresh schema, @return seconds taken */
    private interface Side {
        double run() throws Exception;
    }

    /** One server's comparison. */
    private abstract class Server {
        /** @return a fresh, empty schema (or database) and a closer that drops it */
        abstract Fresh fresh() throws Exception;

        /** the baselines, by name */
        abstract Map<String, Side> baselines(List<StoreField> fields);

        abstract String name();
    }

    /** A fresh schema: its data source, and how to drop it. */
    private record Fresh(DataSource ds, AutoCloseable drop) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            drop.close();
        }
    }

    private long[] heap = new long[2];

    /** The engine's first copy into a fresh schema; @return seconds */
    private double engine(Server server, List<StoreField>[] fieldsOut) throws Exception {
        try (Fresh f = server.fresh(); ReusedConnectionDataSource pool = new ReusedConnectionDataSource(f.ds())) {
            JdbcStores s = TestDatabases.stores(pool).build();
            try (SyncEngine e = SyncEngine.builder().crmSource(crm).marketingStore(s.marketingStore())
                    .syncStateStore(s.syncStateStore()).objectTypes(List.of(ObjectType.LEAD)).clock(clock)
                    .engineId("bench").pageSize(PAGE).storeBatchSize(500).build()) {
                heap[0] = liveHeap();
                long t0 = System.nanoTime();
                SyncReport r = e.runCycle();
                double secs = (System.nanoTime() - t0) / 1e9;
                heap[1] = liveHeap();
                if (!r.isComplete() || r.totals().created() != n) {
                    throw new IllegalStateException("engine copy incomplete: " + r.totals());
                }
                if (fieldsOut[0] == null) {
                    fieldsOut[0] = columns(pool);
                }
                return secs;
            }
        }
    }

    /** The lead table's fields as the engine described them to the store (from the store's column catalog). */
    private static List<StoreField> columns(DataSource ds) throws SQLException {
        List<StoreField> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT field_name, kind, length, num_precision, num_scale FROM crmsync_column"
                     + " WHERE table_name = 'lead' ORDER BY column_name")) {
            while (rs.next()) {
                out.add(new StoreField(rs.getString(1), StoreField.Kind.valueOf(rs.getString(2)), rs.getInt(3),
                        rs.getInt(4), rs.getInt(5)));
            }
        }
        return out;
    }

    private static long liveHeap() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Runs the rounds and prints the result. */
    private void compare(Server server) throws Exception {
        System.out.printf(Locale.ROOT, "%n%s: first copy of %,d leads, engine vs raw load, %d rounds, load average %s%n",
                server.name(), n, rounds, loadAverage());
        @SuppressWarnings("unchecked")
        List<StoreField>[] fields = new List[1];
        List<Double> engine = new ArrayList<>();
        Map<String, List<Double>> base = new java.util.LinkedHashMap<>();
        List<long[]> heaps = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            boolean engineFirst = r % 2 == 0;   // round 0: the engine first, which gives the baseline its fields
            for (int side = 0; side < 2; side++) {
                if ((side == 0) == engineFirst) {
                    double s = engine(server, fields);
                    engine.add(s);
                    heaps.add(heap.clone());
                    System.out.printf(Locale.ROOT, "  round %d engine        %7.1f s = %,8.0f records/s, live heap %5.1f MB before, %5.1f MB after%n",
                            r + 1, s, n / s, heap[0] / 1048576.0, heap[1] / 1048576.0);
                } else {
                    for (Map.Entry<String, Side> b : server.baselines(fields[0]).entrySet()) {
                        double s = b.getValue().run();
                        base.computeIfAbsent(b.getKey(), k -> new ArrayList<>()).add(s);
                        System.out.printf(Locale.ROOT, "  round %d %-13s %7.1f s = %,8.0f records/s%n", r + 1, b.getKey(), s, n / s);
                    }
                }
            }
        }
        double e = median(engine);
        String best = null;
        double bestSecs = Double.MAX_VALUE;
        for (Map.Entry<String, List<Double>> b : base.entrySet()) {
            double m = median(b.getValue());
            System.out.printf(Locale.ROOT, "  median %-13s %,8.0f records/s%n", b.getKey(), n / m);
            if (m < bestSecs) {
                bestSecs = m;
                best = b.getKey();
            }
        }
        long grow = heaps.stream().mapToLong(h -> h[1] - h[0]).max().orElse(0);
        System.out.printf(Locale.ROOT, "  median engine        %,8.0f records/s = %.2f× %s (%,.0f records/s); engine live heap grew at most %.1f MB%n",
                n / e, bestSecs / e, best, n / bestSecs, grow / 1048576.0);
        System.out.printf(Locale.ROOT, "  load average after: %s%n", loadAverage());
    }

    private static String loadAverage() {
        try {
            String[] parts = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (java.io.IOException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    // ---- the rows as the store writes them ---------------------------------------------------

    /** The value of a lead's field for its column, as text (the store's own encoding), or null. */
    private static String text(StoreField.Kind kind, FieldValue v) {
        if (v.isNull()) {
            return null;
        } else if (v instanceof FieldValue.Text x) {
            return x.value();
        } else if (v instanceof FieldValue.Ref x) {
            return x.id().value();
        } else if (v instanceof FieldValue.Number x) {
            return kind == StoreField.Kind.DOUBLE ? Double.toString(x.value().doubleValue()) : x.value().toPlainString();
        } else if (v instanceof FieldValue.Bool x) {
            return x.value() ? "1" : "0";
        } else if (v instanceof FieldValue.Date x) {
            return x.value().toString();
        } else if (v instanceof FieldValue.DateTime x) {
            return x.value().toString();
        }
        throw new IllegalArgumentException(v.getClass().getSimpleName());
    }

    private String columnList(List<StoreField> fields, DataSource ds, String q) throws SQLException {
        Map<String, String> names = new HashMap<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT field_name, column_name FROM crmsync_column WHERE table_name = 'lead'")) {
            while (rs.next()) {
                names.put(rs.getString(1), rs.getString(2));
            }
        }
        StringBuilder sb = new StringBuilder("_crm_id, _crm_deleted, _crm_modstamp, _local_modstamp, _engine_write");
        for (StoreField f : fields) {
            sb.append(", ").append(q).append(names.get(f.name())).append(q);
        }
        return sb.toString();
    }

    /** Appends page rows [from, to) as tab-separated text ({@code \N} null), the store's values. */
    private void page(ByteArrayOutputStream out, List<StoreField> fields, int from, int to, boolean mysqlDates) {
        StringBuilder sb = new StringBuilder(512);
        String now = mysqlDates ? "2025-01-02 00:00:00" : "2025-01-02T00:00:00Z";
        for (int i = from; i < to; i++) {
            Map<String, FieldValue> f = fields(i, owners);
            sb.setLength(0);
            sb.append(ids.get(i).value()).append("\t0\t").append(stamp(T0.plusSeconds(i / 50), mysqlDates)).append('\t')
                    .append(now).append("\t1");
            for (StoreField sf : fields) {
                FieldValue v = f.getOrDefault(sf.name(), FieldValue.NULL);
                String t = text(sf.kind(), v);
                if (t != null && mysqlDates && v instanceof FieldValue.DateTime d) {
                    t = stamp(d.value(), true);
                }
                sb.append('\t');
                if (t == null) {
                    sb.append("\\N");
                } else {
                    escape(sb, t);
                }
            }
            sb.append('\n');
            out.writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String stamp(Instant t, boolean mysql) {
        return mysql ? java.time.LocalDateTime.ofInstant(t, java.time.ZoneOffset.UTC).toString().replace('T', ' ') : t.toString();
    }

    private static void escape(StringBuilder sb, String t) {
        for (int k = 0; k < t.length(); k++) {
            char ch = t.charAt(k);
            switch (ch) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(ch);
            }
        }
    }

    // ---- PostgreSQL ------------------------------------------------------------------------

    private final class Postgres extends Server {
        @Override
        String name() {
            return "PostgreSQL (localhost)";
        }

        @Override
        Fresh fresh() {
            TestDatabases.PgSchema schema = TestDatabases.PgSchema.create();
            return new Fresh(schema.unpooledDataSource(), schema);
        }

        @Override
        Map<String, Side> baselines(List<StoreField> fields) {
            return Map.of("COPY", () -> {
                try (Fresh f = fresh(); ReusedConnectionDataSource pool = new ReusedConnectionDataSource(f.ds())) {
                    JdbcStores s = TestDatabases.stores(pool).build();
                    s.marketingStore().prepareType(ObjectType.LEAD, fields);
                    String sql = "COPY \"lead\" (" + columnList(fields, pool, "\"") + ") FROM STDIN";
                    long t0 = System.nanoTime();
                    try (Connection c = pool.getConnection()) {
                        c.setAutoCommit(false);
                        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                        ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 20);
                        for (int from = 0; from < n; from += PAGE) {
                            buf.reset();
                            page(buf, fields, from, Math.min(n, from + PAGE), false);
                            copy.copyIn(sql, new ByteArrayInputStream(buf.toByteArray()));
                            c.commit();
                        }
                        c.setAutoCommit(true);
                    }
                    double secs = (System.nanoTime() - t0) / 1e9;
                    check(pool, "SELECT count(*) FROM lead");
                    return secs;
                }
            });
        }
    }

    private void check(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            if (rs.getLong(1) != n) {
                throw new IllegalStateException("baseline loaded " + rs.getLong(1) + " rows of " + n);
            }
        }
    }

    // ---- MariaDB ---------------------------------------------------------------------------

    private final class MariaDb extends Server {
        @Override
        String name() {
            return "MariaDB (localhost)";
        }

        @Override
        Fresh fresh() {
            TestDatabases.MariaDb db = TestDatabases.MariaDb.create();
            return new Fresh(db.unpooledDataSource(), db);
        }

        @Override
        Map<String, Side> baselines(List<StoreField> fields) {
            Map<String, Side> out = new java.util.LinkedHashMap<>();
            out.put("INSERT x500", () -> load(fields, false));
            out.put("LOAD DATA", () -> load(fields, true));
            return out;
        }

        private double load(List<StoreField> fields, boolean infile) throws Exception {
            try (Fresh f = fresh(); ReusedConnectionDataSource pool = new ReusedConnectionDataSource(f.ds())) {
                JdbcStores s = TestDatabases.stores(pool).build();
                s.marketingStore().prepareType(ObjectType.LEAD, fields);
                String cols = columnList(fields, pool, "`");
                int width = 5 + fields.size();
                long t0 = System.nanoTime();
                try (Connection c = pool.getConnection()) {
                    c.setAutoCommit(false);
                    ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 20);
                    if (infile) {
                        try (Statement st = c.createStatement()) {
                            org.mariadb.jdbc.Statement ms = st.unwrap(org.mariadb.jdbc.Statement.class);
                            for (int from = 0; from < n; from += PAGE) {
                                buf.reset();
                                page(buf, fields, from, Math.min(n, from + PAGE), true);
                                ms.setLocalInfileInputStream(new ByteArrayInputStream(buf.toByteArray()));
                                st.execute("LOAD DATA LOCAL INFILE 'page' INTO TABLE `lead` CHARACTER SET utf8mb4"
                                        + " FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" + cols + ")");
                                c.commit();
                            }
                        }
                    } else {
                        StringBuilder sql = new StringBuilder("INSERT INTO `lead` (" + cols + ") VALUES ");
                        String tuple = "(" + "?,".repeat(width - 1) + "?)";
                        for (int k = 0; k < 500; k++) {
                            sql.append(k == 0 ? "" : ", ").append(tuple);
                        }
                        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                            for (int from = 0; from < n; from += PAGE) {
                                for (int b = from; b < Math.min(n, from + PAGE); b += 500) {
                                    int end = Math.min(n, b + 500);
                                    PreparedStatement use = end - b == 500 ? ps : c.prepareStatement(
                                            "INSERT INTO `lead` (" + cols + ") VALUES " + (tuple + ", ").repeat(end - b - 1) + tuple);
                                    int p = 1;
                                    for (int i = b; i < end; i++) {
                                        Map<String, FieldValue> fv = fields(i, owners);
                                        use.setString(p++, ids.get(i).value());
                                        use.setBoolean(p++, false);
                                        use.setObject(p++, java.time.LocalDateTime.ofInstant(T0.plusSeconds(i / 50), java.time.ZoneOffset.UTC));
                                        use.setObject(p++, java.time.LocalDateTime.of(2025, 1, 2, 0, 0));
                                        use.setBoolean(p++, true);
                                        for (StoreField sf : fields) {
                                            FieldValue v = fv.getOrDefault(sf.name(), FieldValue.NULL);
                                            bind(use, p++, sf.kind(), v);
                                        }
                                    }
                                    use.executeUpdate();
                                    if (use != ps) {
                                        use.close();
                                    }
                                }
                                c.commit();
                            }
                        }
                    }
                    c.setAutoCommit(true);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                check(pool, "SELECT count(*) FROM `lead`");
                return secs;
            }
        }
    }

    private static void bind(PreparedStatement ps, int p, StoreField.Kind kind, FieldValue v) throws SQLException {
        if (v.isNull()) {
            ps.setNull(p, kind == StoreField.Kind.DATETIME ? java.sql.Types.TIMESTAMP : java.sql.Types.VARCHAR);
        } else if (v instanceof FieldValue.Number x) {
            if (kind == StoreField.Kind.DOUBLE) {
                ps.setDouble(p, x.value().doubleValue());
            } else {
                ps.setBigDecimal(p, x.value());
            }
        } else if (v instanceof FieldValue.Bool x) {
            ps.setBoolean(p, x.value());
        } else if (v instanceof FieldValue.Date x) {
            ps.setObject(p, x.value());
        } else if (v instanceof FieldValue.DateTime x) {
            ps.setObject(p, java.time.LocalDateTime.ofInstant(x.value(), java.time.ZoneOffset.UTC));
        } else {
            ps.setString(p, text(kind, v));
        }
    }

    /**
     * Runs the comparisons.
     *
     * @param n leads
     * @param rounds rounds of each side
     * @param targets {@code pg-engine}, {@code mariadb-engine}
     * @throws Exception on failure
     */
    static void run(int n, int rounds, List<String> targets) throws Exception {
        FirstCopyBenchmark b = new FirstCopyBenchmark(n, rounds);
        for (String t : targets) {
            if (t.equals("pg-engine")) {
                if (!TestDatabases.postgresConfigured()) {
                    System.out.println("PostgreSQL: skipped, set " + TestDatabases.PG_URL_VARIABLE);
                    continue;
                }
                b.compare(b.new Postgres());
            } else if (t.equals("mariadb-engine")) {
                if (!TestDatabases.mariaDbConfigured()) {
                    System.out.println("MariaDB: skipped, set " + TestDatabases.MARIADB_URL_VARIABLE);
                    continue;
                }
                b.compare(b.new MariaDb());
            }
        }
    }
}
