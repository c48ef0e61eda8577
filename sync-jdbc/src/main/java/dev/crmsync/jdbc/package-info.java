/**
 * JDBC storage for crmsync: {@link dev.crmsync.jdbc.JdbcMarketingStore} and
 * {@link dev.crmsync.jdbc.JdbcSyncStateStore} over one {@link javax.sql.DataSource} (H2,
 * PostgreSQL or MariaDB), built together by {@link dev.crmsync.jdbc.JdbcStores} so that a page of data and
 * its checkpoint commit in one transaction. The schema is created and upgraded by versioned SQL
 * scripts shipped in the jar. This module depends on {@code sync-api} only; the host brings
 * its JDBC driver and, if it likes, a connection pool.
 */
@NullMarked
package dev.crmsync.jdbc;

import org.jspecify.annotations.NullMarked;
