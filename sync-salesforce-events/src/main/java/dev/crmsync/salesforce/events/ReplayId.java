package dev.crmsync.salesforce.events;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A position in a Pub/Sub API event stream: the opaque replay id Salesforce gives every event (and every
 * keepalive, as the latest replay id of the topic). It is compared only for equality; its bytes are kept
 * as received and handed back to Salesforce to resume after it.
 *
 * <p>A replay id is not customer data: {@link #toString()} shows its bytes in hex.
 */
public final class ReplayId {

    private final byte[] bytes;

    private ReplayId(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * A replay id from its bytes (copied).
     *
     * @param bytes the replay id as Salesforce sent it; not empty
     * @return the replay id
     * @throws IllegalArgumentException if {@code bytes} is empty
     */
    public static ReplayId of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 0) {
            throw new IllegalArgumentException("a replay id has at least one byte");
        }
        return new ReplayId(bytes.clone());
    }

    /**
     * A replay id from the hex form {@link #toHex()} gives (for storing it as text).
     *
     * @param hex an even number of hex digits, at least two
     * @return the replay id
     * @throws IllegalArgumentException if {@code hex} is not such a string
     */
    public static ReplayId fromHex(String hex) {
        Objects.requireNonNull(hex, "hex");
        if (hex.isEmpty() || hex.length() % 2 != 0) {
            throw new IllegalArgumentException("a replay id in hex has an even, non-zero number of digits");
        }
        try {
            return new ReplayId(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a replay id in hex has hex digits only", e);
        }
    }

    /** @return a copy of the bytes */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** @return the bytes as lower-case hex, the form {@link #fromHex(String)} reads */
    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplayId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "ReplayId[" + toHex() + "]";
    }
}
