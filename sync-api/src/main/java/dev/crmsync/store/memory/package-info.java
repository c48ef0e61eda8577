/**
 * In-memory implementations of the storage SPIs: {@link dev.crmsync.store.memory.InMemoryMarketingStore}
 * and {@link dev.crmsync.store.memory.InMemorySyncStateStore}. They are real, thread-safe stores
 * that pass the contract test kit: reference implementations for adapter writers, and the stores
 * that engine and host tests run on. They hold no test machinery: to count the calls made to a store
 * or inject faults into it, a test wraps it (any store, this one or a JDBC one) with the decorators
 * of {@code dev.crmsync.testkit.fault} in the {@code sync-testkit} artifact.
 *
 * <p>They are built to hold a million records in a small heap: a record's field values are
 * encoded into one byte array (field names, and values a field holds more than once — picklists,
 * companies, owners, descriptions — are numbered in per-store dictionaries), CRM ids are packed
 * into two longs, and lookups go through open hash tables instead of maps of boxed keys. A
 * million realistic leads take about 235 MB.
 */
@NullMarked
package dev.crmsync.store.memory;

import org.jspecify.annotations.NullMarked;
