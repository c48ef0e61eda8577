package dev.crmsync.testkit.salesforce.internal;

import dev.crmsync.model.CrmId;
import java.util.HashMap;
import java.util.Map;

/** Makes 18-character Salesforce-style ids with a given key prefix (jobs 750, locators 01g, org 00D, user 005). */
public final class IdFactory {

    private static final String DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final String pod;
    private final Map<String, Long> counters = new HashMap<>();

    /** @param pod two characters that make this server's ids look distinct */
    public IdFactory(String pod) {
        if (pod.length() != 2) {
            throw new IllegalArgumentException("pod must be 2 characters, was '" + pod + "'");
        }
        this.pod = pod;
    }

    /**
     * @param prefix the 3-character key prefix
     * @return the next id with it, 18 characters
     */
    public synchronized String next(String prefix) {
        long n = counters.merge(prefix, 1L, Long::sum);
        StringBuilder digits = new StringBuilder();
        long v = n;
        while (v > 0) {
            digits.append(DIGITS.charAt((int) (v % 62)));
            v /= 62;
        }
        while (digits.length() < 10) {
            digits.append('0');
        }
        return CrmId.of(prefix + pod + digits.reverse()).value();
    }
}
