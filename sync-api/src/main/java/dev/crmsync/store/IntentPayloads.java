package dev.crmsync.store;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/** The payload form: {@code name=value} pairs joined by {@code &}, each side URL-encoded (UTF-8). */
final class IntentPayloads {
    static final String SENT = "sent.";

    private IntentPayloads() {
    }

    static String encode(Map<String, String> values) {
        StringJoiner out = new StringJoiner("&");
        new TreeMap<>(values).forEach((k, v) -> out.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return out.toString();
    }

    static Map<String, String> decode(String payload) {
        Map<String, String> out = new TreeMap<>();
        if (payload.isEmpty()) {
            return out;
        }
        for (String pair : payload.split("&", -1)) {
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("payload is not an engine intent payload");
            }
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
