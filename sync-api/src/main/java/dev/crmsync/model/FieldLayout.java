package dev.crmsync.model;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A fixed list of field names that many records share, such as the fields one read selects. It
 * builds those records' field maps: each map holds the values alone and shares the names and
 * their lookup table with the layout, and {@link SyncRecord} keeps such a map as it is instead of
 * copying it. A map it builds is immutable (every mutator throws
 * {@link UnsupportedOperationException}), holds no null key or value (a null key throws
 * {@link NullPointerException} as {@link Map#copyOf} maps do), iterates in the layout's order and
 * equals any other map with the same entries. Thread-safe; immutable.
 */
public final class FieldLayout {

    private final String[] names;
    private final List<String> nameList;
    // open addressing, linear probing: slot -> index into names + 1 (0: empty)
    private final int[] slots;
    private final int mask;

    private FieldLayout(String[] names) {
        this.names = names;
        this.nameList = List.of(names);
        int cap = Integer.highestOneBit(Math.max(4, names.length * 2 - 1)) << 1;
        this.slots = new int[cap];
        this.mask = cap - 1;
        for (int i = 0; i < names.length; i++) {
            int s = slot(names[i]);
            while (slots[s] != 0) {
                if (names[slots[s] - 1].equals(names[i])) {
                    throw new IllegalArgumentException("field name repeated in a layout: " + SafeText.name(names[i]));
                }
                s = (s + 1) & mask;
            }
            slots[s] = i + 1;
        }
    }

    /**
     * @param names the field names, distinct, in the order the maps iterate
     * @return the layout
     * @throws NullPointerException if a name is null
     * @throws IllegalArgumentException if a name is repeated
     */
    public static FieldLayout of(Collection<String> names) {
        Objects.requireNonNull(names, "names");
        String[] a = names.toArray(new String[0]);
        for (String n : a) {
            Objects.requireNonNull(n, "field name");
        }
        return new FieldLayout(a);
    }

    /** @return the field names, in order */
    public List<String> names() {
        return nameList;
    }

    /** @return how many fields */
    public int size() {
        return names.length;
    }

    /**
     * @param name a field name
     * @return its position in {@link #names()}, or -1 if the layout does not have it
     */
    public int indexOf(String name) {
        Objects.requireNonNull(name, "name");
        int s = slot(name);
        while (true) {
            int i = slots[s];
            if (i == 0) {
                return -1;
            }
            String n = names[i - 1];
            if (n == name || n.equals(name)) {
                return i - 1;
            }
            s = (s + 1) & mask;
        }
    }

    private int slot(String name) {
        int h = name.hashCode();
        return (h ^ (h >>> 16)) & mask;
    }

    /**
     * An immutable field map: {@code names().get(i)} maps to {@code values[i]}. The array is copied.
     *
     * @param values one value per name, in the layout's order ({@link FieldValue#NULL} for an empty field)
     * @return the map
     * @throws NullPointerException if a value is null
     * @throws IllegalArgumentException if there are not {@link #size()} values
     */
    public Map<String, FieldValue> map(FieldValue... values) {
        Objects.requireNonNull(values, "values");
        if (values.length != names.length) {
            throw new IllegalArgumentException("a layout of " + names.length + " fields given " + values.length
                    + " values");
        }
        FieldValue[] copy = values.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == null) {
                throw new NullPointerException("value of field " + SafeText.name(names[i])
                        + " (use FieldValue.NULL for no value)");
            }
        }
        return new LaidOut(this, copy);
    }

    /** A map built by {@link #map}: {@link SyncRecord} keeps it without a copy. */
    static final class LaidOut extends AbstractMap<String, FieldValue> {
        private final FieldLayout layout;
        private final FieldValue[] values;
        private @Nullable Set<Map.Entry<String, FieldValue>> entries;

        LaidOut(FieldLayout layout, FieldValue[] values) {
            this.layout = layout;
            this.values = values;
        }

        @Override
        public int size() {
            return values.length;
        }

        @Override
        public boolean isEmpty() {
            return values.length == 0;
        }

        @Override
        public @Nullable FieldValue get(Object key) {
            int i = layout.indexOf((String) Objects.requireNonNull(key, "key"));
            return i < 0 ? null : values[i];
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String s ? layout.indexOf(s) >= 0 : keyCheck(key);
        }

        private static boolean keyCheck(Object key) {
            Objects.requireNonNull(key, "key");
            return false;
        }

        @Override
        public boolean containsValue(Object value) {
            Objects.requireNonNull(value, "value");
            for (FieldValue v : values) {
                if (v.equals(value)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void forEach(BiConsumer<? super String, ? super FieldValue> action) {
            for (int i = 0; i < values.length; i++) {
                action.accept(layout.names[i], values[i]);
            }
        }

        @Override
        public int hashCode() {
            int h = 0;
            for (int i = 0; i < values.length; i++) {
                h += layout.names[i].hashCode() ^ values[i].hashCode();
            }
            return h;
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            if (o instanceof LaidOut other && other.layout == layout) {
                return Arrays.equals(values, other.values);
            }
            return super.equals(o);
        }

        @Override
        public Set<Map.Entry<String, FieldValue>> entrySet() {
            Set<Map.Entry<String, FieldValue>> e = entries;
            if (e == null) {
                e = new AbstractSet<>() {
                    @Override
                    public Iterator<Map.Entry<String, FieldValue>> iterator() {
                        return new Iterator<>() {
                            private int next;

                            @Override
                            public boolean hasNext() {
                                return next < values.length;
                            }

                            @Override
                            public Map.Entry<String, FieldValue> next() {
                                if (next >= values.length) {
                                    throw new NoSuchElementException();
                                }
                                int i = next++;
                                return Map.entry(layout.names[i], values[i]);
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return values.length;
                    }
                };
                entries = e;
            }
            return e;
        }

        // immutable: every mutator throws, as Map.copyOf's maps do
        @Override
        public FieldValue put(String key, FieldValue value) {
            throw uoe();
        }

        @Override
        public FieldValue remove(Object key) {
            throw uoe();
        }

        @Override
        public void putAll(Map<? extends String, ? extends FieldValue> m) {
            throw uoe();
        }

        @Override
        public void clear() {
            throw uoe();
        }

        @Override
        public void replaceAll(BiFunction<? super String, ? super FieldValue, ? extends FieldValue> function) {
            throw uoe();
        }

        @Override
        public @Nullable FieldValue putIfAbsent(String key, FieldValue value) {
            throw uoe();
        }

        @Override
        public boolean remove(Object key, Object value) {
            throw uoe();
        }

        @Override
        public boolean replace(String key, FieldValue oldValue, FieldValue newValue) {
            throw uoe();
        }

        @Override
        public @Nullable FieldValue replace(String key, FieldValue value) {
            throw uoe();
        }

        @Override
        public FieldValue computeIfAbsent(String key, Function<? super String, ? extends FieldValue> f) {
            throw uoe();
        }

        @Override
        public @Nullable FieldValue computeIfPresent(String key,
                BiFunction<? super String, ? super FieldValue, ? extends FieldValue> f) {
            throw uoe();
        }

        @Override
        public @Nullable FieldValue compute(String key,
                BiFunction<? super String, ? super @Nullable FieldValue, ? extends FieldValue> f) {
            throw uoe();
        }

        @Override
        public @Nullable FieldValue merge(String key, FieldValue value,
                BiFunction<? super FieldValue, ? super FieldValue, ? extends FieldValue> f) {
            throw uoe();
        }

        private static UnsupportedOperationException uoe() {
            return new UnsupportedOperationException("a record's fields are immutable");
        }
    }
}
