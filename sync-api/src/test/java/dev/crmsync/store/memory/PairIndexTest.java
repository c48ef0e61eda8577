package dev.crmsync.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PairIndexTest {

    record Entry(long hi, long lo, int value) {
    }

    private static final PairIndex.Key<Entry> KEY = new PairIndex.Key<>() {
        @Override
        public long hi(Entry e) {
            return e.hi;
        }

        @Override
        public long lo(Entry e) {
            return e.lo;
        }
    };

    /** A random sequence of puts and removes over a small key space behaves like a HashMap. */
    @Property
    void behavesLikeAMap(@ForAll("ops") List<Integer> ops) {
        PairIndex<Entry> index = new PairIndex<>(KEY);
        Map<Long, Entry> model = new HashMap<>();
        int n = 0;
        for (int op : ops) {
            long k = Math.floorMod(op, 64);
            if (op % 3 == 0) {
                Entry removed = index.remove(k, k * 7);
                assertEquals(model.remove(k), removed);
            } else {
                Entry e = new Entry(k, k * 7, n++);
                assertEquals(model.put(k, e), index.put(e));
            }
            assertEquals(model.size(), index.size());
            for (long q = 0; q < 64; q++) {
                assertEquals(model.get(q), index.get(q, q * 7));
            }
        }
    }

    @Provide
    Arbitrary<List<Integer>> ops() {
        return Arbitraries.integers().between(-1000, 1000).list().ofMaxSize(300);
    }
}
