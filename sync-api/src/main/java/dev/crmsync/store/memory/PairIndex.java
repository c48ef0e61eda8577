package dev.crmsync.store.memory;

import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A hash index from a two-long key to an object that carries its own key: open addressing with
 * linear probing and backward-shift deletion, about 8 bytes per entry. Not thread-safe.
 *
 * @param <T> the indexed objects
 */
final class PairIndex<T> {

    /**
     * Reads an entry's key.
     *
     * @param <T> the entry type
     */
    interface Key<T> {
        long hi(T t);

        long lo(T t);
    }

    private final Key<T> key;
    private Object[] table = new Object[16];
    private int size;

    PairIndex(Key<T> key) {
        this.key = key;
    }

    int size() {
        return size;
    }

    private static int hash(long hi, long lo) {
        long h = hi * 0x9E3779B97F4A7C15L + lo;
        h ^= h >>> 32;
        h *= 0xD6E8FEB86659FD93L;
        return (int) (h ^ (h >>> 29));
    }

    @SuppressWarnings("unchecked")
    private T at(int i) {
        return (T) table[i];
    }

    @Nullable T get(long hi, long lo) {
        int mask = table.length - 1;
        for (int i = hash(hi, lo) & mask; ; i = (i + 1) & mask) {
            T t = at(i);
            if (t == null) {
                return null;
            }
            if (key.hi(t) == hi && key.lo(t) == lo) {
                return t;
            }
        }
    }

    /** Adds or replaces the entry with the same key. @return the replaced entry, or null */
    @Nullable T put(T value) {
        if ((size + 1) * 2 > table.length) {
            grow();
        }
        long hi = key.hi(value);
        long lo = key.lo(value);
        int mask = table.length - 1;
        for (int i = hash(hi, lo) & mask; ; i = (i + 1) & mask) {
            T t = at(i);
            if (t == null) {
                table[i] = value;
                size++;
                return null;
            }
            if (key.hi(t) == hi && key.lo(t) == lo) {
                table[i] = value;
                return t;
            }
        }
    }

    /** @return the removed entry, or null */
    @Nullable T remove(long hi, long lo) {
        int mask = table.length - 1;
        int i = hash(hi, lo) & mask;
        for (; ; i = (i + 1) & mask) {
            T t = at(i);
            if (t == null) {
                return null;
            }
            if (key.hi(t) == hi && key.lo(t) == lo) {
                break;
            }
        }
        T removed = at(i);
        // backward-shift deletion: move later entries of the cluster into the hole where allowed
        int hole = i;
        for (int j = (i + 1) & mask; ; j = (j + 1) & mask) {
            T t = at(j);
            if (t == null) {
                break;
            }
            int home = hash(key.hi(t), key.lo(t)) & mask;
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                table[hole] = t;
                hole = j;
            }
        }
        table[hole] = null;
        size--;
        return removed;
    }

    void forEach(Consumer<? super T> action) {
        for (Object o : table) {
            if (o != null) {
                @SuppressWarnings("unchecked")
                T t = (T) o;
                action.accept(t);
            }
        }
    }

    private void grow() {
        Object[] old = table;
        table = new Object[old.length * 2];
        size = 0;
        for (Object o : old) {
            if (o != null) {
                @SuppressWarnings("unchecked")
                T t = (T) o;
                put(t);
            }
        }
    }
}
