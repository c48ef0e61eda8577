package dev.crmsync.benchmarks;

import dev.crmsync.model.ObjectType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the benchmark and prints its report (Markdown) on standard output; progress goes to
 * standard error. Run it as {@code bench/run.sh} does, in a JVM of its own with the heap capped.
 *
 * <pre>
 * options:
 *   --records N          leads in the measured CRM (default 1,000,000)
 *   --warmup-records N   leads in the warm-up CRM (default 50,000; 0 for none)
 *   --warmup-rounds N    warm-up copies of each kind (default 3)
 *   --repeats N          timed first-copy rounds (default 5)
 *   --cycle-repeats N    incremental cycles per change size (default 5)
 *   --page-size N        records per CRM page (default 2,000)
 *   --changes A,B,...    changed records of the incremental cycles (default 1000,10000)
 *   --type NAME          object type: Lead_Bench__c (default; Lead's fields, always one-way) or Lead
 *   --out FILE           also write the report to FILE
 *   --salesforce         instead: the Salesforce adapter's benchmark (issue 12) over loopback against the
 *                        fake server: adapter vs raw parse (REST, Bulk), then the 64 MB check; --records
 *                        (default 100,000) leads read, --repeats (default 5) timed rounds of each read
 *   --salesforce-push    instead: the push benchmark (issue 12; run the JVM with -Dsun.net.httpserver.nodelay=true,
 *                        or every fake response waits ~40 ms for a delayed ACK): the engine writing --records (default 20,000)
 *                        edited leads to the fake server by pushHostChangesNow vs the same HTTP calls
 *                        replayed by a raw client, --repeats timed rounds
 *   --heap-records N     with --salesforce: leads of the 64 MB check's first copy (default 200,000; 0: none)
 *   --event-latency      instead: the change-latency benchmark (issue 15): --records (default 1,000) changes
 *                        CRM → store by change events and host → CRM by store notifications, each beside its
 *                        baseline, then --poll-changes (default 40) by polling at --poll-pause-ms (default
 *                        1,000); the store on PostgreSQL at --jdbc-url (default: $CRMSYNC_PG_URL), else H2
 * </pre>
 */
public final class Main {

    private Main() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args options, see the class documentation
     */
    public static void main(String[] args) {
        BenchConfig config;
        Path out = null;
        try {
            BenchConfig d = BenchConfig.defaults();
            int records = d.records();
            int warmupRecords = d.warmupRecords();
            int warmupRounds = d.warmupRounds();
            int repeats = d.repeats();
            int cycleRepeats = d.cycleRepeats();
            int pageSize = d.pageSize();
            List<Integer> changes = d.changeSizes();
            ObjectType type = d.type();
            boolean salesforce = false;
            boolean push = false;
            boolean latency = false;
            int pollChanges = 40;
            int pollPauseMs = 1_000;
            String jdbcUrl = System.getenv("CRMSYNC_PG_URL");
            boolean recordsSet = false;
            int heapRecords = 200_000;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help") || a.equals("-h")) {
                    usage(System.out);
                    return;
                }
                if (a.equals("--salesforce")) {
                    salesforce = true;
                    continue;
                }
                if (a.equals("--event-latency")) {
                    latency = true;
                    continue;
                }
                if (a.equals("--salesforce-push")) {
                    push = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                String value = args[++i];
                switch (a) {
                    case "--records" -> {
                        records = number(a, value);
                        recordsSet = true;
                    }
                    case "--heap-records" -> heapRecords = number(a, value);
                    case "--poll-changes" -> pollChanges = number(a, value);
                    case "--poll-pause-ms" -> pollPauseMs = number(a, value);
                    case "--jdbc-url" -> jdbcUrl = value;
                    case "--warmup-records" -> warmupRecords = number(a, value);
                    case "--warmup-rounds" -> warmupRounds = number(a, value);
                    case "--repeats" -> repeats = number(a, value);
                    case "--cycle-repeats" -> cycleRepeats = number(a, value);
                    case "--page-size" -> pageSize = number(a, value);
                    case "--changes" -> {
                        List<Integer> c = new ArrayList<>();
                        for (String part : value.split(",")) {
                            c.add(number(a, part.trim()));
                        }
                        changes = c;
                    }
                    case "--type" -> type = ObjectType.of(value);
                    case "--out" -> out = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option '" + a + "'");
                }
            }
            if (latency) {
                EventLatencyBench lb = new EventLatencyBench(recordsSet ? records : 1_000, pollChanges,
                        java.time.Duration.ofMillis(pollPauseMs), jdbcUrl == null || jdbcUrl.isBlank() ? null : jdbcUrl,
                        line -> System.err.println("[bench] " + line));
                String report = EventLatencyBench.markdown(lb.run());
                System.out.println(report);
                write(out, report);
                return;
            }
            if (push) {
                SalesforcePushBench pb = new SalesforcePushBench(recordsSet ? records : 20_000, repeats,
                        line -> System.err.println("[bench] " + line));
                String report = SalesforcePushBench.markdown(pb.run());
                System.out.println(report);
                write(out, report);
                return;
            }
            if (salesforce) {
                SalesforceBench sf = new SalesforceBench(recordsSet ? records : 100_000, heapRecords, repeats,
                        line -> System.err.println("[bench] " + line));
                String report = SalesforceBench.markdown(sf.run());
                System.out.println(report);
                write(out, report);
                return;
            }
            config = new BenchConfig(records, warmupRecords, warmupRounds, repeats, cycleRepeats, pageSize, type,
                    changes);
        } catch (IllegalArgumentException e) {
            System.err.println("crmsync benchmark: " + e.getMessage());
            usage(System.err);
            System.exit(2);
            return;
        }
        BenchResults results = new Benchmark(config, line -> System.err.println("[bench] " + line)).run();
        String report = Report.markdown(results);
        System.out.println(report);
        write(out, report);
    }

    private static void write(Path out, String report) {
        if (out != null) {
            try {
                Files.writeString(out, report, StandardCharsets.UTF_8);
            } catch (IOException e) {
                System.err.println("crmsync benchmark: could not write " + out + ": " + e.getMessage());
                System.exit(1);
            }
        }
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + option + " needs a whole number, got '" + value + "'");
        }
    }

    private static void usage(PrintStream s) {
        s.println("usage: Main [--records N] [--warmup-records N] [--warmup-rounds N] [--repeats N]"
                + " [--cycle-repeats N] [--page-size N] [--changes A,B,...] [--type Lead_Bench__c|Lead] [--out FILE]");
        s.println("       Main --salesforce [--records N] [--repeats N] [--heap-records N] [--out FILE]");
        s.println("       Main --event-latency [--records N] [--poll-changes N] [--poll-pause-ms N] [--jdbc-url URL]"
                + " [--out FILE]");
    }
}
