package dev.crmsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.crm.Cursor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A smoke test of thread-safety: concurrent edits, API writes and reads, without sleeps. */
class InMemoryCrmConcurrencyTest {

    @Test
    void concurrentEditsWritesAndReadsStayConsistent() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2024-08-01T00:00:00Z"));
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).maxPageSize(50).build();
        Set<CrmId> created = ConcurrentHashMap.newKeySet();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                tasks.add(() -> {
                    start.await();
                    List<CrmId> mine = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        CrmId id = crm.insert(ObjectType.LEAD, Map.of("LastName", FieldValue.text("W" + writer + "-" + i),
                                "Company", FieldValue.text("C")));
                        created.add(id);
                        mine.add(id);
                        if (i % 3 == 0) {
                            crm.update(ObjectType.LEAD, mine.get(i / 2), Map.of("Title", FieldValue.text("t" + i)));
                        }
                        if (i % 50 == 0) {
                            clock.advance(Duration.ofSeconds(1));
                        }
                    }
                    return mine.size();
                });
            }
            tasks.add(() -> {
                start.await();
                int n = 0;
                for (int b = 0; b < 20; b++) {
                    List<CrmWrite> batch = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        batch.add(new CrmWrite.Create("api-" + b + "-" + i, Map.of("LastName", FieldValue.text("api"),
                                "Company", FieldValue.text("C"))));
                    }
                    for (CrmWriteResult r : crm.write(ObjectType.LEAD, batch)) {
                        created.add(assertInstanceOf(CrmWriteResult.Written.class, r).id());
                        n++;
                    }
                }
                return n;
            });
            tasks.add(() -> {
                start.await();
                int reads = 0;
                for (int round = 0; round < 20; round++) {
                    List<SyncRecord> all = new ArrayList<>();
                    try (ChangeStream s = crm.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of("LastName"), Cursor.START, 50))) {
                        for (List<SyncRecord> p = s.nextPage(); !p.isEmpty(); p = s.nextPage()) {
                            all.addAll(p);
                        }
                    }
                    Comparator<SyncRecord> order = Comparator.comparing(SyncRecord::modstamp).thenComparing(SyncRecord::id);
                    for (int i = 1; i < all.size(); i++) {
                        assertTrue(order.compare(all.get(i - 1), all.get(i)) < 0, "stream out of order under concurrency");
                    }
                    reads += all.size();
                }
                return reads;
            });
            List<Future<Integer>> futures = new ArrayList<>();
            for (Callable<Integer> t : tasks) {
                futures.add(pool.submit(t));
            }
            start.countDown();
            for (Future<Integer> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1200, created.size());
        assertEquals(1200, crm.count(ObjectType.LEAD));
        Set<CrmId> read = new HashSet<>();
        try (ChangeStream s = crm.openChanges(new ChangeQuery(ObjectType.LEAD, Set.of(), Cursor.START, 50))) {
            for (List<SyncRecord> p = s.nextPage(); !p.isEmpty(); p = s.nextPage()) {
                p.forEach(r -> assertTrue(read.add(r.id()), "read twice: " + r.id()));
            }
        }
        assertEquals(created, read);
    }
}
