package dev.crmsync.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.IdCursor;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.PendingWrites;
import dev.crmsync.store.StoreField;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.SyncBase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The first copy's {@code COPY … FROM STDIN} on real PostgreSQL: random values of every column
 * type (text with the format's delimiters, escapes and markers, unicode, empty text, NULLs,
 * numerics, doubles, booleans, dates, timestamps with time zone, references, multi-select) are
 * read back exactly, through the lead table and through the merge bases; a taken CRM id or base
 * key falls back to the conditional insert and is never duplicated. Skipped without
 * {@code CRMSYNC_PG_URL} (fails in CI, as the other PostgreSQL tests).
 */
class PostgresCopyTest {

    @RegisterExtension
    static final TestDatabases.PostgresSchema PG = new TestDatabases.PostgresSchema();

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final int BATCH = 60;

    private static final List<StoreField> FIELDS = List.of(
            new StoreField("LastName", StoreField.Kind.TEXT, 80, 0, 0),
            new StoreField("Description", StoreField.Kind.TEXTAREA, 32_000, 0, 0),
            new StoreField("Interests__c", StoreField.Kind.MULTIPICKLIST, 4_099, 0, 0),
            new StoreField("AnnualRevenue", StoreField.Kind.CURRENCY, 0, 18, 2),
            new StoreField("Rate__c", StoreField.Kind.PERCENT, 0, 5, 3),
            new StoreField("NumberOfEmployees", StoreField.Kind.INTEGER, 0, 0, 0),
            new StoreField("Big__c", StoreField.Kind.LONG, 0, 0, 0),
            new StoreField("Score__c", StoreField.Kind.DOUBLE, 0, 0, 0),
            new StoreField("DoNotCall", StoreField.Kind.BOOLEAN, 0, 0, 0),
            new StoreField("LastActivityDate", StoreField.Kind.DATE, 0, 0, 0),
            new StoreField("Last_Touch__c", StoreField.Kind.DATETIME, 0, 0, 0),
            new StoreField("OwnerId", StoreField.Kind.REFERENCE, 18, 0, 0));

    /** Pieces random text is made of: COPY's delimiters, escapes and markers, quotes, unicode. */
    private static final String[] PIECES = {"a", "Z", " ", "\t", "\n", "\r", "\r\n", "\\", "\\N", "\\.", "\\t", "\"", "'",
        ",", ";", "|", "é", "ß", "日本", "\uD83D\uDE00", "\u00A0", "\u2028", "\u007F", "{", "}", "[", "]", "NULL", "0"};

    private JdbcStores stores;
    private DataSource ds;

    @BeforeEach
    void setUp() {
        ds = PG.empty();
        stores = TestDatabases.stores(ds).build();
    }

