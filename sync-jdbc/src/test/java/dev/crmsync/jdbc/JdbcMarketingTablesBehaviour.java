package dev.crmsync.jdbc;

import static dev.crmsync.testkit.contract.ContractFixtures.fields;
import static dev.crmsync.testkit.contract.ContractFixtures.lead;
import static dev.crmsync.testkit.contract.ContractFixtures.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.store.ChangePage;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.FeedCursor;
import dev.crmsync.store.MarketingRecord;
import dev.crmsync.store.RecordKey;
import dev.crmsync.store.StoreField;
import dev.crmsync.store.StoreResult;
import dev.crmsync.store.SyncSide;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The per-type tables with typed columns, on each database: plain SQL reads, evolution, host SQL writes, bad host rows. */
abstract class JdbcMarketingTablesBehaviour {

    /** @return a data source on an empty database (or schema) */
    protected abstract DataSource emptyDatabase();

    protected final ManualClock clock = new ManualClock(Instant.parse("2024-03-01T09:00:00Z"));
    protected DataSource ds;
    protected JdbcStores stores;

    @BeforeEach
    void open() {
        ds = emptyDatabase();
        stores = TestDatabases.stores(ds).clock(clock).build();
    }

    protected String table(ObjectType type) {
        return stores.marketingStore().tableName(type);
    }

