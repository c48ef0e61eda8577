package dev.crmsync.benchmarks;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;

/**
 * Measures one timed section on the calling thread: wall time, the thread's CPU time (robust
 * when other processes share the cores), and the time and count of garbage collections. Also
 * measures the live heap (used heap right after full collections).
 */
final class Meter {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /** What one section took. */
    record Sample(long wallNanos, long cpuNanos, long gcMillis, long gcCount) {

        /** @return wall time in seconds */
        double wallSeconds() {
            return wallNanos / 1e9;
        }

        /** @return thread CPU time in seconds */
        double cpuSeconds() {
            return cpuNanos / 1e9;
        }
    }

    private final long wall0;
    private final long cpu0;
    private final long gcMillis0;
    private final long gcCount0;

    private Meter() {
        this.gcMillis0 = gcMillis();
        this.gcCount0 = gcCount();
        this.cpu0 = cpu();
        this.wall0 = System.nanoTime();
    }

    /** @return a meter started now */
    static Meter start() {
        return new Meter();
    }

    /** @return what passed since the start */
    Sample stop() {
        long wall = System.nanoTime() - wall0;
        long cpu = cpu() - cpu0;
        return new Sample(wall, cpu, gcMillis() - gcMillis0, gcCount() - gcCount0);
    }

    private static long cpu() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    private static long gcCount() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionCount());
        }
        return sum;
    }

    /**
     * Runs full collections and returns the heap still in use: what is live.
     *
     * @return live heap in bytes
     */
    static long liveHeap() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            long u = MEMORY.getHeapMemoryUsage().getUsed();
            if (u >= used) {
                return Math.min(u, used);
            }
            used = u;
        }
        return used;
    }

    /** @return the heap's maximum size in bytes (-Xmx) */
    static long maxHeap() {
        return MEMORY.getHeapMemoryUsage().getMax();
    }

    /** @return the collectors' names, e.g. "G1 Young Generation, G1 Old Generation" */
    static String collectors() {
        StringBuilder sb = new StringBuilder();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(gc.getName());
        }
        return sb.toString();
    }
}