    private static String text(Random rnd, int maxPieces) {
        StringBuilder sb = new StringBuilder();
        int n = rnd.nextInt(maxPieces + 1);     // 0: the empty text, which is not NULL
        for (int i = 0; i < n; i++) {
            sb.append(PIECES[rnd.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    private static FieldValue maybe(Random rnd, FieldValue v) {
        return rnd.nextInt(6) == 0 ? FieldValue.NULL : v;
    }

    private static Map<String, FieldValue> fields(Random rnd) {
        Map<String, FieldValue> f = new LinkedHashMap<>();
        f.put("LastName", maybe(rnd, FieldValue.text(text(rnd, 10))));
        f.put("Description", maybe(rnd, FieldValue.text(text(rnd, 200))));
        f.put("Interests__c", maybe(rnd, FieldValue.text(String.join(";", text(rnd, 2), "B", text(rnd, 2)))));
        f.put("AnnualRevenue", maybe(rnd, FieldValue.number(BigDecimal.valueOf(rnd.nextLong() % 1_000_000_000_000_000L, 2))));
        f.put("Rate__c", maybe(rnd, FieldValue.number(BigDecimal.valueOf(rnd.nextInt(199_999) - 99_999, 3))));
        f.put("NumberOfEmployees", maybe(rnd, FieldValue.number(rnd.nextInt(5) == 0
                ? (rnd.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE) : rnd.nextInt())));
        f.put("Big__c", maybe(rnd, FieldValue.number(rnd.nextInt(5) == 0
                ? (rnd.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE) : rnd.nextLong())));
        // doubles held exactly: a binary fraction, sometimes large
        f.put("Score__c", maybe(rnd, FieldValue.number(BigDecimal.valueOf(rnd.nextInt() / 1024.0 * (rnd.nextBoolean() ? 1 : 1L << 40)))));
        f.put("DoNotCall", maybe(rnd, FieldValue.bool(rnd.nextBoolean())));
        f.put("LastActivityDate", maybe(rnd, FieldValue.date(LocalDate.of(1700, 1, 1).plusDays(rnd.nextInt(200_000)))));
        f.put("Last_Touch__c", maybe(rnd, FieldValue.dateTime(Instant.ofEpochSecond(-2_000_000_000L + (rnd.nextLong() & 0xFFFFFFFFFL) % 6_000_000_000L,
                rnd.nextInt(1_000_000) * 1_000L))));
        f.put("OwnerId", maybe(rnd, FieldValue.ref(CrmId.of(String.format("005%012d", rnd.nextInt(1_000_000))))));
        f.put("Untyped__c", maybe(rnd, FieldValue.text(text(rnd, 8))));     // no column: kept in _other
        return f;
    }

    private static CrmId lead(int i) {
        return CrmId.of(String.format("00Q%012d", i));
    }

    @Test
    void randomRowsOfEveryColumnTypeAreReadBackExactlyAfterACopy() {
        JdbcMarketingStore store = stores.marketingStore();
        store.prepareType(ObjectType.LEAD, FIELDS);
        Random rnd = new Random(20261203L);
        List<SyncRecord> all = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            List<SyncRecord> batch = new ArrayList<>();
            for (int k = 0; k < BATCH; k++) {
                int i = b * BATCH + k;
                batch.add(new SyncRecord(ObjectType.LEAD, lead(i), fields(rnd), T0.plusSeconds(i).plusNanos(rnd.nextInt(1_000_000) * 1_000L),
                        rnd.nextInt(10) == 0));
            }
            long before = store.copiedRows();
            List<StoreResult> res = stores.syncStateStore().inTransaction(() -> store.upsert(ObjectType.LEAD, batch));
            res.forEach(r -> assertInstanceOf(StoreResult.Created.class, r, r::toString));
            // the first batch takes the lookup path and sets the hint; every later one is copied
            assertEquals(b == 0 ? 0 : BATCH, store.copiedRows() - before, "rows copied by batch " + b);
            all.addAll(batch);
        }
        Map<CrmId, MarketingRecord> held = store.findByCrmIds(ObjectType.LEAD, all.stream().map(SyncRecord::id).toList());
        assertEquals(all.size(), held.size());
        for (SyncRecord r : all) {
            MarketingRecord m = held.get(r.id());
            for (Map.Entry<String, FieldValue> e : r.fields().entrySet()) {
                assertEquals(e.getValue(), m.get(e.getKey()), r.id() + " " + e.getKey());
            }
            assertEquals(r.deleted(), m.crmDeleted(), r.id() + " deleted flag");
            assertEquals(r.modstamp(), m.crmModstamp(), r.id() + " CRM stamp");
        }
    }

    @Test
    void aCopyThatMeetsATakenCrmIdFallsBackAndDuplicatesNothing() throws Exception {
        JdbcMarketingStore store = stores.marketingStore();
        store.prepareType(ObjectType.LEAD, FIELDS);
        Random rnd = new Random(7);
        List<SyncRecord> first = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            first.add(new SyncRecord(ObjectType.LEAD, lead(i), fields(rnd), T0, false));
        }
        stores.syncStateStore().inTransaction(() -> store.upsert(ObjectType.LEAD, first));
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO \"lead\" (_crm_id, lastname) VALUES (?, 'host')")) {
            ps.setString(1, lead(BATCH + 5).value());     // a host row holding a CRM id the next batch brings
            ps.executeUpdate();
        }
        List<SyncRecord> second = new ArrayList<>();
        for (int i = BATCH; i < 2 * BATCH; i++) {
            second.add(new SyncRecord(ObjectType.LEAD, lead(i), fields(rnd), T0, false));
        }
        List<StoreResult> res = stores.syncStateStore().inTransaction(() -> store.upsert(ObjectType.LEAD, second));
        assertEquals(0, store.copiedRows(), "the COPY met the taken id and was undone");
        for (int k = 0; k < second.size(); k++) {
            Class<? extends StoreResult> want = k == 5 ? StoreResult.Updated.class : StoreResult.Created.class;
            assertInstanceOf(want, res.get(k), "record " + k);
        }
        assertEquals(2 * BATCH, store.crmIds(ObjectType.LEAD, IdCursor.START, 1_000).size(), "no CRM id is held twice");
        MarketingRecord hosts = store.findByCrmIds(ObjectType.LEAD, List.of(lead(BATCH + 5))).get(lead(BATCH + 5));
        assertEquals(second.get(5).fields().get("LastName"), hosts.get("LastName"), "the host's row is updated");
    }

