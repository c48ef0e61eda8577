package dev.crmsync.salesforce.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * A last line of defence: scrubs every secret the source knows (tokens issued, refresh token, client
 * secret) from text that came from elsewhere (a server message, an exception message) before it
 * reaches a log line or an exception. The source never puts a secret into text itself; this is for
 * text it does not control. Thread-safe.
 */
public final class Redactor {

    /** What a secret is replaced with. */
    public static final String MASK = "<redacted>";

    private static final int MAX_TOKENS = 8;

    private final Set<String> fixed = new CopyOnWriteArraySet<>();
    private final Deque<String> tokens = new ArrayDeque<>();

    /** @param secret a long-lived secret to scrub (ignored if null or shorter than 6 characters) */
    public void addSecret(String secret) {
        if (secret != null && secret.length() >= 6) {
            fixed.add(secret);
        }
    }

    /** @param token a short-lived token to scrub; the last few are remembered */
    public synchronized void addToken(String token) {
        if (token == null || token.length() < 6) {
            return;
        }
        tokens.remove(token);
        tokens.addFirst(token);
        while (tokens.size() > MAX_TOKENS) {
            tokens.removeLast();
        }
    }

    /**
     * @param text any text, or null
     * @return the text with every known secret masked
     */
    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String s : fixed) {
            out = out.replace(s, MASK);
        }
        String[] snapshot;
        synchronized (this) {
            snapshot = tokens.toArray(new String[0]);
        }
        for (String s : snapshot) {
            out = out.replace(s, MASK);
        }
        return out;
    }
}