    protected Object one(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getObject(1);
        }
    }

    protected void exec(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute(sql);
        }
    }

    private SyncEngine engine(InMemoryCrm crm, ObjectType... types) {
        return SyncEngine.builder().crmSource(crm).marketingStore(stores.marketingStore())
                .syncStateStore(stores.syncStateStore()).clock(clock).engineId("tables").objectTypes(List.of(types)).build();
    }

    private SyncReport cycle(InMemoryCrm crm, ObjectType... types) {
        clock.advance(Duration.ofSeconds(10));
        try (SyncEngine e = engine(crm, types)) {
            return e.runCycle();
        }
    }

    @Test
    void afterASyncPlainSqlReadsTypedValues() throws Exception {
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(3).build();
        crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("Doe"), "Company", FieldValue.text("Acme"),
                "Email", FieldValue.text("doe@example.com"), "AnnualRevenue", FieldValue.number("1000")));
        SyncReport r = cycle(crm, ObjectType.LEAD);
        assertEquals(0, r.totals().failed(), r::toTable);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT email, annualrevenue FROM " + table(ObjectType.LEAD) + " WHERE lastname = ?")) {
            ps.setString(1, "Doe");
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("doe@example.com", rs.getString(1));
                BigDecimal revenue = rs.getBigDecimal(2);
                assertEquals(0, revenue.compareTo(new BigDecimal("1000")));
                assertEquals("1000", revenue.stripTrailingZeros().toPlainString());
                assertFalse(rs.getString(2).contains("E"), "a plain decimal, never exponent form");
            }
        }
    }

    @Test
    void inAMultiCurrencyOrgEachAmountIsStoredBesideItsCurrencyCode() throws Exception {
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(3).multiCurrency("EUR", "USD").build();
        crm.insert(ObjectType.OPPORTUNITY, Map.of("Name", FieldValue.text("Deal"), "Amount", FieldValue.number("1250.75"),
                "CurrencyIsoCode", FieldValue.text("USD")));
        SyncReport r = cycle(crm, ObjectType.OPPORTUNITY);
        assertEquals(0, r.totals().failed(), r::toTable);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT amount, currencyisocode FROM " + table(ObjectType.OPPORTUNITY) + " WHERE name = ?")) {
            ps.setString(1, "Deal");
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(0, rs.getBigDecimal(1).compareTo(new BigDecimal("1250.75")), "in its own currency");
                assertEquals("USD", rs.getString(2));
            }
        }
    }

    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of(new StoreField("F", StoreField.Kind.TEXT, 20, 0, 0), FieldValue.text("plain"), String.class),
                Arguments.of(new StoreField("F", StoreField.Kind.PICKLIST, 40, 0, 0), FieldValue.text("Open"), String.class),
                Arguments.of(new StoreField("F", StoreField.Kind.MULTIPICKLIST, 100, 0, 0), FieldValue.text("a;b"), String.class),
                Arguments.of(new StoreField("F", StoreField.Kind.EMAIL, 80, 0, 0), FieldValue.text("a@b.c"), String.class),
                Arguments.of(new StoreField("F", StoreField.Kind.PHONE, 40, 0, 0), FieldValue.text("+47 1"), String.class),
                Arguments.of(new StoreField("F", StoreField.Kind.URL, 255, 0, 0), FieldValue.text("https://x.y"), String.class),
                Arguments.of(new StoreField("F", StoreField.Kind.TEXTAREA, 0, 0, 0), FieldValue.text("long\ntext"), String.class),
                Arguments.of(StoreField.of("F", StoreField.Kind.TIME), FieldValue.text("10:00:00.000Z"), String.class),
                Arguments.of(new StoreField("F", StoreField.Kind.INTEGER, 0, 9, 0), FieldValue.number(-42), Integer.class),
                Arguments.of(new StoreField("F", StoreField.Kind.LONG, 0, 18, 0), FieldValue.number(9_000_000_000L), Long.class),
                Arguments.of(StoreField.of("F", StoreField.Kind.DOUBLE), FieldValue.number("0.5"), Double.class),
                Arguments.of(new StoreField("F", StoreField.Kind.DECIMAL, 0, 18, 4), FieldValue.number("12.3456"), BigDecimal.class),
                Arguments.of(new StoreField("F", StoreField.Kind.CURRENCY, 0, 18, 2), FieldValue.number("1000"), BigDecimal.class),
                Arguments.of(new StoreField("F", StoreField.Kind.PERCENT, 0, 5, 2), FieldValue.number("12.5"), BigDecimal.class),
                Arguments.of(StoreField.of("F", StoreField.Kind.BOOLEAN), FieldValue.bool(false), Boolean.class),
                Arguments.of(StoreField.of("F", StoreField.Kind.DATE), FieldValue.date(LocalDate.parse("2024-02-29")), LocalDate.class),
                Arguments.of(StoreField.of("F", StoreField.Kind.DATETIME), FieldValue.dateTime(Instant.parse("2024-03-01T10:15:30.123456Z")),
                        OffsetDateTime.class),
                Arguments.of(StoreField.of("F", StoreField.Kind.REFERENCE), FieldValue.ref("001000000000001AAA"), String.class));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void eachKindIsATypedColumnThatPlainSqlReadsAndTheStoreReadsBackExactly(StoreField field, FieldValue value,
                                                                           Class<?> javaType) throws Exception {
        ObjectType type = ObjectType.of("Kind__c");
        stores.marketingStore().prepareType(type, List.of(field));
        CrmId id = CrmId.of("a00000000000001");
        StoreResult res = stores.marketingStore().upsert(type, List.of(new SyncRecord(type, id, Map.of("F", value),
                Instant.parse("2024-03-01T09:00:00Z"), false))).get(0);
        assertInstanceOf(StoreResult.Created.class, res);
        assertEquals(value, stores.marketingStore().findByCrmIds(type, List.of(id)).get(id).get("F"));
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT f, _other FROM " + table(type))) {
            assertTrue(rs.next());
            Object got = javaType == OffsetDateTime.class ? rs.getObject(1, OffsetDateTime.class)
                    : javaType == LocalDate.class ? rs.getObject(1, LocalDate.class) : rs.getObject(1, javaType);
            assertInstanceOf(javaType, got);
            assertEquals(null, rs.getString(2), "nothing left in _other");
        }
    }

    @Test
    void aValueThatDoesNotFitItsColumnRejectsThatRecordNamingTheFieldAndTheRestAreWritten() {
        ObjectType type = ObjectType.LEAD;
        stores.marketingStore().prepareType(type, List.of(new StoreField("Rating", StoreField.Kind.DECIMAL, 0, 4, 2),
                new StoreField("Title", StoreField.Kind.TEXT, 5, 0, 0)));
        List<StoreResult> res = stores.marketingStore().upsert(type, List.of(
                rec(type, lead(1), "Rating", FieldValue.number("12.34")),
                rec(type, lead(2), "Rating", FieldValue.number("123.4")),
                rec(type, lead(3), "Title", "too long"),
                rec(type, lead(4), "Rating", FieldValue.number("1.234"))));
        assertInstanceOf(StoreResult.Created.class, res.get(0));
        for (int i = 1; i < 4; i++) {
            StoreResult.Rejected r = assertInstanceOf(StoreResult.Rejected.class, res.get(i));
            assertTrue(r.message().contains(i == 2 ? "Title" : "Rating"), r.message());
        }
    }

    @Test
    void textWithNulInATypedFieldIsKeptExactly() {
        stores.marketingStore().prepareType(ObjectType.LEAD, List.of(new StoreField("Title", StoreField.Kind.TEXT, 80, 0, 0)));
        stores.marketingStore().upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "Title", "a\u0000b")));
        assertEquals(FieldValue.text("a\u0000b"), stores.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(lead(1)))
                .get(lead(1)).get("Title"), "PostgreSQL text cannot hold U+0000: the value is kept in _other");
    }

    @Test
    void aNewFieldGetsAColumnAndTheValueKeptBeforeInOtherMovesIntoIt() throws Exception {
        stores.marketingStore().upsert(ObjectType.LEAD, List.of(rec(ObjectType.LEAD, lead(1), "Industry", "Energy")));
        assertEquals(FieldValue.text("Energy"), stores.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(lead(1)))
                .get(lead(1)).get("Industry"));
        stores.marketingStore().prepareType(ObjectType.LEAD, List.of(new StoreField("Industry", StoreField.Kind.PICKLIST, 40, 0, 0)));
        assertEquals("Energy", one("SELECT industry FROM " + table(ObjectType.LEAD)));
        assertEquals(null, one("SELECT _other FROM " + table(ObjectType.LEAD)));
        assertEquals(FieldValue.text("Energy"), stores.marketingStore().findByCrmIds(ObjectType.LEAD, List.of(lead(1)))
                .get(lead(1)).get("Industry"));
    }

    @Test
    void aHiddenFieldKeepsItsColumnAndValueAndANewCustomObjectGetsItsTable() throws Exception {
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(4).build();
        ObjectType widget = ObjectType.of("Widget__c");
        crm.defineType(widget, List.of(FieldSchema.of("Name", FieldType.STRING), FieldSchema.of("Size__c", FieldType.INT)));
        CrmId w = crm.insert(widget, Map.of("Name", FieldValue.text("w1"), "Size__c", FieldValue.number(3)));
        assertEquals(0, cycle(crm, widget).totals().failed());
        assertEquals(0, new BigDecimal(one("SELECT size__c FROM " + table(widget) + " WHERE name = 'w1'").toString())
                .compareTo(BigDecimal.valueOf(3)));
        crm.hideField(widget, "Size__c");
        crm.update(widget, w, Map.of("Name", FieldValue.text("w1b")));
        assertEquals(0, cycle(crm, widget).totals().failed());
        assertEquals(0, new BigDecimal(one("SELECT size__c FROM " + table(widget) + " WHERE name = 'w1b'").toString())
                .compareTo(BigDecimal.valueOf(3)), "the hidden field's column keeps its last value");
    }

    @Test
    void aTypeChangeToAnotherKindKeepsTheOldColumnAndItsValuesAndRejectsTheNewKindWithAReason() throws Exception {
        ObjectType type = ObjectType.LEAD;
        stores.marketingStore().prepareType(type, List.of(new StoreField("Score__c", StoreField.Kind.TEXT, 10, 0, 0)));
        stores.marketingStore().upsert(type, List.of(rec(type, lead(1), "Score__c", "high")));
        stores.marketingStore().prepareType(type, List.of(new StoreField("Score__c", StoreField.Kind.DECIMAL, 0, 5, 0)));
        assertEquals("high", one("SELECT score__c FROM " + table(type)));
        StoreResult.Rejected r = assertInstanceOf(StoreResult.Rejected.class, stores.marketingStore().upsert(type,
                List.of(rec(type, lead(1), "Score__c", FieldValue.number(5)))).get(0));
        assertEquals("WRONG_KIND", r.code());
        assertTrue(r.message().contains("Score__c"), r.message());
        // a wider text of the same kind widens the column
        stores.marketingStore().prepareType(type, List.of(new StoreField("Score__c", StoreField.Kind.TEXT, 50, 0, 0)));
        assertInstanceOf(StoreResult.Updated.class, stores.marketingStore().upsert(type,
                List.of(rec(type, lead(1), "Score__c", "x".repeat(40)))).get(0));
    }

    @Test
    void hostSqlInsertsAndUpdatesEnterTheFeedAndEngineWritesDoNot() throws Exception {
        ObjectType type = ObjectType.LEAD;
        stores.marketingStore().prepareType(type, List.of(new StoreField("LastName", StoreField.Kind.TEXT, 80, 0, 0)));
        stores.marketingStore().upsert(type, List.of(rec(type, lead(1), "LastName", "Ada")));
        FeedCursor cursor = stores.marketingStore().changesSince(type, FeedCursor.START, 100).nextCursor();
        String mid = stores.marketingStore().findByCrmIds(type, List.of(lead(1))).get(lead(1)).marketingId();
        exec("UPDATE " + table(type) + " SET lastname = 'Ada (edited in SQL)' WHERE _marketing_id = " + mid);
        exec("INSERT INTO " + table(type) + " (lastname) VALUES ('Inserted in SQL')");
        ChangePage page = stores.marketingStore().changesSince(type, cursor, 100);
        assertEquals(2, page.records().size(), page::toString);
        assertEquals(mid, page.records().get(0).marketingId());
        assertEquals(FieldValue.text("Ada (edited in SQL)"), page.records().get(0).get("LastName"));
        assertEquals(FieldValue.text("Inserted in SQL"), page.records().get(1).get("LastName"));

        stores.marketingStore().upsert(type, List.of(rec(type, lead(1), "LastName", "Ada 2")));
        stores.marketingStore().saveLocal(type, mid, fields("City", "Oslo"));
        ChangePage after = stores.marketingStore().changesSince(type, page.nextCursor(), 100);
        assertEquals(List.of(mid), after.records().stream().map(MarketingRecord::marketingId).toList(),
                "the engine's upsert did not enter the feed; saveLocal did, once");
        exec("UPDATE " + table(type) + " SET lastname = lastname WHERE _marketing_id = " + mid);
        assertTrue(stores.marketingStore().changesSince(type, after.nextCursor(), 10).records().isEmpty(),
                "an update that changes nothing is no change");
    }

    @Test
    void aBadHostRowRejectsThatRecordNamingItsKeyAndColumnAndTheRestSync() throws Exception {
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(6).build();
        CrmId a = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("A"), "Company", FieldValue.text("Acme")));
        CrmId b = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("B"), "Company", FieldValue.text("Acme")));
        assertEquals(0, cycle(crm, ObjectType.LEAD).totals().failed());
        exec("UPDATE " + table(ObjectType.LEAD) + " SET _other = 'not json' WHERE _crm_id = '" + a.value() + "'");
        exec("UPDATE " + table(ObjectType.LEAD) + " SET title = 'CTO' WHERE _crm_id = '" + b.value() + "'");
        SyncReport r = cycle(crm, ObjectType.LEAD);
        assertEquals(1, r.totals().failed(), r::toTable);
        FailedRecord f = stores.syncStateStore().failure(ObjectType.LEAD, RecordKey.crm(a), SyncSide.MARKETING).orElseThrow();
        assertEquals("UNREADABLE_IN_STORE", f.code());
        assertTrue(f.message().contains(a.value()) && f.message().contains("_other"), f::message);
        assertEquals(FieldValue.text("CTO"), crm.get(ObjectType.LEAD, b).orElseThrow().get("Title"), "the rest reached the CRM");
    }

    @Test
    void aHostSqlDeleteReachesTheCrmAndAnEngineDeleteLeavesNoTombstone() throws Exception {
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(8).build();
        CrmId a = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("A"), "Company", FieldValue.text("Acme")));
        CrmId b = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("B"), "Company", FieldValue.text("Acme")));
        CrmId c = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("C"), "Company", FieldValue.text("Acme")));
        assertEquals(0, cycle(crm, ObjectType.LEAD).totals().failed());
        cycle(crm, ObjectType.LEAD);
        exec("DELETE FROM " + table(ObjectType.LEAD) + " WHERE _crm_id = '" + a.value() + "'");
        exec("INSERT INTO " + table(ObjectType.LEAD) + " (lastname) VALUES ('Only here')");
        exec("DELETE FROM " + table(ObjectType.LEAD) + " WHERE lastname = 'Only here'");
        SyncReport r = cycle(crm, ObjectType.LEAD);
        assertEquals(0, r.totals().failed(), r::toTable);
        assertTrue(crm.get(ObjectType.LEAD, a).orElseThrow().deleted(), "the host's SQL DELETE reached the CRM");
        assertFalse(crm.get(ObjectType.LEAD, b).orElseThrow().deleted());
        assertEquals(2, crm.count(ObjectType.LEAD), "the marketing-only row never reached the CRM");
        assertEquals(2L, ((Number) one("SELECT COUNT(*) FROM " + table(ObjectType.LEAD))).longValue());
        // the engine's own delete (the loser of a CRM merge) is no host deletion: nothing more is deleted
        FeedCursor before = stores.marketingStore().changesSince(ObjectType.LEAD, FeedCursor.START, 1_000).nextCursor();
        stores.marketingStore().merge(ObjectType.LEAD, b, List.of(c), Map.of());
        ChangePage page = stores.marketingStore().changesSince(ObjectType.LEAD, before, 100);
        assertEquals(List.of(), page.deletions(), page::toString);
        assertFalse(crm.get(ObjectType.LEAD, c).orElseThrow().deleted());
    }
}
