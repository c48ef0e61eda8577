package dev.crmsync.store.memory;

import dev.crmsync.model.CrmId;
import dev.crmsync.store.StoreChecks;

/**
 * Packs a CRM id into two longs (about 90 bits of its 15 significant characters) so the stores
 * hold no {@code CrmId}/{@code String} object per record. The packing keeps order: comparing
 * {@code (hi, lo)} gives the same order as {@link CrmId#compareTo}.
 */
final class Ids {
    private Ids() {
    }

    private static int ord(char c) {
        if (c <= '9') {
            return c - '0';
        }
        if (c <= 'Z') {
            return c - 'A' + 10;
        }
        return c - 'a' + 36;
    }

    private static char chr(int o) {
        if (o < 10) {
            return (char) ('0' + o);
        }
        if (o < 36) {
            return (char) ('A' + o - 10);
        }
        return (char) ('a' + o - 36);
    }

    /** @return the first 7 characters, base 62 */
    static long hi(CrmId id) {
        String v = id.value();
        long h = 0;
        for (int i = 0; i < 7; i++) {
            h = h * 62 + ord(v.charAt(i));
        }
        return h;
    }

    /** @return characters 8 to 15, base 62 */
    static long lo(CrmId id) {
        String v = id.value();
        long l = 0;
        for (int i = 7; i < 15; i++) {
            l = l * 62 + ord(v.charAt(i));
        }
        return l;
    }

    static CrmId unpack(long hi, long lo) {
        char[] c = new char[15];
        for (int i = 6; i >= 0; i--) {
            c[i] = chr((int) (hi % 62));
            hi /= 62;
        }
        for (int i = 14; i >= 7; i--) {
            c[i] = chr((int) (lo % 62));
            lo /= 62;
        }
        return new CrmId(new String(c));
    }

    static int compare(long hi1, long lo1, long hi2, long lo2) {
        int c = Long.compare(hi1, hi2);
        return c != 0 ? c : Long.compare(lo1, lo2);
    }

    /**
     * Parses a marketing id the in-memory stores issue (a positive decimal without leading zeros).
     *
     * @return the number, or -1 when the text is not such an id
     */
    static long parseMarketingId(String s) {
        return StoreChecks.sequenceNumber(s);
    }
}
