package dev.crmsync.benchmarks;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.SyncCounts;
import dev.crmsync.core.report.SyncReport;
import dev.crmsync.model.ObjectType;
import dev.crmsync.salesforce.SalesforceCredentials;
import dev.crmsync.salesforce.SalesforceCrmSource;
import dev.crmsync.store.memory.InMemorySyncStateStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.util.Map;
import java.util.TreeMap;

/**
 * The 64 MB check's own process: a first copy by the engine with the Salesforce adapter's defaults
 * (only the credentials and loopback HTTP set) from a fake server in another process into a store
 * that keeps nothing ({@link CountingStore}). Run it with a capped heap, e.g. {@code -Xmx64m
 * -XX:+ExitOnOutOfMemoryError}; it prints one line,
 * {@code HEAPRUN read=… created=… upserted=… maxHeapMB=… peakAfterGcMB=… calls=…}, and exits 0 once
 * the copy completed.
 */
public final class SalesforceHeapRun {

    private SalesforceHeapRun() {
    }

    /**
     * @param args the fake server's base URI, its access token, the object type, the fields
     *     (comma-separated), and optionally {@code adapter}: only the adapter's resumable read (the first
     *     copy's), drained and counted, without the engine
     */
    public static void main(String[] args) {
        if (args.length != 4 && !(args.length == 5 && args[4].equals("adapter"))) {
            System.err.println("usage: SalesforceHeapRun BASE_URI ACCESS_TOKEN TYPE FIELD,FIELD,... [adapter]");
            System.exit(2);
            return;
        }
        watchCollections();
        URI base = URI.create(args[0]);
        ObjectType type = ObjectType.of(args[2]);
        if (args.length == 5) {
            adapterOnly(base, args[1], type, java.util.List.of(args[3].split(",")));
            return;
        }
        CountingStore store = new CountingStore();
        try (SalesforceCrmSource sf = SalesforceCrmSource.builder()
                .credentials(SalesforceCredentials.accessToken(args[1], base))
                .allowHttpForLoopback(true)
                .build();
             SyncEngine engine = SyncEngine.builder()
                     .crmSource(sf)
                     .marketingStore(store)
                     .syncStateStore(new InMemorySyncStateStore())
                     .objectTypes(type)
                     .fields(type, java.util.List.of(args[3].split(",")))
                     .build()) {
            SyncReport report = engine.runCycle();
            if (!report.isComplete()) {
                System.err.println("the copy did not complete: " + report.outcome());
                System.exit(1);
                return;
            }
            SyncCounts c = report.totals();
            Map<String, Long> calls = new TreeMap<>(sf.callCounts());
            System.out.println("HEAPRUN read=" + c.read() + " created=" + c.created() + " upserted="
                    + store.upserted.get() + " maxHeapMB=" + mb(Runtime.getRuntime().maxMemory())
                    + " peakAfterGcMB=" + mb(peakAfterGc()) + " fullGcs=" + fullCollections()
                    + " calls=" + calls.toString().replace(" ", ""));
        }
    }

    private static void adapterOnly(URI base, String token, ObjectType type, java.util.List<String> fields) {
        try (SalesforceCrmSource sf = SalesforceCrmSource.builder()
                .credentials(SalesforceCredentials.accessToken(token, base))
                .allowHttpForLoopback(true)
                .build();
             dev.crmsync.crm.ChangeStream s = sf.openChanges(new dev.crmsync.crm.ChangeQuery(type,
                     java.util.Set.copyOf(fields), dev.crmsync.crm.Cursor.START,
                     SyncEngine.DEFAULT_PAGE_SIZE).resumable(null))) {
            long n = 0;
            java.util.List<dev.crmsync.model.SyncRecord> page;
            while (!(page = s.nextPage()).isEmpty()) {
                n += page.size();
            }
            Map<String, Long> calls = new TreeMap<>(sf.callCounts());
            System.out.println("HEAPRUN read=" + n + " created=- upserted=- maxHeapMB="
                    + mb(Runtime.getRuntime().maxMemory()) + " peakAfterGcMB=" + mb(peakAfterGc()) + " fullGcs="
                    + fullCollections() + " calls=" + calls.toString().replace(" ", ""));
        }
    }

    /** @return collections of the whole heap (G1's full and old-generation collections) */
    private static long fullCollections() {
        long n = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc.getName().contains("Old") || gc.getName().contains("MarkSweep")) {
                n += Math.max(0, gc.getCollectionCount());
            }
        }
        return n;
    }

    private static final java.util.concurrent.atomic.AtomicLong PEAK_AFTER_GC = new java.util.concurrent.atomic.AtomicLong();

    /** Listens to every collection and keeps the largest heap occupancy right after one. */
    private static void watchCollections() {
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof javax.management.NotificationEmitter emitter) {
                emitter.addNotificationListener((n, hb) -> {
                    if (!com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
                            .equals(n.getType())) {
                        return;
                    }
                    var info = com.sun.management.GarbageCollectionNotificationInfo
                            .from((javax.management.openmbean.CompositeData) n.getUserData());
                    long used = 0;
                    for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                        if (HEAP_POOLS.contains(e.getKey())) {
                            used += e.getValue().getUsed();
                        }
                    }
                    PEAK_AFTER_GC.accumulateAndGet(used, Math::max);
                }, null, null);
            }
        }
    }

    private static final java.util.Set<String> HEAP_POOLS = heapPools();

    private static java.util.Set<String> heapPools() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                names.add(pool.getName());
            }
        }
        return names;
    }

    private static long peakAfterGc() {
        return PEAK_AFTER_GC.get();
    }

    private static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1048576.0);
    }
}