    private static SyncBase base(Random rnd, int i, boolean pending) {
        Map<String, FieldValue> f = fields(rnd);
        f.values().removeIf(FieldValue::isNull);
        PendingWrites p = pending ? new PendingWrites(Map.of("LastName", FieldValue.text(text(rnd, 6))),
                Map.of("Description", FieldValue.text(text(rnd, 6)))) : PendingWrites.NONE;
        return new SyncBase(ObjectType.LEAD, lead(i), rnd.nextInt(8) == 0 ? null : Long.toString(1_000 + i), f, p,
                T0.plusSeconds(i), T0.plusSeconds(2 * i));
    }

    @Test
    void randomBasesAreReadBackExactlyAfterACopyAndATakenKeyFallsBackToTheUpsert() {
        JdbcSyncStateStore state = stores.syncStateStore();
        Random rnd = new Random(11);
        List<SyncBase> all = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            List<SyncBase> chunk = new ArrayList<>();
            for (int k = 0; k < BATCH; k++) {
                chunk.add(base(rnd, b * BATCH + k, rnd.nextInt(4) == 0));
            }
            long before = state.copiedBases();
            state.inTransaction(() -> {
                state.saveBases(chunk);
                return null;
            });
            assertEquals(b == 0 ? 0 : BATCH, state.copiedBases() - before, "bases copied by chunk " + b);
            all.addAll(chunk);
        }
        // a chunk holding one base already saved: the COPY is undone, the upsert replaces that base
        List<SyncBase> again = new ArrayList<>();
        for (int k = 0; k < BATCH; k++) {
            again.add(base(rnd, k == 0 ? 3 : 4 * BATCH + k, false));
        }
        long before = state.copiedBases();
        state.inTransaction(() -> {
            state.saveBases(again);
            return null;
        });
        assertEquals(0, state.copiedBases() - before, "the COPY met a saved key and was undone");
        all.set(3, again.get(0));
        all.addAll(again.subList(1, again.size()));
        Map<CrmId, SyncBase> read = state.bases(ObjectType.LEAD, all.stream().map(SyncBase::crmId).toList());
        assertEquals(all.size(), read.size());
        for (SyncBase b : all) {
            assertEquals(b, read.get(b.crmId()), b.crmId().value());
        }
        assertTrue(read.values().stream().anyMatch(b -> b.marketingId() == null), "a base without a marketing id is kept so");
    }
}
