/**
 * In-memory implementations of the storage SPIs: {@link dev.crmsync.store.memory.InMemoryMarketingStore}
 * and {@link dev.crmsync.store.memory.InMemorySyncStateStore}. They are real, thread-safe stores
 * that pass the contract test kit, and test doubles at the same time: they count the calls made to
 * them ({@link dev.crmsync.store.memory.StoreOperation}), keep a call log when asked
 * ({@link dev.crmsync.store.memory.StoreCall}), and inject faults from a seeded
 * {@link dev.crmsync.store.memory.FaultProfile} — fail the next calls of an operation, crash at
 * the n-th call, lose an acknowledgement, or reject chosen CRM ids.
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
