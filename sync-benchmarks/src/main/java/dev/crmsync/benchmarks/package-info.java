/**
 * The crmsync benchmark (issue 2): throughput of the first full copy of a million leads from
 * {@link dev.crmsync.testkit.InMemoryCrm} to {@link dev.crmsync.store.memory.InMemoryMarketingStore},
 * beside a raw baseline that moves the same pages without the engine; the time and CRM calls of
 * incremental cycles; and the live heap along the way. Run by {@code bench/run.sh}; see
 * {@code BENCHMARKS.md} at the repository root for the command and the figures.
 *
 * <p>Not a library: nothing here is published, and only {@link dev.crmsync.benchmarks.Main} is public.
 */
package dev.crmsync.benchmarks;
