package dev.crmsync.salesforce.internal;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which base URLs the source may send credentials to: {@code https} always; plain {@code http}
 * only when the host explicitly allowed it and the host is a loopback address (the fake server).
 * No DNS lookup is made: {@code localhost} and IP literals are recognised as written.
 */
public final class UrlPolicy {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final boolean allowHttpLoopback;

    /** @param allowHttpLoopback true to accept {@code http://} on a loopback host */
    public UrlPolicy(boolean allowHttpLoopback) {
        this.allowHttpLoopback = allowHttpLoopback;
    }

    /**
     * Validates a base URL and strips any trailing slash.
     *
     * @param uri the URL
     * @param what what it is, for the message
     * @return the URL, normalised
     * @throws IllegalArgumentException if it may not be used
     */
    public URI check(URI uri, String what) {
        Objects.requireNonNull(uri, what);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException(what + " " + uri + " has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(what + " must not carry user info");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(what + " " + uri + " must not have a query or fragment");
        }
        if (scheme.equals("http")) {
            if (!allowHttpLoopback) {
                throw new IllegalArgumentException(what + " " + uri + " uses plain http; only https is allowed "
                        + "(a loopback test server needs allowHttpForLoopback(true))");
            }
            if (!isLoopback(host)) {
                throw new IllegalArgumentException(what + " " + uri + " uses plain http on a non-loopback host; "
                        + "http is only allowed for 127.0.0.1, ::1 or localhost");
            }
        } else if (!scheme.equals("https")) {
            throw new IllegalArgumentException(what + " " + uri + " must use https");
        }
        String s = uri.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    /**
     * @param host a host as written in a URL
     * @return true for {@code localhost}, {@code 127.x.x.x} and {@code ::1}
     */
    public static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost")) {
            return true;
        }
        if (IPV4.matcher(h).matches() || h.contains(":")) {
            try {
                return InetAddress.getByName(h).isLoopbackAddress(); // a literal: no lookup
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }
}
