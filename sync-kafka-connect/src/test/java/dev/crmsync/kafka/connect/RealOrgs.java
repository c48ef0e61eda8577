package dev.crmsync.kafka.connect;

import dev.crmsync.crm.CrmSource;
import dev.crmsync.jdbc.JdbcStores;
import dev.crmsync.model.ObjectType;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.salesforce.SalesforceCredentials;
import dev.crmsync.store.MarketingStore;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Real sources and stores for the cluster tests: a {@link SalesforceCrmSource} over loopback HTTP to a fake
 * Salesforce server ({@code org.<id>.instance.url}, {@code org.<id>.access.token}), and the JDBC stores on H2 or,
 * when {@value #PG_URL_VARIABLE} names a server, on PostgreSQL in a schema of the test's own
 * ({@code org.<id>.database} = {@code h2} or {@code postgresql}). Connect creates the factories by class name, so
 * the stores an org's tasks opened are kept here for the test to read.
 */
final class RealOrgs {

    /** The environment variable naming a PostgreSQL server (CI sets it). */
    static final String PG_URL_VARIABLE = "CRMSYNC_PG_URL";
    /** The PostgreSQL schema the tests use; dropped before they start and after. */
    static final String PG_SCHEMA = "crmsync_kafka_connect_it";
    /** The types the stores hold. */
    static final List<ObjectType> TYPES = List.of(ObjectType.ACCOUNT, ObjectType.OPPORTUNITY);

    static final Map<String, JdbcStores> STORES = new ConcurrentHashMap<>();
    /** The data source of each org's stores. */
    static final Map<String, DataSource> DATA_SOURCES = new ConcurrentHashMap<>();
    private static final AtomicInteger H2 = new AtomicInteger();

    private RealOrgs() {
    }

    /** @return the PostgreSQL URL, or null when none is configured */
    static String postgresUrl() {
        String url = System.getenv(PG_URL_VARIABLE);
        return url == null || url.isBlank() ? null : url;
    }

    /** Drops the tests' PostgreSQL schema and creates it afresh (nothing when none is configured). */
    static void resetPostgresSchema(boolean create) {
        String url = postgresUrl();
        if (url == null) {
            return;
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + PG_SCHEMA + " CASCADE");
            if (create) {
                st.execute("CREATE SCHEMA " + PG_SCHEMA);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reset the test schema " + PG_SCHEMA, e);
        }
    }

    /** @param database h2 or postgresql @return a data source and the schema of the marketing tables */
    static Map.Entry<DataSource, String> dataSource(String database) {
        if (database.equals("postgresql")) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(postgresUrl());
            ds.setCurrentSchema(PG_SCHEMA);
            return Map.entry(ds, PG_SCHEMA);
        }
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:kafka_connect_" + H2.incrementAndGet() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
        return Map.entry(ds, JdbcStores.DEFAULT_SCHEMA);
    }

    /** A Salesforce source over loopback HTTP to the org's fake server. */
    public static final class CrmFactory implements CrmSourceFactory {
        @Override
        public CrmSource open(String orgId, Map<String, String> settings) {
            String url = settings.get("instance.url");
            String token = settings.get("access.token");
            if (url == null || token == null) {
                throw new IllegalArgumentException("org " + orgId + ": instance.url and access.token are required");
            }
            return SalesforceCrmSource.builder()
                    .credentials(SalesforceCredentials.accessToken(token, URI.create(url)))
                    .allowHttpForLoopback(true)
                    .build();
        }
    }

    /** The JDBC stores of the org (built on first use, kept for the test). */
    public static final class StoreFactory implements MarketingStoreFactory {
        @Override
        public MarketingStore open(String orgId, Map<String, String> settings) {
            String database = settings.getOrDefault("database", "h2");
            return STORES.computeIfAbsent(orgId, o -> {
                Map.Entry<DataSource, String> ds = dataSource(database);
                DATA_SOURCES.put(o, ds.getKey());
                return JdbcStores.builder(ds.getKey()).schema(ds.getValue()).objectTypes(TYPES).build();
            }).marketingStore();
        }
    }
}
